"""One audit log: the order events move into it, nothing lost (coupons and campaigns move theirs)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


ORDER_KINDS = {
    "protection_extended": "order.protection_extended",
    "dispute_opened": "dispute.opened",
    "dispute_answered": "dispute.answered",
}


def order_events_into_audit_log(apps, schema_editor):
    OrderEvent = apps.get_model("seller_desk", "OrderEvent")
    AuditEvent = apps.get_model("seller_desk", "AuditEvent")
    rows = []
    for event in OrderEvent.objects.select_related("order").order_by("id").iterator(chunk_size=2000):
        rows.append(
            AuditEvent(
                store_id=event.store_id,
                actor_id=event.actor_id,
                kind=ORDER_KINDS.get(event.kind, f"order.{event.kind}"),
                subject_type="order",
                subject_id=str(event.order_id),
                subject_label=event.order.external_id,
                details=event.data,
                created_at=event.created_at,
            )
        )
        if len(rows) >= 2000:
            AuditEvent.objects.bulk_create(rows)
            rows = []
    AuditEvent.objects.bulk_create(rows)


def audit_log_into_order_events(apps, schema_editor):
    OrderEvent = apps.get_model("seller_desk", "OrderEvent")
    AuditEvent = apps.get_model("seller_desk", "AuditEvent")
    back = {v: k for k, v in ORDER_KINDS.items()}
    OrderEvent.objects.bulk_create(
        OrderEvent(
            store_id=e.store_id,
            order_id=int(e.subject_id),
            kind=back.get(e.kind, e.kind.split(".", 1)[-1]),
            actor_id=e.actor_id,
            data=e.details,
            created_at=e.created_at,
        )
        for e in AuditEvent.objects.filter(subject_type="order")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('seller_desk', '0003_delete_cascades'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('member.added', 'Member added'), ('member.role_changed', 'Member role changed'), ('member.removed', 'Member removed'), ('store.integration_token_rotated', 'Integration token rotated'), ('order.protection_extended', 'Buyer protection extended'), ('dispute.opened', 'Dispute opened'), ('dispute.answered', 'Dispute answered'), ('dispute.escalated', 'Dispute escalated to the platform'), ('coupon.created', 'Coupon created'), ('coupon.edited', 'Coupon edited'), ('coupon.activated', 'Coupon activated'), ('coupon.ended', 'Coupon ended'), ('campaign.created', 'Campaign created'), ('campaign.identified', 'Campaign crowd identified'), ('campaign.send_requested', 'Campaign send now'), ('campaign.batch', 'Campaign batch sent'), ('campaign.paused', 'Campaign paused'), ('campaign.auto_paused', 'Campaign paused automatically'), ('campaign.resumed', 'Campaign resumed'), ('campaign.cancelled', 'Campaign cancelled'), ('campaign.done', 'Campaign done'), ('autoreply.updated', 'Auto-reply settings changed'), ('banned_word.added', 'Banned word added'), ('banned_word.edited', 'Banned word edited'), ('banned_word.removed', 'Banned word removed'), ('scenario.edited', 'Official scenario edited')], max_length=40)),
                ('subject_type', models.CharField(blank=True, max_length=40)),
                ('subject_id', models.CharField(blank=True, max_length=64)),
                ('subject_label', models.CharField(blank=True, max_length=200)),
                ('details', models.JSONField(blank=True, default=dict)),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                ('store', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='audit_events', to='seller_desk.store')),
            ],
            options={
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['store', 'created_at'], name='audit_store_time'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['store', 'kind', 'created_at'], name='audit_store_kind_time'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['subject_type', 'subject_id'], name='audit_subject'),
        ),
        migrations.RunPython(order_events_into_audit_log, audit_log_into_order_events),
        migrations.DeleteModel(
            name='OrderEvent',
        ),
    ]

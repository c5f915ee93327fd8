"""The coupon events move into the one audit log, nothing lost."""

from django.db import migrations


def events_into_audit_log(apps, schema_editor):
    Event = apps.get_model("coupons", "CouponEvent")
    AuditEvent = apps.get_model("seller_desk", "AuditEvent")
    rows = []
    for event in Event.objects.select_related("coupon").order_by("id").iterator(chunk_size=2000):
        rows.append(
            AuditEvent(
                store_id=event.store_id,
                actor_id=event.actor_id,
                kind=f"coupon.{event.kind}",
                subject_type="coupon",
                subject_id=str(event.coupon_id),
                subject_label=f"DDWL{event.coupon.name_suffix}"[:200],
                details=event.data,
                created_at=event.created_at,
            )
        )
        if len(rows) >= 2000:
            AuditEvent.objects.bulk_create(rows)
            rows = []
    AuditEvent.objects.bulk_create(rows)


def audit_log_into_events(apps, schema_editor):
    Event = apps.get_model("coupons", "CouponEvent")
    AuditEvent = apps.get_model("seller_desk", "AuditEvent")
    Event.objects.bulk_create(
        Event(
            store_id=e.store_id,
            coupon_id=int(e.subject_id),
            kind=e.kind.split(".", 1)[1],
            actor_id=e.actor_id,
            data=e.details,
            created_at=e.created_at,
        )
        for e in AuditEvent.objects.filter(subject_type="coupon")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("coupons", "0002_code_events_and_limits"),
        ("seller_desk", "0004_audit_log"),
    ]

    operations = [
        migrations.RunPython(events_into_audit_log, audit_log_into_events),
        migrations.DeleteModel(name="CouponEvent"),
    ]

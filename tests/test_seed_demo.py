"""``manage.py seed_demo``: the demo data a seller sees on a fresh ``make run``.

The data is seeded once for the module inside a transaction rolled back at the end.
"""

import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Channel, Conversation, Message, ReplyWait
from demo.services import ADMIN_USERNAME, COUNTRIES, STORES, demo_seed
from seller_desk.models import AuditEvent, Buyer, Dispute, Membership, Order, OrderStatus, Store
from templates_i18n.languages import SUPPORTED_LANGUAGES, normalize_language

FAST = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    now = timezone.now()
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, **FAST), transaction.atomic():
        result = demo_seed(now=now)
        yield result, now
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST["PASSWORD_HASHERS"]


def _snapshot() -> dict:
    return {
        "buyers": sorted(
            Buyer.objects.values_list("store__slug", "external_id", "name", "country", "locale")
        ),
        "orders": sorted(
            Order.objects.values_list("external_id", "status", "amount", "placed_at", "protection_ends_at")
        ),
        "messages": sorted(
            Message.objects.values_list("conversation__channel", "direction", "text", "created_at")
        ),
    }


@pytest.mark.django_db
def test_demo_has_two_stores_of_different_tiers_with_owner_and_two_agents(seeded):
    result, _ = seeded
    stores = {s.slug: s for s in Store.objects.all()}
    assert {s.name: s.tier for s in stores.values()} == {
        "Aurora Electronics": "advanced",
        "Bazaar Home": "basic",
    }
    for spec in STORES:
        roles = Counter(Membership.objects.filter(store__name=spec.name).values_list("role", flat=True))
        assert roles == {"owner": 1, "agent": 2}
    assert get_user_model().objects.get(username=ADMIN_USERNAME).is_staff
    assert len(result.logins) == 7


@pytest.mark.django_db
def test_demo_logins_open_the_inbox_of_their_own_store(seeded):
    result, _ = seeded
    for login in result.logins:
        client = Client()
        assert client.login(username=login.username, password=login.password), login.username
        if login.role == "platform admin":
            continue
        membership = Membership.objects.get(user__username=login.username)
        assert (membership.store.name, membership.role) == (login.store, login.role)
        assert client.get("/inbox/").status_code == 200


@pytest.mark.django_db
def test_demo_buyers_come_from_the_nine_languages_countries_in_their_scripts(seeded):
    buyers = Buyer.objects.all()
    assert 250 <= buyers.count() <= 400
    assert set(buyers.values_list("country", flat=True)) == set(COUNTRIES)
    arabic, hebrew, hangul, cyrillic = "[\u0600-\u06ff]", "[\u0590-\u05ff]", "[\uac00-\ud7af]", "[А-Яа-яЁё]"
    scripts = {"RU": cyrillic, "SA": arabic, "AE": arabic, "EG": arabic, "IL": hebrew, "KR": hangul}
    for country, script in scripts.items():
        for name in buyers.filter(country=country).values_list("name", flat=True):
            assert re.search(script, name), (country, name)
    assert {normalize_language(loc) for loc in buyers.values_list("locale", flat=True)} == set(
        SUPPORTED_LANGUAGES
    )


@pytest.mark.django_db
def test_demo_orders_cover_every_status_with_plausible_dates(seeded):
    _, now = seeded
    for store in Store.objects.all():
        assert set(store.orders.values_list("status", flat=True)) == set(OrderStatus.values), store.name
    for order in Order.objects.all():
        assert order.placed_at < now and order.amount > 0
        shipped = order.status in ("partially_shipped", "in_transit", "delivered", "completed")
        assert (order.shipped_at is not None) == shipped, order.status
        assert (order.delivered_at is not None) == (order.status in ("delivered", "completed"))
        if order.shipped_at:
            assert order.placed_at < order.shipped_at < now
            assert order.protection_ends_at > order.shipped_at
        if order.delivered_at:
            assert order.shipped_at < order.delivered_at < now


@pytest.mark.django_db
def test_demo_conversations_cover_every_channel_and_language_detected_from_the_text(seeded):
    assert set(Conversation.objects.values_list("channel", flat=True)) == set(Channel.values)
    inbound = Message.objects.filter(direction="inbound").select_related("buyer")
    assert {m.language for m in inbound} == set(SUPPORTED_LANGUAGES)
    assert all(m.language == normalize_language(m.buyer.locale) for m in inbound)
    assert Message.objects.filter(direction="inbound").exclude(image="").exists()
    russia = Message.objects.filter(direction="inbound", text__contains="таможне", buyer__country="RU")
    assert russia.exists()
    assert Dispute.objects.exists()
    assert set(
        Conversation.objects.filter(channel="dispute").values_list("dispute__order__store", flat=True)
    ) == set(Store.objects.values_list("id", flat=True))
    assert AuditEvent.objects.filter(kind="order.protection_extended").exists()


@pytest.mark.django_db
def test_demo_inbox_has_a_realistic_30_day_response_picture(seeded):
    _, now = seeded
    assert not Message.objects.filter(created_at__gt=now).exists()
    assert not Message.objects.filter(created_at__lt=now - timedelta(days=31)).exists()
    waits = ReplyWait.objects.all()
    limits = ((1, "<1h"), (4, "1-4h"), (8, "4-8h"), (24, "8-24h"), (float("inf"), ">24h"))
    buckets = Counter()
    for wait in waits.filter(closed_at__isnull=False):
        hours = (wait.closed_at - wait.opened_at).total_seconds() / 3600
        assert hours > 0
        buckets[next(label for limit, label in limits if hours < limit)] += 1
    assert set(buckets) == {"<1h", "1-4h", "4-8h", "8-24h", ">24h"}
    waiting = Conversation.objects.filter(status="needs_reply")
    assert waiting.filter(reply_due_at__lt=now).exists(), "some conversations are overdue"
    assert waiting.filter(reply_due_at__gte=now).exists(), "some are still within 24 hours"
    assert waiting.count() == waits.filter(closed_at__isnull=True).count()
    for conversation in Conversation.objects.all():
        last = conversation.messages.filter(buyer_only=False).order_by("-created_at").first()
        assert conversation.last_message_at == last.created_at
        assert conversation.created_at <= conversation.last_message_at
    for store in Store.objects.all():
        recent = waits.filter(store=store, opened_at__gte=now - timedelta(days=30))
        within_24h = recent.filter(closed_at__lte=F("due_at")).count()
        assert 0.4 < within_24h / recent.count() < 0.95, store.name


@pytest.mark.django_db
def test_seed_demo_again_changes_nothing_and_prints_a_working_integration_token(seeded):
    result, _ = seeded
    before = _snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _snapshot() == before
    text = out.getvalue()
    assert "Aurora Electronics already exists" in text and "Bazaar Home already exists" in text
    for login in result.logins:
        assert login.username in text
    tokens = dict(re.findall(r"^\s+([a-z-]+)\s+(sdi_\S+)$", text, flags=re.M))
    assert set(tokens) == {"aurora-electronics", "bazaar-home"}
    buyer = Buyer.objects.filter(store__slug="aurora-electronics").first()
    url = f"/api/v1/ingress/buyers/{buyer.external_id}/messages"
    fresh, stale = APIClient(), APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['aurora-electronics']}")
    stale.credentials(HTTP_AUTHORIZATION=f"Bearer {result.stores[0].integration_token}")
    assert fresh.get(url).status_code == 200
    assert stale.get(url).status_code == 401


@pytest.mark.django_db
def test_demo_data_is_the_same_every_time_it_is_rebuilt(seeded):
    _, now = seeded
    before = _snapshot()
    demo_seed(now=now, reset=True)
    assert _snapshot() == before


def test_demo_advanced_store_has_an_attachable_coupon_and_auto_reply_on(seeded):
    from autoreply.models import AutoReplySettings, Keyword
    from coupons.selectors import coupon_list_attachable

    aurora = Store.objects.get(tier="advanced")
    settings_row = AutoReplySettings.objects.get(store=aurora)
    assert settings_row.enabled
    assert Keyword.objects.filter(store=aurora).count() == 3
    assert [c.name for c in coupon_list_attachable(store=aurora)] == ["DDWL Winter thanks"]
    assert not AutoReplySettings.objects.filter(store__tier="basic", enabled=True).exists()

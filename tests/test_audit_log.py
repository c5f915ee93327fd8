"""One audit log: every service whose change people ask about later writes one row, and the owner's page
lists the store's rows (with the platform's word-list and scenario edits) filtered by kind, person and date."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from autoreply.selectors import keyword_list
from autoreply.services import autoreply_settings_update
from marketplace.services import dispute_open
from seller_desk.models import AuditEvent, AuditKind, Dispute, Membership
from seller_desk.selectors import store_local_date
from seller_desk.services import (
    disputes_escalate_due,
    member_invite,
    member_remove,
    member_role_change,
    platform_admin_create,
    store_rotate_integration_token,
)
from templates_i18n.services import (
    banned_word_create,
    banned_word_delete,
    banned_word_update,
    official_scenario_update,
)
from tests.factories import events_of, make_member, make_order

pytestmark = pytest.mark.django_db

KEYWORDS = [
    {"keyword": "Is my order shipping?", "reply_type": "text", "text": "Orders ship within 3 days."},
    {"keyword": "Delivery and logistics", "reply_type": "text", "text": "Tracking updates every 2 days."},
    {"keyword": "How to cancel", "reply_type": "text", "text": "Tap Cancel order before it ships."},
]


@pytest.fixture
def owner(store):
    return make_member(store, role="owner", username="olga-owner")


@pytest.fixture
def admin_user(db):
    return platform_admin_create(username="platform-root", password="pass-word-1")


def _open_dispute(store, *, external_id="D-7", opened_days_ago=16):
    now = timezone.now()
    order = make_order(
        store,
        days_ago=40,
        shipped_at=now - timedelta(days=30),
        protection_ends_at=now + timedelta(days=30),
    )
    dispute, created = dispute_open(
        store=store,
        dispute_id=external_id,
        order_id=order.external_id,
        opened_at=now - timedelta(days=opened_days_ago),
        reason="Item not received",
        refund_amount=Decimal("10.00"),
        return_goods=False,
        description="",
    )
    assert created
    return dispute


def test_member_add_role_change_and_removal_each_leave_an_event_with_the_owner(store, owner):
    membership = member_invite(
        store=store, acting_user=owner, username="ana", password="pass-word-1", role="agent"
    )
    member_role_change(store=store, acting_user=owner, membership_id=membership.pk, role="owner")
    member_role_change(store=store, acting_user=owner, membership_id=membership.pk, role="owner")
    member_remove(store=store, acting_user=owner, membership_id=membership.pk)
    rows = list(
        AuditEvent.objects.filter(store=store, kind__startswith="member.", actor=owner).order_by("id")
    )
    assert [(e.kind, e.details) for e in rows] == [
        ("member.added", {"username": "ana", "role": "agent"}),
        ("member.role_changed", {"username": "ana", "from": "agent", "to": "owner"}),
        ("member.removed", {"username": "ana", "role": "owner"}),
    ]
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_refused_role_change_leaves_no_event(store, owner):
    only_owner = Membership.objects.get(user=owner)
    with pytest.raises(Exception, match="at least one owner"):
        member_role_change(store=store, acting_user=owner, membership_id=only_owner.pk, role="agent")
    assert not AuditEvent.objects.filter(kind=AuditKind.MEMBER_ROLE_CHANGED).exists()


def test_autoreply_settings_change_is_audited_once_and_a_save_without_change_is_not(store, owner):
    autoreply_settings_update(
        store=store, acting_user=owner, enabled=True, welcome_text="Welcome!", keywords=KEYWORDS
    )
    saved = [{**k, "id": row.pk} for k, row in zip(KEYWORDS, keyword_list(store=store), strict=True)]
    autoreply_settings_update(
        store=store, acting_user=owner, enabled=True, welcome_text="Welcome!", keywords=saved
    )
    autoreply_settings_update(
        store=store, acting_user=owner, enabled=False, welcome_text="Welcome!", keywords=saved
    )
    rows = list(AuditEvent.objects.filter(store=store, kind=AuditKind.AUTOREPLY_UPDATED).order_by("id"))
    assert len(rows) == 2
    assert rows[0].details["enabled"] == [False, True]
    assert rows[0].details["keywords"] == [k["keyword"] for k in KEYWORDS]
    assert rows[1].details == {"enabled": [True, False]}
    assert {r.actor for r in rows} == {owner}


def test_banned_word_edits_are_platform_events_with_the_admin(admin_user):
    word = banned_word_create(acting_user=admin_user, term="calamity", suggestion="delay")
    banned_word_update(acting_user=admin_user, banned_word=word, suggestion="hold-up")
    banned_word_update(acting_user=admin_user, banned_word=word, suggestion="hold-up")
    banned_word_delete(acting_user=admin_user, banned_word=word)
    rows = list(AuditEvent.objects.filter(kind__startswith="banned_word.").order_by("id"))
    assert [r.kind for r in rows] == ["banned_word.added", "banned_word.edited", "banned_word.removed"]
    assert all(r.store_id is None and r.actor == admin_user for r in rows)
    assert rows[1].details == {"changes": {"suggestion": ["delay", "hold-up"]}}
    assert rows[2].details["term"] == "calamity"


def test_official_scenario_edit_records_the_changed_language_only(admin_user):
    official_scenario_update(
        acting_user=admin_user, code="order_eta", texts={"en": "New English text {days}."}
    )
    official_scenario_update(
        acting_user=admin_user, code="order_eta", texts={"en": "New English text {days}."}
    )
    rows = list(AuditEvent.objects.filter(kind=AuditKind.SCENARIO_EDITED))
    assert len(rows) == 1
    changes = rows[0].details["changes"]
    assert list(changes) == ["text.en"]
    assert changes["text.en"][1] == "New English text {days}."
    assert rows[0].store_id is None and rows[0].subject_label == "order_eta"


def test_escalation_writes_one_event_per_dispute_and_running_twice_adds_none(store):
    due = _open_dispute(store, external_id="D-due", opened_days_ago=16)
    fresh = _open_dispute(store, external_id="D-fresh", opened_days_ago=3)
    assert disputes_escalate_due() == 1
    assert disputes_escalate_due() == 0
    rows = list(AuditEvent.objects.filter(kind=AuditKind.DISPUTE_ESCALATED))
    assert [(r.store_id, r.subject_id, r.details["dispute_id"]) for r in rows] == [
        (store.pk, str(due.order_id), "D-due")
    ]
    assert Dispute.objects.get(pk=fresh.pk).status == "open"
    assert events_of(due.order).filter(kind=AuditKind.DISPUTE_OPENED).count() == 1


def test_integration_token_rotation_is_audited(store, owner):
    store_rotate_integration_token(store=store, acting_user=owner)
    event = AuditEvent.objects.get(kind=AuditKind.INTEGRATION_TOKEN_ROTATED)
    assert (event.store_id, event.actor, event.subject_type) == (store.pk, owner, "store")


def _page(user, **params):
    client = Client()
    client.force_login(user)
    return client.get("/audit/", params)


def test_audit_page_lists_own_and_platform_events_never_another_stores(store, other_store, owner, admin_user):
    other_owner = make_member(other_store, role="owner")
    member_invite(store=store, acting_user=owner, username="mine", password="pass-word-1", role="agent")
    member_invite(
        store=other_store, acting_user=other_owner, username="theirs", password="pass-word-1", role="agent"
    )
    banned_word_create(acting_user=admin_user, term="calamity", suggestion="delay")
    r = _page(owner)
    assert r.status_code == 200
    body = r.content.decode()
    assert "mine" in body and "calamity" in body
    assert "theirs" not in body
    assert 'data-kind="banned_word.added"' in body


def test_audit_page_filters_by_kind_group_person_and_store_local_date(store, owner):
    second_owner = make_member(store, role="owner", username="second-owner")
    member_invite(store=store, acting_user=owner, username="by-first", password="pass-word-1", role="agent")
    member_invite(
        store=store, acting_user=second_owner, username="by-second", password="pass-word-1", role="agent"
    )
    store_rotate_integration_token(store=store, acting_user=owner)
    old = AuditEvent.objects.get(details__username="by-second")
    old.created_at = timezone.now() - timedelta(days=10)
    old.save(update_fields=["created_at"])

    only_members = _page(owner, kind="member.*").content.decode()
    assert "by-first" in only_members and "by-second" in only_members
    assert 'data-kind="store.integration_token_rotated"' not in only_members
    by_second = _page(owner, actor=second_owner.pk).content.decode()
    assert "by-second" in by_second and "by-first" not in by_second
    today = store_local_date(store).isoformat()
    recent = _page(owner, since=today, until=today).content.decode()
    assert "by-first" in recent and "by-second" not in recent


@pytest.mark.parametrize(
    "params, field, phrase",
    [
        ({"since": "2026-13-40"}, "From", "is not a date"),
        ({"since": "2026-12-02", "until": "2026-11-01"}, "To", "before the start date"),
        ({"kind": "coupon.stolen"}, "Kind", "Pick a kind"),
    ],
)
def test_audit_page_bad_filters_answer_400_naming_the_field(store, owner, params, field, phrase):
    """The field is named by its label on the page ("From"), never by its parameter ("since")."""
    r = _page(owner, **params)
    assert r.status_code == 400
    body = r.content.decode()
    assert f"{field}: " in body and phrase in body
    assert f"{next(iter(params))}: " not in body


def test_agents_cannot_read_the_audit_log(store):
    agent = make_member(store, role="agent")
    assert _page(agent).status_code == 403


def test_audit_page_query_count_does_not_grow_with_events(store, owner):
    client = Client()
    client.force_login(owner)

    def queries_with(total: int) -> int:
        while AuditEvent.objects.filter(store=store, kind=AuditKind.MEMBER_ADDED).count() < total:
            n = AuditEvent.objects.count()
            member_invite(
                store=store, acting_user=owner, username=f"m{n}", password="pass-word-1", role="agent"
            )
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/audit/").status_code == 200
        return len(ctx.captured_queries)

    assert queries_with(5) == queries_with(40)

"""Issue 11 on the audit page: every detail key the code writes has a human, translated label (never a raw
``assignee_id``), kind names are translated, and the team inbox's assign / unassign / resolve / snooze and the
buyer's reopening are audited like blocks (issue 10)."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone, translation

from conversations.services import (
    buyer_block,
    buyer_unblock,
    conversation_assign,
    conversation_resolve,
    conversation_snooze,
    conversations_bulk_apply,
)
from coupons.services import EDITABLE_FIELDS
from seller_desk.audit_display import AUTOREPLY_PAIRS, DETAIL_LABELS, detail_label, detail_lines
from seller_desk.models import AuditEvent, AuditKind
from seller_desk.services import audit_log
from tests.factories import make_inbound, make_member

ROOT = Path(__file__).resolve().parents[1]
APPS = ["seller_desk", "conversations", "coupons", "campaigns", "autoreply", "marketplace", "templates_i18n"]


def _audit_calls():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for func in ast.walk(tree):
                if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                assigned = {
                    t.id: node.value
                    for node in ast.walk(func)
                    if isinstance(node, ast.Assign)
                    for t in node.targets
                    if isinstance(t, ast.Name)
                }
                for call in ast.walk(func):
                    if (
                        isinstance(call, ast.Call)
                        and getattr(call.func, "id", "") in ("audit_log", "audit_log_many", "AuditEvent")
                        and call.func.id != func.name
                    ):
                        yield path, call, assigned


def _literal_keys(node, assigned, seen=None) -> set[str]:
    """String keys of the dict literals ``node`` is made of: nested dicts, ``**name`` and ``"key": name``
    where ``name`` holds a dict built in the same function, and comprehensions' dicts."""
    seen = seen if seen is not None else set()
    if isinstance(node, ast.Name):
        if node.id in assigned and node.id not in seen:
            seen.add(node.id)
            return _literal_keys(assigned[node.id], assigned, seen)
        return set()
    keys = set()
    if isinstance(node, ast.Dict):
        keys |= {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        for value in node.values:
            keys |= _literal_keys(value, assigned, seen)
    elif isinstance(node, (ast.Lambda, ast.IfExp, ast.BinOp)):
        for child in ast.iter_child_nodes(node):
            keys |= _literal_keys(child, assigned, seen)
    return keys


def test_every_detail_key_the_code_writes_has_a_label():
    written: set[str] = set()
    calls = 0
    for _path, call, assigned in _audit_calls():
        calls += 1
        for kw in call.keywords:
            if kw.arg in ("details", "details_of"):
                written |= _literal_keys(kw.value, assigned)
    # keys built from field lists rather than written as literals
    written |= set(EDITABLE_FIELDS) | {"status"}  # coupons: created (cleaned fields) and edited (changes)
    written |= AUTOREPLY_PAIRS | {"keywords"}  # autoreply: field: [old, new]
    written |= {"sent", "pending", "skipped", "failed"}  # campaigns: done (campaign_counts)
    written |= {
        "term",
        "language",
        "suggestion",
        "match",
        "title",
        "order_statuses",
    }  # banned words, scenarios
    assert calls >= 25, "the audit_log calls were not found"
    assert {
        "assignee",
        "reason",
        "evidence",
        "dispute_id",
        "attempts",
        "signed",
        "until",
        "was",
        "escalates_at",
    } <= written
    assert sorted(written - set(DETAIL_LABELS) - {"from", "to"}) == []


def test_labels_are_translated_and_language_versions_name_the_language():
    with translation.override("en"):
        english = {key: str(label) for key, label in DETAIL_LABELS.items()}
    with translation.override("zh-hans"):
        assert sorted(key for key, label in DETAIL_LABELS.items() if str(label) == english[key]) == []
        assert detail_label("reason") == "原因"
        assert detail_label("text.ru") == "文字（俄语）"
    with translation.override("en"):
        assert detail_label("assignee") == "Assignee"
        assert detail_label("text.ru") == "Text (Russian)"


def test_detail_lines_read_as_sentences_not_keys():
    with translation.override("en"):
        assert detail_lines({"dispute_id": "D-7", "reason": "Item not received", "evidence": 2}) == [
            "Dispute: D-7",
            "Reason: Item not received",
            "Evidence items: 2",
        ]
        assert detail_lines(
            {"enabled": [False, True], "welcome_texts": [{"ru": "a"}, {"ru": "b", "en": "c"}]}
        ) == [
            "Auto-reply on: no → yes",
            "Welcome message versions · Russian: a → b",
            "Welcome message versions · English: — → c",
        ]
        assert detail_lines(
            {
                "before": {"endpoint": "http://a", "signed": False},
                "after": {"endpoint": "http://a", "signed": True},
            }
        ) == ["Signed requests: no → yes"]
        assert detail_lines({"username": "li", "from": "agent", "to": "owner"}) == [
            "Agent → Owner",
            "Username: li",
        ]


@pytest.mark.django_db
def test_the_audit_page_in_chinese_shows_labels_and_kind_names(store):
    owner = make_member(store, role="owner", username="olga-owner")
    agent = make_member(store, role="agent", username="wang")
    conversation = make_inbound(store, text="Where is my order?").conversation
    conversation_assign(conversation=conversation, assignee_id=agent.pk, acting_user=owner)
    audit_log(
        store=store,
        kind=AuditKind.DISPUTE_OPENED,
        subject=conversation,
        details={"dispute_id": "D-7", "reason": "Item not received", "evidence": 2},
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(owner)

    body = client.get("/audit/").content.decode()

    cells = body.split('id="audit-events"', 1)[1]
    assert "会话已分配" in cells and "发起纠纷" in cells  # kind names
    assert "处理人：wang" in cells and "原因：Item not received" in cells and "证据数量：2" in cells
    for raw in ("dispute_id", "evidence:", "reason:", "assignee:", "previous_assignee"):
        assert raw not in cells


@pytest.mark.django_db
def test_assign_unassign_resolve_snooze_and_the_buyers_reopening_are_audited(store):
    owner = make_member(store, role="owner", username="olga-owner")
    agent = make_member(store, role="agent", username="wang")
    conversation = make_inbound(store, text="Where is my order?").conversation

    conversation_assign(conversation=conversation, assignee_id=agent.pk, acting_user=owner)
    conversation_assign(conversation=conversation, assignee_id=agent.pk, acting_user=owner)  # no change
    conversation_assign(conversation=conversation, assignee_id=None, acting_user=agent)
    until = timezone.now() + timedelta(hours=3)
    conversation_snooze(conversation=conversation, until=until, acting_user=agent)
    conversation_resolve(conversation=conversation, acting_user=owner)
    make_inbound(store, buyer=conversation.buyer, text="Still waiting")
    buyer_block(store=store, buyer=conversation.buyer, acting_user=owner, reason="spam")
    buyer_unblock(store=store, buyer=conversation.buyer, acting_user=owner)

    rows = list(AuditEvent.objects.filter(store=store).exclude(kind=AuditKind.MEMBER_ADDED).order_by("id"))
    assert [(r.kind, r.actor and r.actor.username) for r in rows] == [
        (AuditKind.CONVERSATION_ASSIGNED, "olga-owner"),
        (AuditKind.CONVERSATION_UNASSIGNED, "wang"),
        (AuditKind.CONVERSATION_SNOOZED, "wang"),
        (AuditKind.CONVERSATION_RESOLVED, "olga-owner"),
        (AuditKind.CONVERSATION_REOPENED, None),
        (AuditKind.BUYER_BLOCKED, "olga-owner"),
        (AuditKind.BUYER_UNBLOCKED, "olga-owner"),
    ]
    assigned, unassigned, snoozed, resolved, reopened = rows[:5]
    assert assigned.details == {"assignee": "wang", "previous_assignee": ""}
    assert unassigned.details == {"assignee": "", "previous_assignee": "wang"}
    assert snoozed.details == {"until": until.isoformat()}
    assert resolved.details == {"was": "snoozed"}
    assert reopened.details == {"was": "resolved"}
    assert {r.subject_type for r in rows[:5]} == {"conversation"}
    assert all(r.subject_id == str(conversation.pk) for r in rows[:5])


@pytest.mark.django_db
def test_bulk_actions_write_one_row_per_changed_conversation_in_constant_queries(store):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = make_member(store, role="owner", username="olga-owner")
    agent = make_member(store, role="agent", username="wang")

    def bulk(n: int, action: str, **values) -> int:
        ids = [make_inbound(store, text=f"hello {i}").conversation.pk for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            conversations_bulk_apply(
                store=store, conversation_ids=ids, action=action, acting_user=owner, values=values
            )
        assert AuditEvent.objects.filter(subject_id__in=[str(i) for i in ids], actor=owner).count() == n
        return len(ctx.captured_queries)

    assert bulk(2, "assign", assignee_id=agent.pk) == bulk(6, "assign", assignee_id=agent.pk)
    assert bulk(2, "resolve") == bulk(6, "resolve")
    until = timezone.now() + timedelta(days=1)
    assert bulk(2, "snooze", until=until) == bulk(6, "snooze", until=until)


def test_dates_and_times_in_details_use_the_interface_format():
    with translation.override("zh-hans"):
        assert detail_lines({"changes": {"valid_until": ["2026-12-01", "2026-12-31"]}}) == [
            "有效期至：2026年12月1日 → 2026年12月31日"
        ]


def test_codes_of_closed_lists_read_as_their_names():
    with translation.override("en"):
        lines = detail_lines({"dispute_id": "D-7", "action": "reject", "from": "open", "to": "rejected"})
        assert lines == [
            "Open → Seller rejected with evidence",
            "Dispute: D-7",
            "Answer: Reject with evidence",
        ]
        assert detail_lines(
            {"changes": {"order_statuses": [["delivered"], ["delivered", "in_transit"]]}}
        ) == ["Order statuses: Delivered → Delivered, In transit"]


def test_values_that_are_codes_or_right_to_left_read_right():
    with translation.override("zh-hans"):
        assert detail_lines({"status": "active", "by": "bootstrap command"}) == [
            "状态：生效中",
            "操作人：初始化命令",
        ]
        (line,) = detail_lines({"welcome_text": "أهلًا بك"})
        assert line == "欢迎语：\u2068أهلًا بك\u2069"  # isolated: the Arabic can't pull the label over

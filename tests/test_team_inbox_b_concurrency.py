"""Issue 10, part B under contention on PostgreSQL: agents blocking the same buyer at once leave one block and one
audit event; parallel draft saves of one agent leave one draft (the last write)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from conversations.models import BuyerBlock, Conversation, Draft
from conversations.services import buyer_block, draft_save
from seller_desk.models import AuditEvent, AuditKind, Buyer
from tests.factories import make_inbound, make_member, make_store

WORKERS = 8


def _in_parallel(fn, n: int) -> list:
    go = threading.Event()

    def run(i):
        try:
            go.wait(timeout=30)
            return fn(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(run, i) for i in range(n)]
        go.set()
        return [f.result(timeout=60) for f in futures]


@pytest.mark.django_db(transaction=True)
def test_agents_blocking_one_buyer_at_once_leave_one_block_and_one_audit_event(require_postgres):
    store = make_store(name="Busy Store")
    agents = [make_member(store, role="agent") for _ in range(WORKERS)]
    buyer_id = make_inbound(store, text="SPAM SPAM").conversation.buyer_id

    def block(i):
        return buyer_block(store=store, buyer=Buyer.objects.get(pk=buyer_id), acting_user=agents[i]).pk

    ids = _in_parallel(block, WORKERS)
    assert len(set(ids)) == 1
    assert BuyerBlock.objects.filter(buyer_id=buyer_id, ended_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(store=store, kind=AuditKind.BUYER_BLOCKED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_draft_saves_keep_one_draft_per_agent_and_conversation(require_postgres):
    store = make_store(name="Typing Store")
    agent = make_member(store, role="agent")
    conversation_id = make_inbound(store, text="Where is it?").conversation.pk

    def save(i):
        draft_save(
            conversation=Conversation.objects.get(pk=conversation_id), acting_user=agent, text=f"version {i}"
        )
        return i

    _in_parallel(save, WORKERS)
    drafts = list(
        Draft.objects.filter(conversation_id=conversation_id, user=agent).values_list("text", flat=True)
    )
    assert len(drafts) == 1
    assert drafts[0] in {f"version {i}" for i in range(WORKERS)}

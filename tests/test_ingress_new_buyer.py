"""A new buyer's first message in one statement per row (issue 14): the buyer's upsert and the conversation's insert
on PostgreSQL, as the ORM's get-or-create would have stored them, also when requests race."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from conversations.models import Conversation, Message
from marketplace.services import message_ingest
from seller_desk.models import Buyer, Store
from seller_desk.services import buyer_upsert
from seller_desk.writes import buyer_upsert_one, insert_unless_conflict
from tests.factories import make_buyer, make_store

pytestmark = pytest.mark.postgres

RACERS = 12


def _row_version(buyer: Buyer) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM seller_desk_buyer WHERE id = %s", [buyer.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_new_buyer_is_stored_as_the_orm_would_and_returned_whole(require_postgres, store):
    before = timezone.now()
    buyer = buyer_upsert_one(
        store=store, external_id="nb-1", fields={"name": "Ana", "country": "ES", "locale": "es_ES"}
    )
    stored = Buyer.objects.get(store=store, external_id="nb-1")
    assert buyer.pk == stored.pk and not buyer._state.adding
    for field in ("store_id", "external_id", "name", "country", "locale", "created_at"):
        assert getattr(buyer, field) == getattr(stored, field), field
    assert stored.created_at >= before


@pytest.mark.django_db
def test_an_unchanged_buyer_is_read_not_rewritten(require_postgres, store):
    known = make_buyer(store, name="Ivan", country="RU", locale="ru_RU")
    version = _row_version(known)
    buyer = buyer_upsert_one(
        store=store,
        external_id=known.external_id,
        fields={"name": "Ivan", "country": "RU", "locale": "ru_RU"},
    )
    assert (buyer.pk, buyer.name, buyer.created_at) == (known.pk, "Ivan", known.created_at)
    assert _row_version(known) == version  # no new row version: nothing was written
    assert Buyer.objects.filter(store=store).count() == 1


@pytest.mark.django_db
def test_a_changed_buyer_gets_only_the_fields_sent(require_postgres, store):
    known = make_buyer(store, name="Ivan", country="RU", locale="ru_RU")
    buyer = buyer_upsert(store=store, buyer={"buyer_id": known.external_id, "country": "kz"})
    stored = Buyer.objects.get(pk=known.pk)
    assert (stored.name, stored.country, stored.locale) == ("Ivan", "KZ", "ru_RU")
    assert (buyer.pk, buyer.name, buyer.country, buyer.locale) == (known.pk, "Ivan", "KZ", "ru_RU")
    assert buyer.created_at == known.created_at


@pytest.mark.django_db
def test_a_buyer_with_no_fields_sent_is_created_empty_or_read(require_postgres, store):
    known = make_buyer(store, name="Ivan")
    assert buyer_upsert_one(store=store, external_id=known.external_id, fields={}).name == "Ivan"
    fresh = buyer_upsert_one(store=store, external_id="nb-empty", fields={})
    assert (fresh.name, fresh.country, fresh.locale) == ("", "", "")
    assert Buyer.objects.filter(store=store).count() == 2


@pytest.mark.django_db
def test_the_same_marketplace_id_in_another_store_is_another_buyer(require_postgres, store):
    other = make_store(name="Other Store")
    mine = buyer_upsert_one(store=store, external_id="shared-id", fields={"name": "Mine"})
    theirs = buyer_upsert_one(store=other, external_id="shared-id", fields={"name": "Theirs"})
    assert mine.pk != theirs.pk
    assert Buyer.objects.get(pk=mine.pk).name == "Mine"


@pytest.mark.django_db
def test_a_conversation_already_there_is_not_inserted_twice(require_postgres, store):
    buyer = make_buyer(store)
    lookup = {"store": store, "buyer": buyer, "order": None, "channel": "chat"}
    first = Conversation(**lookup)
    assert insert_unless_conflict(first) is True
    assert Conversation.objects.get(pk=first.pk).created_at == first.created_at
    again = Conversation(**lookup)
    assert insert_unless_conflict(again) is False
    assert again.pk is None and again._state.adding
    assert Conversation.objects.filter(store=store, buyer=buyer).count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_first_messages_of_one_new_buyer_make_one_buyer_and_one_conversation(require_postgres):
    """Every racer's buyer upsert and conversation insert meet the others' in the unique indexes: each waits,
    then reads the winner's rows; no request fails, nothing is stored twice."""
    store = make_store(name="Racing Store")
    start = threading.Barrier(RACERS, timeout=30)
    now = timezone.now()

    def ingest(n: int) -> int:
        try:
            racer_store = Store.objects.get(pk=store.pk)
            start.wait()
            result = message_ingest(
                store=racer_store,
                message_id=f"first-{n}",
                buyer={"buyer_id": "brand-new", "name": "Zoë", "country": "fr", "locale": "fr_FR"},
                channel="chat",
                text=f"Bonjour, où est ma commande ? ({n})",
                sent_at=now,
            )
            return result.conversation.pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        conversations = set(pool.map(ingest, range(RACERS)))

    buyer = Buyer.objects.get(store=store, external_id="brand-new")
    assert (buyer.name, buyer.country, buyer.locale) == ("Zoë", "FR", "fr_FR")
    assert conversations == set(Conversation.objects.filter(store=store).values_list("pk", flat=True))
    assert len(conversations) == 1
    messages = Message.objects.filter(store=store, direction="inbound")
    assert messages.count() == RACERS
    assert set(messages.values_list("buyer_id", flat=True)) == {buyer.pk}
    conversation = Conversation.objects.get(pk=conversations.pop())
    assert conversation.status == "needs_reply" and conversation.waiting_since is not None

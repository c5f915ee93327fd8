"""Reads compiled once per process (``seller_desk.prepared.PreparedRead``, issue 14): each call binds its own
arguments, and a query that would keep a time of its own in the compiled SQL is refused."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations.models import Conversation
from conversations.selectors import queue_rows, thread_payload
from seller_desk.prepared import PreparedRead
from tests.factories import make_inbound

pytestmark = pytest.mark.django_db


def test_each_call_binds_its_own_store_and_conversation(store, other_store):
    mine = make_inbound(store, text="Where is my parcel?").conversation
    theirs = make_inbound(other_store, text="Gdzie jest paczka?").conversation
    for owner, conversation in ((store, mine), (other_store, theirs), (store, mine)):
        rows, _ = queue_rows(store=owner, limit=50)
        assert [row["id"] for row in rows] == [conversation.pk]
        assert thread_payload(store=owner, conversation_id=conversation.pk)["id"] == conversation.pk
    with pytest.raises(Exception, match="No conversation"):
        thread_payload(store=other_store, conversation_id=mine.pk)


def test_the_first_page_is_one_query_and_reads_the_time_of_each_call(store):
    conversation = make_inbound(store, text="Where is my parcel?").conversation
    Conversation.objects.filter(pk=conversation.pk).update(
        inbox_state="snoozed", snoozed_until=timezone.now() + timedelta(minutes=10)
    )
    assert queue_rows(store=store)[0] == []  # snoozed: not open
    Conversation.objects.filter(pk=conversation.pk).update(
        snoozed_until=timezone.now() - timedelta(minutes=1)
    )
    with CaptureQueriesContext(connection) as captured:
        rows, _ = queue_rows(store=store)
    assert [row["id"] for row in rows] == [conversation.pk] and rows[0]["status"] == "open"
    assert len(captured) == 1


def test_a_time_read_while_building_is_refused():
    read = PreparedRead(
        lambda store_id: Conversation.objects.filter(
            store_id=store_id, snoozed_until__lte=timezone.now()
        ).values("id"),
        int,
    )
    with pytest.raises(ValueError, match="not an argument"):
        read(1)


def test_a_time_given_as_an_argument_is_bound_per_call(store):
    conversation = make_inbound(store, text="Where is my parcel?").conversation
    read = PreparedRead(
        lambda store_id, since: Conversation.objects.filter(
            store_id=store_id, last_message_at__gte=since
        ).values("id"),
        int,
        datetime,
    )
    assert read(store.pk, conversation.last_message_at - timedelta(seconds=1)) == [{"id": conversation.pk}]
    assert read(store.pk, conversation.last_message_at + timedelta(seconds=1)) == []


def _server_statements() -> dict[str, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'sd_read_%%'"
        )
        return {name: (generic, custom) for name, generic, custom in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_read_is_prepared_once_per_connection_on_a_generic_plan(require_postgres, store):
    conversation = make_inbound(store, text="Where is my parcel?").conversation
    connection.close()
    for _ in range(3):
        assert [row["id"] for row in queue_rows(store=store)[0]] == [conversation.pk]
        assert thread_payload(store=store, conversation_id=conversation.pk)["id"] == conversation.pk
    statements = _server_statements()
    assert len(statements) == 4  # the first page, the thread's row, its messages, its notes
    assert all(generic == 3 and custom == 0 for generic, custom in statements.values()), statements
    connection.close()  # a new connection has none: each read prepares itself again
    assert [row["id"] for row in queue_rows(store=store)[0]] == [conversation.pk]
    assert list(_server_statements().values()) == [(1, 0)]


def test_a_literal_percent_sign_survives_the_prepared_statement(require_postgres, store):
    conversation = make_inbound(store, text="Where is my parcel?").conversation
    read = PreparedRead(
        lambda conversation_id: (
            Conversation.objects.filter(pk=conversation_id)
            .annotate(share=RawSQL("'100%%'", ()))
            .values("id", "share")
        ),
        int,
    )
    assert read(conversation.pk) == read(conversation.pk) == [{"id": conversation.pk, "share": "100%"}]


@pytest.mark.django_db(transaction=True)
def test_with_server_preparing_off_no_statement_is_kept(require_postgres, store, settings):
    settings.DB_SERVER_PREPARED = False
    conversation = make_inbound(store, text="Where is my parcel?").conversation
    connection.close()
    assert [row["id"] for row in queue_rows(store=store)[0]] == [conversation.pk]
    assert _server_statements() == {}

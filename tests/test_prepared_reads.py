"""Reads compiled once per process (``seller_desk.prepared.PreparedRead``, issue 14): each call binds its own
arguments, and a query that would keep a time of its own in the compiled SQL is refused."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations.models import Conversation
from conversations.selectors import _output_zone, queue_rows, thread_payload
from seller_desk.prepared import PreparedRead, any_of, iso_time, moment
from tests.factories import make_inbound, make_order

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
    # The first page's versions, the thread's row, its messages, its notes: three times each; the page's row once
    # (by its id, the first time: then it is kept, seller_desk.row_versions).
    assert sorted(statements.values()) == [(1, 0)] + [(3, 0)] * 4, statements
    connection.close()  # a new connection has none: each read prepares itself again
    assert [row["id"] for row in queue_rows(store=store)[0]] == [conversation.pk]
    assert list(_server_statements().values()) == [(1, 0)]


@pytest.mark.django_db(transaction=True)
def test_a_list_of_ids_is_one_array_parameter_of_one_statement(require_postgres, store):
    ids = [make_inbound(store, text=f"Where is parcel {n}?").conversation.pk for n in range(3)]
    read = PreparedRead(
        lambda pks: Conversation.objects.filter(any_of(pks)).order_by("id").values("id"), list
    )
    connection.close()
    for some in ([ids[0]], ids, ids[1:], [ids[2], -1]):
        assert [row["id"] for row in read(some)] == sorted(pk for pk in some if pk in ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT parameter_types::text[], generic_plans FROM pg_prepared_statements")
        assert cursor.fetchall() == [(["bigint[]"], 4)]


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
def test_the_querys_constants_are_prepared_in_and_each_argument_is_sent_once(require_postgres, store):
    """The queue page's SQL names the store, now and the near-deadline end twice each, and eight constants (its
    statuses and a flag): the statement takes the three arguments alone, and a constant holding a percent
    sign or a quote is written into it as it was."""
    make_inbound(store, text="Where is my parcel?")
    connection.close()
    queue_rows(store=store)
    with connection.cursor() as cursor:
        cursor.execute("SELECT parameter_types::text[], statement FROM pg_prepared_statements")
        prepared = cursor.fetchall()
    # The page's ordered read (the rows it had not built are read by their ids, one array, in a second statement;
    # the view lists the statements in no fixed order).
    [(types, statement)] = [
        (types, statement) for types, statement in prepared if "'needs_reply'" in statement
    ]
    assert types == ["bigint", "timestamp with time zone", "timestamp with time zone"]
    assert "$3" in statement and "$4" not in statement
    conversation = make_inbound(store, text="¿Dónde está?").conversation
    read = PreparedRead(
        lambda conversation_id, text: Conversation.objects.filter(
            pk=conversation_id, buyer__name__in=["O'Hara 100%", text]
        ).values("id"),
        int,
        str,
    )
    conversation.buyer.name = "O'Hara 100%"
    conversation.buyer.save(update_fields=["name"])
    assert read(conversation.pk, "nobody") == read(conversation.pk, "x") == [{"id": conversation.pk}]
    assert read(conversation.pk + 10_000, "nobody") == []


@pytest.mark.django_db(transaction=True)
def test_with_server_preparing_off_no_statement_is_kept(require_postgres, store, settings):
    settings.DB_SERVER_PREPARED = False
    conversation = make_inbound(store, text="Where is my parcel?").conversation
    connection.close()
    assert [row["id"] for row in queue_rows(store=store)[0]] == [conversation.pk]
    assert _server_statements() == {}


_FRACTIONS = (0, 1, 10, 120, 100_000, 120_000, 123_400, 123_456, 999_999)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/Sao_Paulo"])
def test_times_read_as_postgresql_text_are_written_as_drf_writes_them(require_postgres, store, zone):
    """Every fraction PostgreSQL shortens (trailing zeros dropped, none at all) comes out as DRF's
    ``DateTimeField`` writes the same time, in UTC without parsing and in any other zone through it."""
    from rest_framework.fields import DateTimeField

    conversation = make_inbound(store, text="Where is my parcel?").conversation
    read = PreparedRead(
        lambda conversation_id: Conversation.objects.filter(pk=conversation_id).values("last_message_at"),
        int,
        times_as_text=True,
    )
    with timezone.override(zone):
        for micros in _FRACTIONS:
            moment_written = datetime(2026, 12, 4, 9, 30, 5, micros, tzinfo=UTC)
            Conversation.objects.filter(pk=conversation.pk).update(last_message_at=moment_written)
            text = read(conversation.pk)[0]["last_message_at"]
            assert isinstance(text, str) and text.endswith("+00")
            assert moment(text) == moment_written
            drf = DateTimeField().to_representation(moment_written)
            assert iso_time(text, _output_zone()) == drf == iso_time(moment_written, _output_zone())


def test_a_time_in_no_utc_text_is_parsed_not_rewritten():
    assert iso_time("2026-12-04 17:30:05.5+08", UTC) == "2026-12-04T09:30:05.500000Z"
    assert iso_time(None, UTC) is None and moment(None) is None


def test_the_queue_and_thread_rows_are_the_same_with_times_as_text(require_postgres, store):
    from conversations import selectors

    first = make_inbound(
        store,
        order=make_order(store, status="delivered", delivered_at=timezone.now()),
        text="Where is my parcel?",
    ).conversation
    make_inbound(store, order=make_order(store), text="¿Dónde está mi pedido?")
    Conversation.objects.filter(pk=first.pk).update(
        dispute_escalates_at=timezone.now() + timedelta(hours=5),
        snoozed_until=timezone.now() - timedelta(minutes=1),
        inbox_state="snoozed",
    )
    reads = [
        selectors._PAGE_ROWS,
        selectors._needs_reply_first_page(1)[1],
        selectors._THREAD_ROW,
        selectors._THREAD_MESSAGES,
        selectors._THREAD_NOTES,
    ]

    def pages():
        first_page = queue_rows(store=store, limit=1)
        return (
            first_page,
            queue_rows(store=store, limit=1, cursor=first_page[1]),
            thread_payload(store=store, conversation_id=first.pk),
        )

    try:
        for read in reads:
            read._times_as_text = False
        as_datetimes = pages()
    finally:
        for read in reads:
            read._times_as_text = True
    as_text = pages()
    assert as_text == as_datetimes
    assert as_text[0][0][0]["id"] == first.pk and as_text[0][0][0]["status"] == "open"  # the head, shown open
    assert as_text[0][1].startswith("d")


@pytest.mark.parametrize(
    "value", ["77.00", "-5.00", "0.00", "0E-2", "7.5", "1.234", "1E+2", "9999999999.99", "12", 5, 5.25]
)
def test_amounts_are_written_as_drf_writes_them(value):
    from decimal import Decimal

    from rest_framework.serializers import DecimalField

    from conversations.selectors import _amount

    amount = Decimal(value) if isinstance(value, str) else value
    drf = DecimalField(max_digits=12, decimal_places=2).to_representation(amount)
    assert _amount(amount) == drf

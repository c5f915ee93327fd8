"""The seller API's queue pages keep each built row while PostgreSQL's row versions of it stay the same
(``seller_desk.row_versions``, issue 14): an unchanged page is one query and the same bytes, and every change to
what a row shows — the conversation, its buyer, its order, its assignee, its tags, by the ORM, ``update()`` or
another connection's SQL — is on the next page, as a page built without kept rows shows it."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations import selectors
from conversations.models import Conversation, ConversationTag, Tag
from conversations.selectors import queue_rows
from seller_desk.models import Buyer, Order
from seller_desk.row_versions import KEPT_SECONDS
from tests.conftest import other_connection_runs
from tests.factories import make_inbound, make_member, make_order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_rows_kept_before_or_after():
    selectors._BUILT_ROWS.clear()
    yield
    selectors._BUILT_ROWS.clear()


@pytest.fixture
def page_of_three(require_postgres, store):
    """Three conversations needing a reply: one with an order and two tags, one assigned, one bare."""
    agent = make_member(store, username="lena")
    first = make_inbound(
        store, order=make_order(store, status="shipped"), text="Where is my parcel?"
    ).conversation
    second = make_inbound(store, text="¿Dónde está mi pedido?").conversation
    make_inbound(store, text="Où est ma commande ?")
    for name in ("vip", "refund"):
        ConversationTag.objects.create(
            store=store, conversation=first, tag=Tag.objects.create(store=store, name=name)
        )
    Conversation.objects.filter(pk=second.pk).update(assignee=agent)
    return store, first, second, agent


def _page(store, **params):
    with CaptureQueriesContext(connection) as captured:
        page = queue_rows(store=store, **params)
    return page, len(captured)


def _built_afresh(store, settings, **params):
    settings.QUEUE_ROW_CACHE = 0
    try:
        return queue_rows(store=store, **params)
    finally:
        settings.QUEUE_ROW_CACHE = 5000


def _row(page, conversation_id: int) -> dict:
    return next(row for row in page[0] if row["id"] == conversation_id)


def test_an_unchanged_page_is_one_query_and_the_page_built_afresh(page_of_three, settings):
    store = page_of_three[0]
    settings.QUEUE_ROW_CACHE = 5000
    first, first_queries = _page(store)
    second, second_queries = _page(store)
    assert (first_queries, second_queries) == (2, 1)  # versions, then the rows; then the versions alone
    assert first == second == _built_afresh(store, settings)
    assert len(first[0]) == 3 and len(selectors._BUILT_ROWS) == 3
    assert _row(second, page_of_three[1].pk)["tags"] == ["refund", "vip"]


def _conversation_language(store, first, second, agent):
    Conversation.objects.filter(pk=first.pk).update(language="fr")
    return first.pk, lambda row: row["language"] == "fr"


def _buyer_renamed_by_sql(store, first, second, agent):
    other_connection_runs(
        "UPDATE seller_desk_buyer SET name = %s WHERE id = %s", ["Anna Kowalska", first.buyer_id]
    )
    return first.pk, lambda row: row["buyer"]["name"] == "Anna Kowalska"


def _order_shipped_to_delivered(store, first, second, agent):
    order = Order.objects.get(pk=first.order_id)
    order.status = "delivered"
    order.delivered_at = timezone.now()
    order.save()
    return first.pk, lambda row: row["order"]["status"] == "delivered" and row["order"]["delivered_at"]


def _assignee_renamed(store, first, second, agent):
    get_user_model().objects.filter(pk=agent.pk).update(username="lena.k")
    return second.pk, lambda row: row["assignee"] == {"id": agent.pk, "username": "lena.k"}


def _tag_added(store, first, second, agent):
    ConversationTag.objects.create(
        store=store, conversation=second, tag=Tag.objects.get(store=store, name="vip")
    )
    return second.pk, lambda row: row["tags"] == ["vip"]


def _tag_renamed(store, first, second, agent):
    Tag.objects.filter(store=store, name="vip").update(name="gold")
    return first.pk, lambda row: row["tags"] == ["gold", "refund"]


def _tag_removed(store, first, second, agent):
    ConversationTag.objects.filter(conversation=first, tag__name="refund").delete()
    return first.pk, lambda row: row["tags"] == ["vip"]


def _buyer_locale_by_sql(store, first, second, agent):
    other_connection_runs(
        "UPDATE seller_desk_buyer SET locale = %s WHERE id = %s", ["pt_BR", second.buyer_id]
    )
    return second.pk, lambda row: row["buyer"]["locale"] == "pt-BR"


@pytest.mark.parametrize(
    "change",
    [
        _conversation_language,
        _buyer_renamed_by_sql,
        _order_shipped_to_delivered,
        _assignee_renamed,
        _tag_added,
        _tag_renamed,
        _tag_removed,
        _buyer_locale_by_sql,
    ],
)
def test_every_change_to_what_a_row_shows_is_on_the_next_page(page_of_three, settings, change):
    store, first, second, agent = page_of_three
    settings.QUEUE_ROW_CACHE = 5000
    _page(store)
    before, _ = _page(store)
    changed_id, shows_change = change(store, first, second, agent)
    assert not shows_change(_row(before, changed_id))
    after, queries = _page(store)
    assert shows_change(_row(after, changed_id))
    assert queries == 2  # the versions, then the changed row alone
    assert after == _built_afresh(store, settings)
    assert _page(store) == (after, 1)


def test_a_row_leaving_the_queue_leaves_the_page_and_its_place_is_taken(page_of_three, settings):
    store, first, second, agent = page_of_three
    settings.QUEUE_ROW_CACHE = 5000
    _page(store, limit=2)
    Conversation.objects.filter(pk=first.pk).update(status="answered")
    page, _ = _page(store, limit=2)
    assert first.pk not in [row["id"] for row in page[0]] and len(page[0]) == 2
    assert page == _built_afresh(store, settings, limit=2)


def test_a_kept_snoozed_row_shows_open_once_its_snooze_ends(page_of_three, settings):
    store, first, *_ = page_of_three
    settings.QUEUE_ROW_CACHE = 5000
    now = timezone.now()
    Conversation.objects.filter(pk=first.pk).update(
        inbox_state="snoozed", snoozed_until=now + timedelta(hours=1)
    )
    assert _row(_page(store, queue="all")[0], first.pk)["status"] == "snoozed"
    assert _row(_page(store, queue="all")[0], first.pk)["status"] == "snoozed"
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(hours=2)):
        later, queries = _page(store, queue="all")
        assert _row(later, first.pk)["status"] == "open" and queries == 2
        assert later == _built_afresh(store, settings, queue="all")


def test_another_time_zone_gets_its_own_rows(page_of_three, settings):
    store = page_of_three[0]
    settings.QUEUE_ROW_CACHE = 5000
    utc = _page(store)[0]
    with timezone.override("Asia/Shanghai"):
        shanghai, queries = _page(store)
        assert queries == 2 and shanghai == _built_afresh(store, settings)
    assert all(row["last_message_at"].endswith("Z") for row in utc[0])
    assert all(row["last_message_at"].endswith("+08:00") for row in shanghai[0])
    assert _page(store) == (utc, 2)  # the rows kept are the last zone's


def test_rows_are_kept_no_longer_than_kept_seconds(page_of_three, settings):
    store = page_of_three[0]
    settings.QUEUE_ROW_CACHE = 5000
    page = _page(store)[0]
    assert _page(store) == (page, 1)
    later = selectors.monotonic() + KEPT_SECONDS + 1
    with mock.patch.object(selectors, "monotonic", return_value=later):
        assert _page(store) == (page, 2)


def test_nothing_is_kept_or_used_inside_a_transaction(page_of_three, settings):
    store, first, *_ = page_of_three
    settings.QUEUE_ROW_CACHE = 5000
    with transaction.atomic():
        page, queries = _page(store)
        assert queries == 1 and len(selectors._BUILT_ROWS) == 0
    _page(store)
    with transaction.atomic():
        Buyer.objects.filter(pk=first.buyer_id).update(name="Inside")
        inside, queries = _page(store)
        assert queries == 1 and _row(inside, first.pk)["buyer"]["name"] == "Inside"
        Buyer.objects.filter(pk=first.buyer_id).update(name="Inside again")  # the same transaction's xmin
        assert _row(_page(store)[0], first.pk)["buyer"]["name"] == "Inside again"
    assert _row(_page(store)[0], first.pk)["buyer"]["name"] == "Inside again"


def test_the_rows_kept_are_bounded_by_the_setting(page_of_three, settings):
    store = page_of_three[0]
    settings.QUEUE_ROW_CACHE = 2
    for _ in range(3):
        page = _page(store)[0]
        assert len(selectors._BUILT_ROWS) <= 2
    assert page == _built_afresh(store, settings) and len(page[0]) == 3


def test_off_it_reads_the_rows_every_time(page_of_three, settings):
    store = page_of_three[0]
    settings.QUEUE_ROW_CACHE = 0
    assert _page(store)[1] == _page(store)[1] == 1
    assert len(selectors._BUILT_ROWS) == 0


def test_another_stores_page_has_only_its_own_rows(page_of_three, other_store, settings):
    store = page_of_three[0]
    settings.QUEUE_ROW_CACHE = 5000
    mine = _page(store)[0]
    theirs = make_inbound(other_store, text="Gdzie jest moja paczka?").conversation
    assert [row["id"] for row in _page(other_store)[0][0]] == [theirs.pk]
    assert _page(store) == (mine, 1)

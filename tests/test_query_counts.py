"""List and thread pages run the same number of queries for 10 rows and for 200 (no query per row).

Each check builds the small set, measures, grows it to the large set, measures again and compares.
Rows vary the way real ones do (orders, agent replies by different people, pictures, coupons) so a
relation that is not fetched up front shows up as extra queries. On a mismatch the message lists
the statements that repeat.
"""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.services import reply_send
from tests.factories import (
    make_api_token,
    make_buyer,
    make_inbound,
    make_member,
    make_order,
    picture_upload,
    with_prepared_text,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 10, 200


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agents(store):
    return [
        make_member(store, role="owner"),
        make_member(store, role="agent"),
        make_member(store, role="agent"),
    ]


@pytest.fixture
def coupons(store, agents):
    from coupons.services import coupon_create

    return [
        coupon_create(
            store=store,
            acting_user=agents[0],
            values={
                "name_suffix": f"Thanks {n}",
                "denomination": "2",
                "threshold": "15",
                "currency": "USD",
                "quantity": 500,
                "valid_until": timezone.now().date() + timedelta(days=60),
            },
        )
        for n in range(2)
    ]


def _normalized(sql: str) -> str:
    return re.sub(r"\b\d+\b|'[^']*'", "?", sql)


def _repeats(small: list[str], large: list[str]) -> str:
    a = Counter(_normalized(sql) for sql in small)
    b = Counter(_normalized(sql) for sql in large)
    grown = {sql: (a[sql], n) for sql, n in b.items() if n > a[sql]}
    return "\n".join(f"{n_small} -> {n_large}: {sql[:300]}" for sql, (n_small, n_large) in grown.items())


def _measure(client, url: str) -> list[str]:
    """The SQL one GET runs, copied at once (Django clears the query log when the next request starts)."""
    assert client.get(url).status_code == 200  # warm per-process caches (session, content types, guard)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    queries = [q["sql"] for q in ctx.captured_queries]
    assert queries, "nothing was captured; the measurement is broken"
    return queries


def _assert_same(small: list[str], large: list[str], what: str):
    assert len(large) == len(small), (
        f"{what}: {len(small)} queries for {SMALL} rows but {len(large)} for {LARGE}; repeating:\n"
        + _repeats(small, large)
    )


def _add_conversations(store, agents, start: int, stop: int) -> None:
    """Conversations of different buyers; every third answered by an agent, every fifth with a picture."""
    now = timezone.now()
    for i in range(start, stop):
        buyer = make_buyer(store, name=f"Buyer {i}", country="PL", locale="pl_PL")
        order = make_order(store, buyer, status="in_transit" if i % 2 else "delivered", days_ago=15)
        result = make_inbound(
            store,
            order=order,
            text="Dzień dobry, gdzie jest moja paczka? Śledzenie się nie zmienia.",
            channel=("message", "chat", "comment")[i % 3],
            sent_at=now - timedelta(minutes=i + 1),
        )
        if i % 5 == 0:
            make_inbound(
                store,
                order=order,
                text="Zdjęcie paczki w załączniku.",
                sent_at=now - timedelta(seconds=i + 1),
            )
        if i % 3 == 0:
            reply_send(
                conversation=result.conversation,
                acting_user=agents[i % len(agents)],
                text="Paczka jest w drodze, dotrze w ciągu tygodnia.",
                language="pl",
            )


def _grow_thread(store, agents, coupons, order, start: int, stop: int):
    """Alternate buyer messages and agent replies (different agents, some with a picture or a coupon)."""
    conversation = None
    now = timezone.now()
    for i in range(start, stop, 2):
        conversation = make_inbound(
            store,
            order=order,
            text=f"Wiadomość numer {i}: czy są nowe informacje?",
            sent_at=now - timedelta(hours=1),
        ).conversation
        coupon_id = coupons[i // 2].pk if i // 2 < len(coupons) else None
        reply_send(
            conversation=conversation,
            acting_user=agents[i % len(agents)],
            text=f"Odpowiedź {i}: sprawdzamy u przewoźnika.",
            language="pl",
            image=picture_upload() if i % 10 == 0 else None,
            coupon_id=coupon_id,
        )
    return conversation


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


@pytest.mark.parametrize("url_name", ["inbox", "inbox-queue"])
def test_inbox_queue_queries_do_not_grow_with_conversations(client, store, agents, url_name):
    client.force_login(agents[1])
    url = reverse(url_name)
    _add_conversations(store, agents, 0, SMALL)
    small = _measure(client, url)
    _add_conversations(store, agents, SMALL, LARGE)
    large = _measure(client, url)
    _assert_same(small, large, url_name)


def test_api_needs_reply_list_queries_do_not_grow_with_conversations(store, agents):
    client = _token_client(agents[1])
    url = "/api/v1/conversations?queue=needs_reply"
    _add_conversations(store, agents, 0, SMALL)
    small = _measure(client, url)
    _add_conversations(store, agents, SMALL, LARGE)
    large = _measure(client, url)
    assert len(client.get(url).json()) > SMALL
    _assert_same(small, large, url)


def test_thread_page_queries_do_not_grow_with_messages(client, store, agents, coupons):
    client.force_login(agents[1])
    order = make_order(store, status="in_transit", days_ago=15)
    conversation = _grow_thread(store, agents, coupons, order, 0, SMALL)
    url = reverse("inbox-thread", args=[conversation.pk])
    small = _measure(client, url)
    _grow_thread(store, agents, coupons, order, SMALL, LARGE)
    large = _measure(client, url)
    _assert_same(small, large, "inbox-thread")


def test_api_conversation_detail_queries_do_not_grow_with_messages(store, agents, coupons):
    client = _token_client(agents[1])
    order = make_order(store, status="in_transit", days_ago=15)
    conversation = _grow_thread(store, agents, coupons, order, 0, SMALL)
    url = f"/api/v1/conversations/{conversation.pk}"
    small = _measure(client, url)
    _grow_thread(store, agents, coupons, order, SMALL, LARGE)
    large = _measure(client, url)
    assert len(client.get(url).json()["messages"]) == LARGE
    _assert_same(small, large, url)


def _measure_not_modified(client, url: str) -> list[str]:
    """The SQL of a poll whose If-None-Match still matches: a 304 with no body."""
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    return [q["sql"] for q in ctx.captured_queries]


def test_inbox_poll_not_modified_queries_do_not_grow_with_conversations(
    client, store, agents, clock_within_one_minute
):
    client.force_login(agents[1])
    url = reverse("inbox-queue")
    _add_conversations(store, agents, 0, SMALL)
    small = _measure_not_modified(client, url)
    _add_conversations(store, agents, SMALL, LARGE)
    large = _measure_not_modified(client, url)
    _assert_same(small, large, "inbox-queue not modified")
    # Nothing is rendered: no query reads the rows' buyers or orders one by one, and no more than the page's.
    assert len(large) <= len(_measure(client, url))


def _crowd_campaign(store, buyers: int):
    from campaigns.services import campaign_create
    from seller_desk.selectors import store_local_date

    for i in range(buyers):
        make_order(
            store, make_buyer(store, name=f"Crowd {i}", country="ES", locale="es_ES"), days_ago=3 + i % 4
        )
    today = store_local_date(store)
    return campaign_create(
        store=store,
        acting_user=None,
        values={
            "name": f"Crowd of {buyers}",
            "scenario": "reminder",
            "crowd": {
                "method": "conditions",
                "orders_from": (today - timedelta(days=30)).isoformat(),
                "orders_to": today.isoformat(),
            },
            "text": "Our summer sale starts today.",
        },
    )


def test_campaign_identify_queries_do_not_grow_with_the_crowd(store, agents):
    from campaigns.models import Campaign

    client = _token_client(agents[0])
    campaign = _crowd_campaign(store, SMALL)
    url = f"/api/v1/campaigns/{campaign.pk}/identify"
    assert client.post(url).status_code == 200
    with CaptureQueriesContext(connection) as small_ctx:
        small = client.post(url)
    assert small.json()["count"] == SMALL
    Campaign.objects.filter(pk=campaign.pk).delete()
    campaign = _crowd_campaign(store, LARGE - SMALL)
    url = f"/api/v1/campaigns/{campaign.pk}/identify"
    assert client.post(url).status_code == 200
    with CaptureQueriesContext(connection) as large_ctx:
        large = client.post(url)
    assert large.json()["count"] == LARGE
    # No SQL text grows with the crowd either (the "already pushed" check names no buyer ids).
    longest_small = max(len(q["sql"]) for q in small_ctx.captured_queries)
    longest_large = max(len(q["sql"]) for q in large_ctx.captured_queries)
    assert longest_large == longest_small
    _assert_same(
        [q["sql"] for q in small_ctx.captured_queries], [q["sql"] for q in large_ctx.captured_queries], url
    )


# --- team inbox, part B (issue 10): search, tags, order-status groups, blocked view, drafts, notes, mentions ---


def _tag_and_draft_all(store, agents) -> None:
    """Every conversation gets two tags and, every other one, a draft of the signed-in agent."""
    from conversations.models import Conversation
    from conversations.selectors import tag_find
    from conversations.services import conversations_tag_bulk, draft_save, tag_create

    tags = [
        tag_find(store=store, name=n) or tag_create(store=store, acting_user=agents[0], name=n)
        for n in ("vip", "refund")
    ]
    conversations = list(Conversation.objects.filter(store=store))
    for tag in tags:
        conversations_tag_bulk(
            store=store, acting_user=agents[0], conversation_ids=[c.pk for c in conversations], tag_id=tag.pk
        )
    for c in conversations[::2]:
        draft_save(conversation=c, acting_user=agents[1], text=f"draft {c.pk}")


TEAM_FILTERS = [
    "?queue=all&q=paczka",
    "?queue=all&q=Buyer",
    "?queue=all&q=%E9%80%80",  # one CJK character: the bounded short-text scan
    "?queue=all&tag=vip",
    "?queue=all&group=awaiting_receipt",
    "?queue=all&blocked=1",
    "?queue=needs_reply&tag=refund&group=awaiting_receipt&q=paczka",
]


@pytest.mark.parametrize("url_name", ["inbox", "inbox-queue"])
@pytest.mark.parametrize("query", TEAM_FILTERS)
def test_inbox_team_filters_queries_do_not_grow_with_conversations(client, store, agents, url_name, query):
    client.force_login(agents[1])
    url = reverse(url_name) + query
    _add_conversations(store, agents, 0, SMALL)
    _tag_and_draft_all(store, agents)
    small = _measure(client, url)
    _add_conversations(store, agents, SMALL, LARGE)
    _tag_and_draft_all(store, agents)
    large = _measure(client, url)
    _assert_same(small, large, url)
    if "blocked" not in query and "%E9" not in query:
        assert client.get(url).content.decode().count('class="qrow') > SMALL


@pytest.mark.parametrize(
    "query", ["&q=paczka", "&tag=vip", "&order_group=awaiting_receipt", "&q=Buyer&tag=refund"]
)
def test_api_list_team_filters_queries_do_not_grow_with_conversations(store, agents, query):
    client = _token_client(agents[1])
    url = "/api/v1/conversations?queue=all&limit=1000" + query
    _add_conversations(store, agents, 0, SMALL)
    _tag_and_draft_all(store, agents)
    small = _measure(client, url)
    _add_conversations(store, agents, SMALL, LARGE)
    _tag_and_draft_all(store, agents)
    large = _measure(client, url)
    rows = client.get(url).json()
    assert len(rows) > SMALL and all(row["tags"] for row in rows)
    _assert_same(small, large, url)


def _grow_notes(conversation, agents, start: int, stop: int) -> None:
    from conversations.services import note_create

    for i in range(start, stop):
        note_create(
            conversation=conversation,
            acting_user=agents[i % len(agents)],
            text=f"Note {i} for @{agents[(i + 1) % len(agents)].username}",
        )


@pytest.mark.parametrize("where", ["page", "api"])
def test_thread_with_notes_queries_do_not_grow(client, store, agents, coupons, where):
    order = make_order(store, status="in_transit", days_ago=15)
    conversation = _grow_thread(store, agents, coupons, order, 0, SMALL)
    _grow_notes(conversation, agents, 0, SMALL)
    if where == "page":
        client.force_login(agents[1])
        url = reverse("inbox-thread", args=[conversation.pk])
    else:
        client = _token_client(agents[1])
        url = f"/api/v1/conversations/{conversation.pk}"
    small = _measure(client, url)
    _grow_thread(store, agents, coupons, order, SMALL, LARGE)
    _grow_notes(conversation, agents, SMALL, LARGE)
    large = _measure(client, url)
    if where == "api":
        assert len(client.get(url).json()["notes"]) == LARGE
    _assert_same(small, large, url)


def test_mentions_page_queries_do_not_grow(client, store, agents):
    client.force_login(agents[1])
    conversation = make_inbound(store, text="Gdzie paczka?").conversation
    url = reverse("inbox-mentions")
    _grow_notes(conversation, agents, 0, SMALL * 3)
    small = _measure(client, url)
    _grow_notes(conversation, agents, SMALL * 3, LARGE * 3)
    large = _measure(client, url)
    assert client.get(url).content.decode().count('class="mention-item"') == 100
    _assert_same(small, large, "inbox-mentions")


# --- team inbox, part A (issue 10): every new queue view and filter, the API's, and the agent report ---


def _team_mix(store, agents) -> None:
    """Spread the conversations over assignees, resolved and snoozed ones (by id, so both sizes look alike)."""
    from conversations.models import Conversation
    from conversations.services import conversations_bulk_apply

    ids = list(Conversation.objects.filter(store=store).order_by("id").values_list("id", flat=True))
    owner = agents[0]
    for n, agent in enumerate(agents):
        conversations_bulk_apply(
            store=store,
            conversation_ids=ids[n :: len(agents) + 1],
            action="assign",
            acting_user=owner,
            values={"assignee_id": agent.pk},
        )
    conversations_bulk_apply(store=store, conversation_ids=ids[::7], action="resolve", acting_user=owner)
    conversations_bulk_apply(
        store=store,
        conversation_ids=ids[3::11],
        action="snooze",
        acting_user=owner,
        values={"until": timezone.now() + timedelta(hours=5)},
    )
    # one open, unassigned conversation at every size, so no queue is empty (an empty page skips the tag query)
    make_inbound(store, text="Gdzie paczka?")


TEAM_QUERIES = [
    "queue=mine",
    "queue=unassigned",
    "queue=snoozed",
    "queue=resolved",
    "queue=all&assignee=none",
    "queue=all&assignee={agent}",
    "queue=needs_reply&assignee={agent}",
]


@pytest.mark.parametrize("query", TEAM_QUERIES)
@pytest.mark.parametrize("surface", ["page", "poll", "api"])
def test_team_queues_and_filters_do_not_grow_with_conversations(client, store, agents, query, surface):
    owner, agent = agents[0], agents[1]
    query = query.format(agent=agent.pk)
    if surface == "api":
        caller = _token_client(owner)
        url = f"/api/v1/conversations?{query}"
    else:
        client.force_login(owner)
        caller = client
        url = f"{reverse('inbox' if surface == 'page' else 'inbox-queue')}?{query}"
    _add_conversations(store, agents, 0, SMALL)
    _team_mix(store, agents)
    small = _measure(caller, url)
    _add_conversations(store, agents, SMALL, LARGE)
    _team_mix(store, agents)
    large = _measure(caller, url)
    _assert_same(small, large, url)


def test_agent_report_and_its_csv_do_not_grow_with_conversations(client, store, agents):
    client.force_login(agents[0])
    urls = ["/dashboard/?days=30", "/dashboard/agents.csv?days=30", "/api/v1/metrics/agents?days=30"]
    api = _token_client(agents[0])
    _add_conversations(store, agents, 0, SMALL)
    _team_mix(store, agents)
    small = [_measure(api if u.startswith("/api/") else client, u) for u in urls]
    _add_conversations(store, agents, SMALL, LARGE)
    _team_mix(store, agents)
    large = [_measure(api if u.startswith("/api/") else client, u) for u in urls]
    for url, s, lg in zip(urls, small, large, strict=True):
        _assert_same(s, lg, url)


# --- ingress (issue 14: at most 8 statements per buyer message without auto-reply) ---


def _ingress_post(store, n: int, *, buyer_id: str = "qc-buyer", secret: str = ""):
    import json

    from seller_desk.signatures import signed_headers

    body = json.dumps(
        {
            "message_id": f"qc-{n}",
            "buyer": {"buyer_id": buyer_id, "name": "Ana", "country": "es", "locale": "es_ES"},
            "channel": "message",
            "text": "¿Dónde está mi paquete?",
            "sent_at": timezone.now().isoformat(),
        }
    ).encode()
    headers = {}
    if secret:
        headers = {
            f"HTTP_{k.upper().replace('-', '_')}": v
            for k, v in signed_headers(secret=secret, body=body).items()
        }
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/ingress/messages", body, content_type="application/json", **headers)
    assert response.status_code in (200, 201), response.content
    return response, with_prepared_text([q["sql"] for q in ctx.captured_queries])


@pytest.mark.parametrize("signed", [False, True])
def test_ingress_of_a_known_buyer_costs_five_statements(store, signed):
    """Token's store with its settings, the conversation locked with its buyer, the message inserted and the
    conversation updated in one statement (the wait is already open), inside the savepoint the test's transaction
    turns BEGIN/COMMIT into."""
    secret = ""
    if signed:
        store.marketplace_secret = secret = "qc-secret"
        store.save(update_fields=["marketplace_secret"])
    _ingress_post(store, 1, secret=secret)
    response, queries = _ingress_post(store, 2, secret=secret)
    assert response.status_code == 201
    assert len(queries) <= 5, "\n".join(queries)
    assert [q for q in queries if q.startswith("WITH message AS (INSERT") and "UPDATE" in q]
    assert not [q for q in queries if "autoreply_autoreplysettings" in q and "seller_desk_store" not in q]
    assert not [q for q in queries if "conversations_inboxsettings" in q and "seller_desk_store" not in q]


def test_ingress_that_opens_a_wait_costs_five_statements_too(store):
    """After a reply closed the wait, the buyer's next message opens a new one: the wait is inserted by the
    message's own statement (it points at the new message), not by a sixth."""
    from conversations.models import Conversation, ReplyWait

    first, _ = _ingress_post(store, 1)
    conversation_id = first.json()["conversation_id"]
    ReplyWait.objects.filter(conversation_id=conversation_id).update(closed_at=timezone.now())
    Conversation.objects.filter(pk=conversation_id).update(
        status="answered", waiting_since=None, reply_due_at=None
    )
    response, queries = _ingress_post(store, 2)
    assert response.status_code == 201
    assert len(queries) <= 5, "\n".join(queries)
    assert [q for q in queries if q.startswith("WITH message AS") and "conversations_replywait" in q]
    waits = ReplyWait.objects.filter(conversation_id=conversation_id, closed_at__isnull=True)
    assert [w.opened_by.external_id for w in waits] == ["qc-2"]
    assert Conversation.objects.get(pk=conversation_id).status == "needs_reply"


def test_ingress_of_a_new_buyer_stays_within_the_budget(store):
    """A new buyer's first message: the token's store, the (missing) conversation's lock, the buyer's upsert, the
    conversation's insert and the message's statement, inside the savepoint the test's transaction turns
    BEGIN/COMMIT into: 8 with them, and no savepoint of its own."""
    make_member(store, role="agent")
    response, queries = _ingress_post(store, 1, buyer_id="qc-new")
    assert response.status_code == 201
    print("\n".join(queries))
    assert len(queries) <= 7, "\n".join(queries)
    assert len([q for q in queries if "seller_desk_buyer" in q and "ON CONFLICT" in q]) == 1
    # Auto-assignment is off: the new conversation locks nothing and reads no settings of its own.
    assert not [q for q in queries if "conversations_inboxsettings" in q and "seller_desk_store" not in q]


def test_ingress_with_auto_assignment_on_locks_the_inbox_settings(store):
    from conversations.models import Conversation
    from conversations.services import agent_availability_set, inbox_settings_update

    owner = make_member(store, role="owner")
    agent = make_member(store, role="agent")
    agent_availability_set(store=store, acting_user=agent, available=True)
    inbox_settings_update(store=store, acting_user=owner, auto_assign=True, agent_cap=5)
    response, queries = _ingress_post(store, 1, buyer_id="qc-assign")
    assert [q for q in queries if "conversations_inboxsettings" in q and "FOR UPDATE" in q]
    assert Conversation.objects.get(pk=response.json()["conversation_id"]).assignee_id == agent.pk


def test_a_replayed_message_is_answered_from_the_stored_one(store):
    first, _ = _ingress_post(store, 7)
    again, queries = _ingress_post(store, 7)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len(queries) <= 10, "\n".join(queries)

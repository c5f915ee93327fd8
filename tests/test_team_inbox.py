"""Team inbox, part A (issue 10): assignment, auto-assignment, collision guard, resolve and snooze, bulk actions."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone
from rest_framework.test import APIClient

from conversations import selectors, services
from conversations.models import AgentAvailability, Conversation, InboxSettings, InboxState, ReplyWait
from seller_desk.errors import ApplicationError
from tests.factories import make_api_token, make_buyer, make_inbound, make_member, make_store

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def ids_of(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()]


# ------------------------------------------------------------------ assignment


def test_an_agent_takes_a_conversation_and_it_shows_in_mine(store):
    agent = make_member(store, role="agent", username="ana")
    conversation = make_inbound(store).conversation
    r = api(agent).post(
        f"/api/v1/conversations/{conversation.pk}/assign", {"assignee_id": agent.pk}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json() == {"assignee": {"id": agent.pk, "username": "ana"}}
    assert ids_of(api(agent).get("/api/v1/conversations?queue=mine")) == [conversation.pk]
    assert ids_of(api(agent).get("/api/v1/conversations?queue=unassigned")) == []
    row = api(agent).get("/api/v1/conversations?queue=all").json()[0]
    assert row["assignee"] == {"id": agent.pk, "username": "ana"}
    assert row["status"] == "open"
    assert row["reply_status"] == "needs_reply"


def test_an_owner_assigns_any_member_and_an_agent_only_themselves(store):
    owner = make_member(store, role="owner")
    agent = make_member(store, role="agent")
    other_agent = make_member(store, role="agent")
    conversation = make_inbound(store).conversation
    url = f"/api/v1/conversations/{conversation.pk}/assign"
    assert api(owner).post(url, {"assignee_id": other_agent.pk}, format="json").status_code == 200
    r = api(agent).post(url, {"assignee_id": other_agent.pk}, format="json")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["assignee_id"]
    r = api(agent).post(url, {"assignee_id": None}, format="json")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["assignee_id"]
    r = api(owner).post(url, {"assignee_id": None}, format="json")
    assert r.json() == {"assignee": None}


def test_assigning_a_user_of_another_store_is_a_400_naming_assignee_id(store, other_store):
    owner = make_member(store, role="owner")
    stranger = make_member(other_store, role="agent")
    conversation = make_inbound(store).conversation
    r = api(owner).post(
        f"/api/v1/conversations/{conversation.pk}/assign", {"assignee_id": stranger.pk}, format="json"
    )
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["assignee_id"]
    conversation.refresh_from_db()
    assert conversation.assignee_id is None


def test_members_lists_the_callers_store_only(store, other_store):
    owner = make_member(store, role="owner", username="olga")
    agent = make_member(store, role="agent", username="boris")
    make_member(other_store, role="agent", username="zed")
    r = api(agent).get("/api/v1/members")
    assert r.json() == [
        {"id": agent.pk, "username": "boris", "role": "agent"},
        {"id": owner.pk, "username": "olga", "role": "owner"},
    ]


def test_assignee_filter_by_user_and_none(store, monkeypatch):
    owner = make_member(store, role="owner")
    agent = make_member(store, role="agent")
    mine = make_inbound(store).conversation
    free = make_inbound(store).conversation
    services.conversation_assign(conversation=mine, assignee_id=agent.pk, acting_user=owner)
    assert ids_of(api(owner).get(f"/api/v1/conversations?queue=all&assignee={agent.pk}")) == [mine.pk]
    assert ids_of(api(owner).get("/api/v1/conversations?queue=all&assignee=none")) == [free.pk]
    counts = selectors.queue_counts(store=store, user=agent, exact=True)
    assert (counts["mine"], counts["unassigned"], counts["all"]) == (1, 1, 2)
    members = [m["id"] for m in selectors.store_members(store=store)]
    assert selectors.open_counts_by_assignee(store=store, member_ids=members) == {
        **dict.fromkeys(members, 0),
        agent.pk: 1,
        None: 1,
    }
    more = [make_inbound(store).conversation for _ in range(3)]
    for conversation in more:
        services.conversation_assign(conversation=conversation, assignee_id=agent.pk, acting_user=owner)
    monkeypatch.setattr(selectors, "QUEUE_COUNT_CAP", 2)  # each count stops at the cap ("2+" on the page)
    assert selectors.open_counts_by_assignee(store=store, member_ids=[agent.pk]) == {agent.pk: 2, None: 1}


# ------------------------------------------------------------------ resolve and snooze


def test_resolve_closes_without_a_reply_and_a_buyer_message_reopens_it(store):
    agent = make_member(store, role="agent")
    first = make_inbound(store, text="thanks!")
    conversation = first.conversation
    r = api(agent).post(f"/api/v1/conversations/{conversation.pk}/resolve")
    assert r.json() == {"status": "resolved"}
    wait = ReplyWait.objects.get(conversation=conversation)
    assert wait.closed_at is not None and wait.closed_by_id is None and wait.resolved_without_reply
    assert ids_of(api(agent).get("/api/v1/conversations?queue=needs_reply")) == []
    assert ids_of(api(agent).get("/api/v1/conversations?queue=resolved")) == [conversation.pk]
    make_inbound(store, buyer=conversation.buyer, text="one more question")
    conversation.refresh_from_db()
    assert conversation.inbox_state == InboxState.OPEN
    assert ids_of(api(agent).get("/api/v1/conversations?queue=needs_reply")) == [conversation.pk]
    assert ReplyWait.objects.filter(conversation=conversation, closed_at__isnull=True).count() == 1


def test_snooze_hides_until_the_time_and_a_buyer_message_reopens_it(store):
    agent = make_member(store, role="agent")
    conversation = make_inbound(store).conversation
    until = timezone.now() + timedelta(hours=1)
    r = api(agent).post(
        f"/api/v1/conversations/{conversation.pk}/snooze", {"until": until.isoformat()}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "snoozed"
    assert r.json()["snoozed_until"] is not None
    assert ids_of(api(agent).get("/api/v1/conversations?queue=needs_reply")) == []
    assert ids_of(api(agent).get("/api/v1/conversations?queue=snoozed")) == [conversation.pk]
    make_inbound(store, buyer=conversation.buyer, text="hello?")
    assert ids_of(api(agent).get("/api/v1/conversations?queue=snoozed")) == []
    assert ids_of(api(agent).get("/api/v1/conversations?queue=needs_reply")) == [conversation.pk]
    assert api(agent).get("/api/v1/conversations?queue=all").json()[0]["status"] == "open"


def test_a_snooze_whose_time_passed_is_open_again(store):
    agent = make_member(store, role="agent")
    conversation = make_inbound(store).conversation
    Conversation.objects.filter(pk=conversation.pk).update(
        inbox_state=InboxState.SNOOZED, snoozed_until=timezone.now() - timedelta(minutes=1)
    )
    assert ids_of(api(agent).get("/api/v1/conversations?queue=needs_reply")) == [conversation.pk]
    assert api(agent).get("/api/v1/conversations?queue=all").json()[0]["status"] == "open"


def test_snooze_in_the_past_is_refused_naming_until(store):
    agent = make_member(store, role="agent")
    conversation = make_inbound(store).conversation
    past = (timezone.now() - timedelta(minutes=5)).isoformat()
    r = api(agent).post(f"/api/v1/conversations/{conversation.pk}/snooze", {"until": past}, format="json")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["until"]


# ------------------------------------------------------------------ bulk actions


def test_bulk_actions_touch_only_the_callers_store(store, other_store):
    owner = make_member(store, role="owner")
    agent = make_member(store, role="agent")
    mine = [make_inbound(store).conversation for _ in range(3)]
    foreign = make_inbound(other_store).conversation
    ids = [c.pk for c in mine] + [foreign.pk]
    changed = services.conversations_bulk_apply(
        store=store,
        conversation_ids=ids,
        action="assign",
        acting_user=owner,
        values={"assignee_id": agent.pk},
    )
    assert changed == 3
    assert (
        services.conversations_bulk_apply(
            store=store, conversation_ids=ids, action="resolve", acting_user=owner
        )
        == 3
    )
    foreign.refresh_from_db()
    assert (foreign.assignee_id, foreign.inbox_state) == (None, InboxState.OPEN)
    assert set(Conversation.objects.filter(store=store).values_list("inbox_state", flat=True)) == {"resolved"}
    until = timezone.now() + timedelta(days=1)
    assert (
        services.conversations_bulk_apply(
            store=store, conversation_ids=ids, action="snooze", acting_user=agent, values={"until": until}
        )
        == 3
    )


# ------------------------------------------------------------------ collision guard


def test_two_agents_replying_from_the_same_message_one_201_one_409(store):
    ana = make_member(store, role="agent")
    ben = make_member(store, role="agent")
    inbound = make_inbound(store, text="Where is my parcel?")
    url = f"/api/v1/conversations/{inbound.conversation.pk}/replies"
    seen = inbound.message.pk
    first = api(ana).post(url, {"text": "On its way.", "last_seen_message_id": seen}, format="json")
    second = api(ben).post(url, {"text": "Shipped yesterday.", "last_seen_message_id": seen}, format="json")
    assert first.status_code == 201
    assert second.status_code == 409
    body = second.json()
    assert list(body["errors"]) == ["last_seen_message_id"]
    assert [m["text"] for m in body["newer"]] == ["On its way."]
    forced = api(ben).post(
        url, {"text": "Shipped yesterday.", "last_seen_message_id": seen, "force": True}, format="json"
    )
    assert forced.status_code == 201


def test_a_newer_buyer_message_stops_the_reply_but_my_own_reply_does_not(store):
    ana = make_member(store, role="agent")
    inbound = make_inbound(store, text="Hello")
    url = f"/api/v1/conversations/{inbound.conversation.pk}/replies"
    seen = inbound.message.pk
    assert api(ana).post(url, {"text": "Hi!", "last_seen_message_id": seen}, format="json").status_code == 201
    assert (
        api(ana)
        .post(url, {"text": "Anything else?", "last_seen_message_id": seen}, format="json")
        .status_code
        == 201
    )
    newer = make_inbound(store, buyer=inbound.conversation.buyer, text="Yes, the size")
    r = api(ana).post(url, {"text": "Great.", "last_seen_message_id": seen}, format="json")
    assert r.status_code == 409
    assert [m["id"] for m in r.json()["newer"]] == [newer.message.pk]


@pytest.mark.django_db(transaction=True)
def test_parallel_replies_from_the_same_message_only_one_gets_through(require_postgres):
    store = make_store(name="Race Store")
    agents = [make_member(store, role="agent") for _ in range(4)]
    inbound = make_inbound(store, text="Hello?")
    conversation_id, seen = inbound.conversation.pk, inbound.message.pk
    go = threading.Event()

    def reply(agent) -> str:
        try:
            go.wait(timeout=30)
            conversation = Conversation.objects.select_related("store", "buyer").get(pk=conversation_id)
            try:
                services.reply_send(
                    conversation=conversation, acting_user=agent, text="Answer", last_seen_message_id=seen
                )
            except services.ReplyConflict:
                return "409"
            return "201"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(reply, a) for a in agents]
        go.set()
        outcomes = Counter(f.result() for f in futures)
    assert outcomes == Counter({"201": 1, "409": 3})


# ------------------------------------------------------------------ auto-assignment


def _auto(store, *, cap: int, agents: int) -> list:
    InboxSettings.objects.create(store=store, auto_assign=True, agent_cap=cap)
    users = [make_member(store, role="agent") for _ in range(agents)]
    AgentAvailability.objects.bulk_create(
        [AgentAvailability(store=store, user=u, available=True) for u in users]
    )
    return users


def test_auto_assignment_is_off_by_default(store):
    agent = make_member(store, role="agent")
    services.agent_availability_set(store=store, acting_user=agent, available=True)
    assert make_inbound(store).conversation.assignee_id is None


def test_auto_assignment_picks_the_fewest_open_never_above_the_cap_and_skips_away_agents(store):
    a, b = _auto(store, cap=2, agents=2)
    away = make_member(store, role="agent")
    AgentAvailability.objects.create(store=store, user=away, available=False)
    got = [make_inbound(store).conversation.assignee_id for _ in range(5)]
    assert got == [a.pk, b.pk, a.pk, b.pk, None]


def test_a_reopened_unassigned_conversation_goes_through_auto_assignment(store):
    owner = make_member(store, role="owner")
    conversation = make_inbound(store).conversation
    services.conversation_resolve(conversation=conversation, acting_user=owner)
    (agent,) = _auto(store, cap=5, agents=1)
    make_inbound(store, buyer=conversation.buyer)
    conversation.refresh_from_db()
    assert (conversation.inbox_state, conversation.assignee_id) == (InboxState.OPEN, agent.pk)


def test_a_reopened_conversation_keeps_its_assignee(store):
    owner = make_member(store, role="owner")
    holder = make_member(store, role="agent")
    conversation = make_inbound(store).conversation
    services.conversation_assign(conversation=conversation, assignee_id=holder.pk, acting_user=owner)
    services.conversation_resolve(conversation=conversation, acting_user=owner)
    _auto(store, cap=5, agents=1)
    make_inbound(store, buyer=conversation.buyer)
    conversation.refresh_from_db()
    assert conversation.assignee_id == holder.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("cap", "expected_each", "unassigned"), [(100, 50, 0), (40, 40, 40)])
def test_parallel_arrivals_spread_evenly_and_never_exceed_the_cap(
    require_postgres, cap, expected_each, unassigned
):
    store = make_store(name=f"Busy Store {cap}")
    agents = _auto(store, cap=cap, agents=4)
    buyers = [make_buyer(store, name=f"Buyer {i}") for i in range(200)]
    go = threading.Event()

    def arrive(buyer) -> None:
        try:
            go.wait(timeout=30)
            make_inbound(store, buyer=buyer, text="Where is my order?")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(arrive, b) for b in buyers]
        go.set()
        for f in futures:
            f.result()
    loads = Counter(Conversation.objects.filter(store=store).values_list("assignee_id", flat=True))
    per_agent = [loads.get(a.pk, 0) for a in agents]
    assert max(per_agent) - min(per_agent) <= 1
    assert max(per_agent) <= cap
    assert per_agent == [expected_each] * 4
    assert loads.get(None, 0) == unassigned


# ------------------------------------------------------------------ response rate and the agent report


def test_resolve_without_reply_is_its_own_bucket_and_out_of_the_rate(store):
    from reports import selectors as reports

    owner = make_member(store, role="owner")
    agent = make_member(store, role="agent", username="ana")
    now = timezone.now()
    answered = make_inbound(store, sent_at=now - timedelta(hours=3)).conversation
    services.reply_send(conversation=answered, acting_user=agent, text="Sent today.")
    thanks = make_inbound(store, text="thanks!", sent_at=now - timedelta(hours=2)).conversation
    services.conversation_resolve(conversation=thanks, acting_user=owner)
    late = make_inbound(store, text="spam", sent_at=now - timedelta(hours=30)).conversation
    services.conversation_resolve(conversation=late, acting_user=owner)
    data = reports.response_rate(store=store, days=7)
    assert data["distribution"]["resolved_no_reply"] == 2
    assert (data["answered_within_24h"], data["total"], data["missed"]) == (1, 2, 1)
    assert data["rate"] == 0.5
    drill = reports.waits_for_bucket(store=store, days=7, bucket="resolved_no_reply")
    assert sorted(w.conversation_id for w in drill) == sorted([thanks.pk, late.pk])


def test_agent_report_api_and_csv(store, client):
    agent = make_member(store, role="agent", username="ана")
    other = make_member(store, role="agent", username="ben")
    now = timezone.now()
    for hours in (1, 3, 30):
        c = make_inbound(store, sent_at=now - timedelta(hours=hours)).conversation
        services.reply_send(conversation=c, acting_user=agent, text="On its way.")
    r = api(agent).get("/api/v1/metrics/agents?days=30")
    assert r.status_code == 200
    rows = {row["user"]["username"]: row for row in r.json()}
    assert rows["ана"]["replies"] == 3
    assert rows["ана"]["first_responses"] == 3
    assert rows["ана"]["within_24h"] == 2
    assert 3 * 3600 - 60 <= rows["ана"]["median_first_response_seconds"] <= 3 * 3600 + 60
    assert rows["ben"] == {
        "user": {"id": other.pk, "username": "ben"},
        "conversations": 0,
        "replies": 0,
        "first_responses": 0,
        "within_24h": 0,
        "median_first_response_seconds": None,
    }
    client.force_login(agent)
    body = client.get("/dashboard/agents.csv?days=30").content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("user_id,username,conversations_handled")
    assert any(line.startswith(f"{agent.pk},ана,3,3,3,2,") for line in lines)
    page = client.get(f"/dashboard/waits/?days=30&agent={agent.pk}")
    assert page.status_code == 200
    assert client.get("/dashboard/waits/?days=30&agent=999999").status_code == 400
    assert 'id="agents-title"' in client.get("/dashboard/?days=30").content.decode()


# ------------------------------------------------------------------ the pages


def test_pages_assign_snooze_presets_bulk_all_matching_and_presence(store, client):
    from django.core.cache import cache

    owner = make_member(store, role="owner", username="olga")
    agent = make_member(store, role="agent", username="ana")
    conversations = [make_inbound(store).conversation for _ in range(3)]
    first = conversations[0]
    client.force_login(agent)
    assert client.post(f"/inbox/{first.pk}/assign/", {"assignee_id": "me"}).status_code == 302
    first.refresh_from_db()
    assert first.assignee_id == agent.pk
    assert client.post(f"/inbox/{first.pk}/snooze/", {"preset": "tomorrow"}).status_code == 302
    first.refresh_from_db()
    local = first.snoozed_until.astimezone(__import__("zoneinfo").ZoneInfo(store.timezone))
    assert (local.hour, local.minute, first.inbox_state) == (9, 0, "snoozed")
    assert client.post(f"/inbox/{first.pk}/snooze/", {"until": "2001-01-01T09:00"}).status_code == 400
    # Presence: ana has the thread open; olga sees her, and sees her typing after a poll with typing=1.
    cache.clear()
    client.get(f"/inbox/{first.pk}/presence/?typing=1")
    client.force_login(owner)
    html = client.get(f"/inbox/{first.pk}/presence/").content.decode()
    assert "ana is typing a reply…" in html
    # Bulk on everything matching "unassigned": the two others, not ana's.
    r = client.post("/inbox/bulk/?queue=unassigned", {"all_matching": "1", "action": "resolve"})
    assert r.status_code == 302
    states = dict(Conversation.objects.filter(store=store).values_list("pk", "inbox_state"))
    assert states == {first.pk: "snoozed", conversations[1].pk: "resolved", conversations[2].pk: "resolved"}
    assert client.post("/inbox/bulk/", {"ids": [first.pk], "action": "explode"}).status_code == 400


def test_inbox_settings_owner_only_and_availability(store, client):
    owner = make_member(store, role="owner")
    agent = make_member(store, role="agent")
    client.force_login(agent)
    assert client.post("/inbox/settings/", {"auto_assign": "1", "agent_cap": "5"}).status_code == 403
    client.post("/inbox/availability/", {"available": "1"})
    assert AgentAvailability.objects.get(user=agent).available is True
    client.force_login(owner)
    assert client.post("/inbox/settings/", {"auto_assign": "1", "agent_cap": "5"}).status_code == 302
    row = InboxSettings.objects.get(store=store)
    assert (row.auto_assign, row.agent_cap) == (True, 5)
    assert make_inbound(store).conversation.assignee_id == agent.pk
    assert "1000" in client.post("/inbox/settings/", {"auto_assign": "1", "agent_cap": "0"}).content.decode()


def test_bulk_tag_puts_the_stores_tag_on_its_conversations_only(store, other_store):
    from conversations.models import ConversationTag

    owner = make_member(store, role="owner")
    mine = [make_inbound(store).conversation for _ in range(3)]
    foreign = make_inbound(other_store).conversation
    tag = services.tag_create(store=store, acting_user=owner, name="refund")
    ids = [c.pk for c in mine] + [foreign.pk]
    changed = services.conversations_bulk_apply(
        store=store, conversation_ids=ids, action="tag", acting_user=owner, values={"tag_id": str(tag.pk)}
    )
    assert changed == 3
    assert set(ConversationTag.objects.values_list("conversation_id", flat=True)) == {c.pk for c in mine}
    with pytest.raises(ApplicationError) as missing:
        services.conversations_bulk_apply(
            store=store, conversation_ids=ids, action="tag", acting_user=owner, values={"tag_id": ""}
        )
    assert list(missing.value.errors) == ["tag_id"]
    other_tag = services.tag_create(store=other_store, acting_user=make_member(other_store), name="x")
    with pytest.raises(Http404):
        services.conversations_bulk_apply(
            store=store,
            conversation_ids=ids,
            action="tag",
            acting_user=owner,
            values={"tag_id": other_tag.pk},
        )

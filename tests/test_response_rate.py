"""The 24-hour response rate (R20): arithmetic, edges, store-local days, API, dashboard and drill-down."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Message, ReplyWait, SenderKind
from conversations.services import outbound_message_create, reply_send
from reports import selectors as metrics
from tests.factories import make_buyer, make_inbound, make_member

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
# Fixed "now" for every test: Friday 2026-03-20 11:00 in Los Angeles (18:00 UTC, PDT).
NOW = datetime(2026, 3, 20, 18, 0, tzinfo=UTC)


def _store_agent(store):
    """One agent per store is enough to close waits (creating users hashes passwords, which is slow)."""
    membership = store.memberships.filter(role="agent").select_related("user").first()
    return membership.user if membership else make_member(store, role="agent")


def wait_for(store, *, opened_at, answered_after=None, buyer=None, agent=None, channel="message"):
    """A buyer message at ``opened_at``; if ``answered_after`` is given, an agent reply that long after."""
    result = make_inbound(store, buyer=buyer, sent_at=opened_at, channel=channel)
    if answered_after is not None:
        agent = agent or _store_agent(store)
        reply = reply_send(
            conversation=result.conversation, acting_user=agent, text="Thanks, it ships today."
        )
        closed_at = opened_at + answered_after
        Message.objects.filter(pk=reply.pk).update(created_at=closed_at)
        ReplyWait.objects.filter(opened_by=result.message).update(closed_at=closed_at)
    return ReplyWait.objects.get(opened_by=result.message)


@pytest.fixture
def owner(store):
    return make_member(store, role="owner", username="owner-alpha")


@pytest.fixture
def agent(store):
    return make_member(store, role="agent", username="agent-alpha")


def test_24h_edge_exactly_24h_is_within_and_one_second_more_is_not(store, agent):
    opened = NOW - timedelta(days=3)
    wait_for(store, opened_at=opened, answered_after=timedelta(hours=24), agent=agent)
    wait_for(store, opened_at=opened, answered_after=timedelta(hours=24, seconds=1), agent=agent)

    data = metrics.response_rate(store=store, days=30, now=NOW)

    assert data["answered_within_24h"] == 1
    assert data["total"] == 2
    assert data["rate"] == 0.5
    assert data["distribution"]["8_24h"] == 1
    assert data["distribution"]["over_24h"] == 1


def test_rate_arithmetic_and_distribution_buckets(store, agent):
    opened = NOW - timedelta(days=5)
    for minutes in (5, 59):  # under 1 h
        wait_for(store, opened_at=opened, answered_after=timedelta(minutes=minutes), agent=agent)
    wait_for(store, opened_at=opened, answered_after=timedelta(hours=1), agent=agent)  # 1 h exactly → 1_4h
    wait_for(store, opened_at=opened, answered_after=timedelta(hours=4), agent=agent)  # → 4_8h
    wait_for(store, opened_at=opened, answered_after=timedelta(hours=7, minutes=59), agent=agent)  # → 4_8h
    wait_for(store, opened_at=opened, answered_after=timedelta(hours=8), agent=agent)  # → 8_24h
    wait_for(store, opened_at=opened, answered_after=timedelta(hours=30), agent=agent)  # late
    wait_for(store, opened_at=opened)  # open, long overdue

    data = metrics.response_rate(store=store, days=30, now=NOW)

    assert data["distribution"] == {
        "under_1h": 2,
        "1_4h": 1,
        "4_8h": 2,
        "8_24h": 1,
        "over_24h": 1,
        "resolved_no_reply": 0,
        "still_waiting": 1,
    }
    assert data["answered_within_24h"] == 6
    assert data["total"] == 8
    assert data["rate"] == 0.75
    assert data["answered"] == 7
    assert data["overdue"] == 1
    assert data["missed"] == 2
    assert data["pending"] == 0


def test_pending_is_shown_but_not_counted_until_overdue(store, agent):
    wait_for(store, opened_at=NOW - timedelta(days=2), answered_after=timedelta(hours=2), agent=agent)
    wait_for(store, opened_at=NOW - timedelta(hours=23, minutes=59))  # due in one minute: pending
    wait_for(store, opened_at=NOW - timedelta(hours=24))  # due exactly now: not yet past due
    wait_for(store, opened_at=NOW - timedelta(hours=24, seconds=1))  # past due: overdue, counted, not within

    data = metrics.response_rate(store=store, days=30, now=NOW)

    assert data["pending"] == 2
    assert data["overdue"] == 1
    assert data["total"] == 2
    assert data["answered_within_24h"] == 1
    assert data["rate"] == 0.5
    assert data["distribution"]["still_waiting"] == 3


def test_rate_is_null_when_nothing_is_decided(store):
    wait_for(store, opened_at=NOW - timedelta(hours=1))

    data = metrics.response_rate(store=store, days=30, now=NOW)

    assert data["rate"] is None
    assert (data["total"], data["answered_within_24h"], data["pending"]) == (0, 0, 1)


def test_welcome_autoreply_alone_does_not_close_the_wait(store):
    result = make_inbound(store, sent_at=NOW - timedelta(hours=30))
    outbound_message_create(
        conversation=result.conversation, sender=SenderKind.AUTOREPLY, text="Hello! We reply within a day."
    )
    outbound_message_create(
        conversation=result.conversation, sender=SenderKind.CAMPAIGN, text="Spring sale", buyer_only=True
    )

    wait = ReplyWait.objects.get(opened_by=result.message)
    assert wait.closed_at is None
    data = metrics.response_rate(store=store, days=30, now=NOW)
    assert (data["overdue"], data["answered"], data["rate"]) == (1, 0, 0.0)


def test_a_second_buyer_message_does_not_reset_the_wait(store, agent):
    buyer = make_buyer(store)
    first = make_inbound(store, buyer=buyer, sent_at=NOW - timedelta(hours=30))
    make_inbound(store, buyer=buyer, sent_at=NOW - timedelta(hours=2))  # buyer nudges while the wait is open

    waits = ReplyWait.objects.filter(conversation=first.conversation)
    assert waits.count() == 1
    assert waits.get().opened_at == NOW - timedelta(hours=30)
    reply_send(conversation=first.conversation, acting_user=agent, text="Sorry for the wait!")
    ReplyWait.objects.filter(conversation=first.conversation).update(closed_at=NOW - timedelta(hours=1))

    data = metrics.response_rate(store=store, days=30, now=NOW)
    assert (data["answered_within_24h"], data["total"], data["distribution"]["over_24h"]) == (0, 1, 1)


def test_a_wait_at_2330_los_angeles_lands_on_that_local_date(store, agent):
    assert store.timezone == "America/Los_Angeles"
    late_evening = datetime(2026, 3, 17, 23, 30, tzinfo=LA)  # 2026-03-18 06:30 UTC
    wait_for(store, opened_at=late_evening, answered_after=timedelta(hours=1), agent=agent)

    data = metrics.response_rate(store=store, days=7, now=NOW)

    by_date = {d["date"]: d for d in data["daily"]}
    assert by_date[date(2026, 3, 17)]["answered_within_24h"] == 1
    assert by_date[date(2026, 3, 17)]["rate"] == 1.0
    assert by_date[date(2026, 3, 18)]["total"] == 0
    assert by_date[date(2026, 3, 18)]["rate"] is None


def test_window_is_the_last_n_store_local_days_today_included(store, agent):
    start_of_window = datetime(2026, 3, 14, 0, 0, tzinfo=LA)  # 7 local days: Mar 14 .. Mar 20
    wait_for(store, opened_at=start_of_window, answered_after=timedelta(hours=1), agent=agent)
    wait_for(
        store,
        opened_at=start_of_window - timedelta(seconds=1),
        answered_after=timedelta(hours=1),
        agent=agent,
    )

    data = metrics.response_rate(store=store, days=7, now=NOW)

    assert [d["date"] for d in data["daily"]] == [date(2026, 3, 14) + timedelta(days=i) for i in range(7)]
    assert (data["start_date"], data["end_date"]) == (date(2026, 3, 14), date(2026, 3, 20))
    assert data["total"] == 1


def test_another_stores_waits_are_never_counted(store, other_store, agent):
    wait_for(store, opened_at=NOW - timedelta(days=1), answered_after=timedelta(hours=2), agent=agent)
    wait_for(other_store, opened_at=NOW - timedelta(days=1, hours=1))
    wait_for(other_store, opened_at=NOW - timedelta(days=2), answered_after=timedelta(hours=50))

    mine = metrics.response_rate(store=store, days=30, now=NOW)
    theirs = metrics.response_rate(store=other_store, days=30, now=NOW)

    assert (mine["answered_within_24h"], mine["total"], mine["rate"]) == (1, 1, 1.0)
    assert (theirs["answered_within_24h"], theirs["total"], theirs["rate"]) == (0, 2, 0.0)
    assert [w.store_id for w in metrics.waits_for_bucket(store=store, days=30, now=NOW)] == [store.pk]


def test_response_rate_uses_one_query_whatever_the_number_of_waits(store, agent, django_assert_num_queries):
    for hours in range(12):
        wait_for(
            store,
            opened_at=NOW - timedelta(days=hours % 6, hours=1),
            answered_after=timedelta(hours=hours * 3),
        )
    with django_assert_num_queries(1):
        data = metrics.response_rate(store=store, days=30, now=NOW)
    assert data["total"] == 12


def test_drill_down_lists_match_every_number(store, agent):
    opened = NOW - timedelta(days=4)
    for after in (timedelta(minutes=10), timedelta(hours=2), timedelta(hours=20), timedelta(hours=26)):
        wait_for(store, opened_at=opened, answered_after=after, agent=agent)
    wait_for(store, opened_at=NOW - timedelta(days=2))  # overdue
    wait_for(store, opened_at=NOW - timedelta(hours=3))  # pending

    data = metrics.response_rate(store=store, days=30, now=NOW)

    def count(bucket=None, day=None):
        return metrics.waits_for_bucket(store=store, days=30, bucket=bucket, date=day, now=NOW).count()

    assert count("within_24h") == data["answered_within_24h"] == 3
    assert count("decided") == data["total"] == 5
    assert count("pending") == data["pending"] == 1
    assert count("overdue") == data["overdue"] == 1
    for key, _label in metrics.DISTRIBUTION:
        assert count(key) == data["distribution"][key]
    for day in data["daily"]:
        assert count("decided", day["date"]) == day["total"]
        assert count("within_24h", day["date"]) == day["answered_within_24h"]


def test_api_shape(store, owner, agent):
    wait_for(
        store, opened_at=timezone.now() - timedelta(days=1), answered_after=timedelta(hours=3), agent=agent
    )
    client = APIClient()
    client.force_authenticate(owner)

    r = client.get("/api/v1/metrics/response-rate?days=7")

    assert r.status_code == 200, r.content
    body = r.json()
    assert {"rate", "answered_within_24h", "total", "daily", "pending", "distribution"} <= set(body)
    assert (body["rate"], body["answered_within_24h"], body["total"]) == (1.0, 1, 1)
    assert len(body["daily"]) == 7
    assert {"date", "rate"} <= set(body["daily"][0])
    assert [d["rate"] for d in body["daily"]].count(1.0) == 1
    date.fromisoformat(body["daily"][-1]["date"])
    assert set(body["distribution"]) == {
        "under_1h",
        "1_4h",
        "4_8h",
        "8_24h",
        "over_24h",
        "resolved_no_reply",
        "still_waiting",
    }
    assert body["distribution"]["1_4h"] == 1
    assert client.get("/api/v1/metrics/response-rate").json()["days"] == 30


@pytest.mark.parametrize("days", ["0", "366", "abc", "-3", "7.5"])
def test_api_days_must_be_1_to_365(store, owner, days):
    client = APIClient()
    client.force_authenticate(owner)

    r = client.get(f"/api/v1/metrics/response-rate?days={days}")

    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["days"]
    assert "1 to 365" in r.json()["errors"]["days"][0]


def test_api_needs_a_store_member(store):
    assert APIClient().get("/api/v1/metrics/response-rate").status_code in (401, 403)


def test_api_is_in_the_openapi_schema(store, owner):
    client = APIClient()
    client.force_authenticate(owner)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/metrics/response-rate" in schema["paths"]


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_shows_rate_counts_chart_and_links_to_drill_down(store, owner, agent, other_store):
    now = timezone.now()
    wait_for(store, opened_at=now - timedelta(days=1), answered_after=timedelta(hours=3), agent=agent)
    wait_for(store, opened_at=now - timedelta(days=2))
    wait_for(other_store, opened_at=now - timedelta(days=2), answered_after=timedelta(hours=1))

    r = _login(owner).get(reverse("dashboard"))

    assert r.status_code == 200
    html = r.content.decode()
    assert "50%" in html
    assert "<svg" in html and "90% target" in html
    assert 'href="/dashboard/waits/?days=30&amp;bucket=within_24h"' in html
    assert 'href="/dashboard/waits/?days=30&amp;bucket=over_24h"' in html
    assert r.context["data"]["total"] == 2


def test_dashboard_bad_days_says_why(store, owner):
    r = _login(owner).get(reverse("dashboard") + "?days=999")
    assert r.status_code == 400
    assert "days must be a whole number from 1 to 365" in r.content.decode()


def test_drill_down_page_and_csv_rows_match_the_numbers(store, owner, agent):
    tz = ZoneInfo(store.timezone)
    opened = timezone.now() - timedelta(days=3)
    buyer = make_buyer(store, name="=HYPERLINK(evil)")
    wait_for(store, buyer=buyer, opened_at=opened, answered_after=timedelta(hours=5), agent=agent)
    wait_for(store, opened_at=opened, answered_after=timedelta(hours=25), agent=agent)
    wait_for(store, opened_at=timezone.now() - timedelta(days=1))
    client = _login(owner)
    day = opened.astimezone(tz).date()

    page = client.get(reverse("dashboard-waits"), {"days": 30, "bucket": "decided", "date": day.isoformat()})
    assert page.status_code == 200
    assert len(page.context["rows"]) == 2
    assert page.context["page"].paginator.count == 2
    assert [r["outcome"] for r in page.context["rows"]] == ["within_24h", "late"]
    assert reverse("inbox-thread", args=[page.context["rows"][0]["conversation_id"]]) in page.content.decode()

    r = client.get(reverse("dashboard-waits"), {"days": 30, "bucket": "decided", "format": "csv"})
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode())))
    data = metrics.response_rate(store=store, days=30)
    assert len(rows) == data["total"] == 3
    assert sum(row["outcome"] == "within_24h" for row in rows) == data["answered_within_24h"] == 1
    assert [row["outcome"] for row in rows] == ["within_24h", "late", "overdue"]
    assert rows[0]["first_response_seconds"] == str(5 * 3600)
    assert rows[0]["buyer_name"] == "'=HYPERLINK(evil)"
    assert rows[2]["answered_at"] == ""
    assert datetime.fromisoformat(rows[0]["opened_at"]) == opened
    assert datetime.fromisoformat(rows[0]["opened_at"]).utcoffset() == opened.astimezone(tz).utcoffset()


def test_drill_down_of_another_stores_conversations_shows_nothing(store, other_store, owner):
    wait_for(other_store, opened_at=timezone.now() - timedelta(days=1))
    r = _login(owner).get(reverse("dashboard-waits"), {"days": 30})
    assert r.status_code == 200
    assert r.context["page"].paginator.count == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bucket": "fastest"}, "bucket"),
        ({"date": "20-03-2026"}, "date"),
        ({"days": "0"}, "days"),
        ({"days": "7", "date": "2025-01-01"}, "date"),
    ],
)
def test_drill_down_rejects_bad_filters_naming_the_field(store, owner, params, field):
    r = _login(owner).get(reverse("dashboard-waits"), params)
    assert r.status_code == 400
    assert list(r.context["errors"]) == [field]


def test_R20_response_rate_tracked_and_shown(store, owner, agent):
    """A buyer message, the welcome auto-reply, then an agent reply: tracked as a wait, counted, shown."""
    result = make_inbound(store, text="Where is my parcel?")
    outbound_message_create(
        conversation=result.conversation, sender=SenderKind.AUTOREPLY, text="Hi! Back soon."
    )
    assert ReplyWait.objects.get(opened_by=result.message).closed_at is None

    client = _login(owner)
    client.post(
        reverse("api-conversation-replies", args=[result.conversation.pk]),
        {"text": "It left our warehouse today."},
        content_type="application/json",
    )
    wait = ReplyWait.objects.get(opened_by=result.message)
    assert wait.closed_at is not None and wait.closed_by.sender == SenderKind.AGENT

    api = client.get("/api/v1/metrics/response-rate").json()
    assert (api["rate"], api["answered_within_24h"], api["total"]) == (1.0, 1, 1)
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert "100%" in page.content.decode()
    drill = client.get(reverse("dashboard-waits"), {"bucket": "within_24h"})
    assert [row["conversation_id"] for row in drill.context["rows"]] == [result.conversation.pk]


def test_drill_down_shows_times_in_the_store_time_zone(store, owner, agent):
    tz = ZoneInfo(store.timezone)
    opened = (
        (timezone.now() - timedelta(days=2))
        .astimezone(tz)
        .replace(hour=23, minute=30, second=0, microsecond=0)
    )
    wait_for(store, opened_at=opened, answered_after=timedelta(minutes=45), agent=agent)

    r = _login(owner).get(reverse("dashboard-waits"), {"date": opened.date().isoformat()})

    html = r.content.decode()
    assert f"{opened:%b} {opened.day}, 23:30" in html
    assert "45 min" in html


def _queries_for(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_and_drill_down_query_counts_do_not_grow_with_waits(store, owner, agent):
    client = _login(owner)
    now = timezone.now()
    wait_for(store, opened_at=now - timedelta(days=2), answered_after=timedelta(hours=1), agent=agent)
    few = (
        _queries_for(client, reverse("dashboard"), {}),
        _queries_for(client, reverse("dashboard-waits"), {}),
    )
    for i in range(8):
        wait_for(
            store,
            opened_at=now - timedelta(days=i % 4 + 1),
            answered_after=timedelta(hours=i * 4),
            agent=agent,
        )
    wait_for(store, opened_at=now - timedelta(days=3))
    many = (
        _queries_for(client, reverse("dashboard"), {}),
        _queries_for(client, reverse("dashboard-waits"), {}),
    )
    assert many == few

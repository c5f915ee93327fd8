"""Selectors for the 24-hour response rate (R20), computed from ``ReplyWait`` rows only.

A buyer message opens a wait; the first agent reply closes it (auto-replies and campaign pushes never do).
A wait counts as answered within 24 hours when ``closed_at - opened_at <= 24h`` (the edge counts).
The window is the last ``days`` store-local days, today included, by the store-local date of ``opened_at``.

rate = answered within 24h / decided, where decided = answered (at any time) + open and already past due.
Open waits not yet due are *pending* and stay out of the denominator. Nothing decided → rate is ``None``.

Waits opened while the buyer was blocked (``conversations.models.BuyerBlock``) are left out everywhere.

Everything is aggregated in the database: one grouped query per call, whatever the number of waits.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
)
from django.db.models.functions import Extract, TruncDate
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from conversations.models import Message, ReplyWait, SenderKind
from conversations.selectors import counted_waits
from seller_desk.errors import ApplicationError
from seller_desk.models import DISPUTE_ACTIVE_STATUSES, Dispute, DisputeStatus, Membership, Order, Store
from seller_desk.selectors import day_start, reply_due_within

DEFAULT_DAYS = 30
MAX_DAYS = 365

# First-response-time distribution, in display order. Lower edges are inclusive, upper edges exclusive,
# except 8_24h whose upper edge (exactly 24 h) is inclusive so that it matches the "within 24h" rule.
DISTRIBUTION = (
    ("under_1h", gettext_lazy("Under 1 hour")),
    ("1_4h", gettext_lazy("1–4 hours")),
    ("4_8h", gettext_lazy("4–8 hours")),
    ("8_24h", gettext_lazy("8–24 hours")),
    ("over_24h", gettext_lazy("Over 24 hours")),
    ("resolved_no_reply", gettext_lazy("Resolved without a reply")),
    ("still_waiting", gettext_lazy("Still waiting")),
)

# Every set of waits the dashboard shows a number for; the drill-down list uses the same conditions.
SUMMARY_BUCKETS = {
    "within_24h": gettext_lazy("Answered within 24 hours"),
    "decided": gettext_lazy("Counted in the rate (answered, or open and overdue)"),
    "answered": gettext_lazy("Answered"),
    "missed": gettext_lazy("Not answered within 24 hours (answered late, or open and overdue)"),
    "overdue": gettext_lazy("Open and past due"),
    "pending": gettext_lazy("Open, not yet due"),
}
BUCKETS = {**SUMMARY_BUCKETS, **dict(DISTRIBUTION)}


def response_rate_target() -> float:
    """The reference line on the dashboard (a share of 1); 0.9 unless SELLER_DESK sets it."""
    return float(settings.SELLER_DESK.get("RESPONSE_RATE_TARGET", 0.9))


def days_parse(raw, *, default: int = DEFAULT_DAYS) -> int:
    """``days`` from a query string: a whole number from 1 to 365; missing or empty → the default."""
    if raw is None or str(raw).strip() == "":
        return default
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise ApplicationError(
            {
                "days": gettext(
                    "days must be a whole number from 1 to %(max)s (store-local days, today included); got '%(value)s'."
                )
                % {"max": MAX_DAYS, "value": text[:20]}
            }
        )
    return int(text)


def _bucket_conditions(now: datetime) -> dict[str, Q]:
    # A wait closed by "resolve" with no reply (issue 10, docs/response-rate.md): within its 24 hours it is out of
    # the rate (nothing was owed); resolved after its due time it counts as missed, like an overdue wait.
    resolved = Q(resolved_without_reply=True)
    resolved_late = resolved & Q(closed_at__gt=F("opened_at") + reply_due_within())
    answered = Q(closed_at__isnull=False) & ~resolved
    open_ = Q(closed_at__isnull=True)
    within = answered & Q(closed_at__lte=F("opened_at") + reply_due_within())
    overdue = open_ & Q(due_at__lt=now)
    pending = open_ & Q(due_at__gte=now)

    def faster_than(hours: int) -> Q:
        return Q(closed_at__lt=F("opened_at") + timedelta(hours=hours))

    return {
        "within_24h": within,
        "decided": answered | overdue | resolved_late,
        "answered": answered,
        "missed": (answered & ~within) | overdue | resolved_late,
        "overdue": overdue,
        "pending": pending,
        "under_1h": answered & faster_than(1),
        "1_4h": answered & ~faster_than(1) & faster_than(4),
        "4_8h": answered & ~faster_than(4) & faster_than(8),
        "8_24h": answered & ~faster_than(8) & within,
        "over_24h": answered & ~within,
        "resolved_no_reply": resolved,
        "still_waiting": open_,
    }


@dataclass(frozen=True)
class Window:
    days: int
    start: date  # first store-local date, inclusive
    end: date  # last store-local date (today), inclusive
    tz: ZoneInfo

    @property
    def start_at(self) -> datetime:
        return day_start(self.start, self.tz)

    @property
    def end_at(self) -> datetime:
        """The store-local midnight after the window's last day (exclusive)."""
        return day_start(self.end + timedelta(days=1), self.tz)

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def response_window(*, store: Store, days: int = DEFAULT_DAYS, now: datetime | None = None) -> Window:
    tz = ZoneInfo(store.timezone)
    today = (now or timezone.now()).astimezone(tz).date()
    return Window(days=days, start=today - timedelta(days=days - 1), end=today, tz=tz)


def _rate(within: int, decided: int) -> float | None:
    return round(within / decided, 4) if decided else None


def response_rate(*, store: Store, days: int = DEFAULT_DAYS, now: datetime | None = None) -> dict:
    """The store's 24-hour response rate over the last ``days`` store-local days, with daily figures and the
    first-response-time distribution. One database query.
    """
    now = now or timezone.now()
    window = response_window(store=store, days=days, now=now)
    conditions = _bucket_conditions(now)
    rows = (
        counted_waits(store=store)
        .filter(opened_at__gte=window.start_at, opened_at__lt=window.end_at)
        .annotate(day=TruncDate("opened_at", tzinfo=window.tz))
        .values("day")
        .annotate(**{f"n_{key}": Count("id", filter=q) for key, q in conditions.items()})
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    totals = dict.fromkeys(conditions, 0)
    daily = []
    for day in window.dates():
        row = by_day.get(day)
        counts = {key: (row[f"n_{key}"] if row else 0) for key in conditions}
        for key, value in counts.items():
            totals[key] += value
        daily.append(
            {
                "date": day,
                "rate": _rate(counts["within_24h"], counts["decided"]),
                "answered_within_24h": counts["within_24h"],
                "total": counts["decided"],
                "pending": counts["pending"],
            }
        )
    return {
        "rate": _rate(totals["within_24h"], totals["decided"]),
        "answered_within_24h": totals["within_24h"],
        "total": totals["decided"],
        "pending": totals["pending"],
        "answered": totals["answered"],
        "overdue": totals["overdue"],
        "missed": totals["missed"],
        "days": window.days,
        "start_date": window.start,
        "end_date": window.end,
        "timezone": store.timezone,
        "daily": daily,
        "distribution": {key: totals[key] for key, _label in DISTRIBUTION},
    }


def bucket_parse(raw) -> str | None:
    if raw is None or str(raw).strip() == "":
        return None
    if raw not in BUCKETS:
        raise ApplicationError(
            {
                "bucket": gettext("bucket must be one of %(values)s; got '%(value)s'.")
                % {"values": ", ".join(BUCKETS), "value": str(raw)[:30]}
            }
        )
    return raw


def date_parse(raw) -> date | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ApplicationError(
            {
                "date": gettext("date must be a store-local date as YYYY-MM-DD; got '%(value)s'.")
                % {"value": str(raw)[:30]}
            }
        ) from None


def waits_for_bucket(
    *,
    store: Store,
    days: int = DEFAULT_DAYS,
    bucket: str | None = None,
    date: date | None = None,
    now: datetime | None = None,
    agent_id: int | None = None,
) -> QuerySet[ReplyWait]:
    """The waits behind one dashboard number, oldest first: the window (or one store-local ``date`` in it),
    narrowed to ``bucket`` (a key of ``BUCKETS``; ``None`` → every wait in the window). Each row carries
    ``response_time`` (``None`` while open) and its conversation, buyer and order.
    """
    now = now or timezone.now()
    window = response_window(store=store, days=days, now=now)
    if date is not None and not window.start <= date <= window.end:
        raise ApplicationError(
            {
                "date": gettext(
                    "%(date)s is outside the last %(days)s days (%(start)s to %(end)s); widen days or pick another date."
                )
                % {
                    "date": date.isoformat(),
                    "days": days,
                    "start": window.start.isoformat(),
                    "end": window.end.isoformat(),
                }
            }
        )
    if bucket is not None and bucket not in BUCKETS:
        raise ApplicationError(
            {"bucket": gettext("bucket must be one of %(values)s.") % {"values": ", ".join(BUCKETS)}}
        )
    start_at, end_at = window.start_at, window.end_at
    if date is not None:
        start_at = day_start(date, window.tz)
        end_at = day_start(date + timedelta(days=1), window.tz)
    qs = counted_waits(store=store).filter(opened_at__gte=start_at, opened_at__lt=end_at)
    if bucket is not None:
        qs = qs.filter(_bucket_conditions(now)[bucket])
    if agent_id is not None:
        qs = qs.filter(closed_by__sent_by_id=agent_id, resolved_without_reply=False)
    return (
        qs.select_related("conversation__buyer", "conversation__order")
        .annotate(
            response_time=ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())
        )
        .order_by("opened_at", "id")
    )


def wait_outcome(wait: ReplyWait, *, now: datetime) -> str:
    """One word for a wait's state: within_24h, late, resolved, overdue or pending."""
    if wait.resolved_without_reply:
        return "resolved"
    if wait.closed_at is not None:
        return "within_24h" if wait.closed_at - wait.opened_at <= reply_due_within() else "late"
    return "overdue" if wait.due_at < now else "pending"


# --- dispute figures (issue 12, point 3): open, escalated, agreed, average days to agreement, disputes per 100
# shipped orders, disputes opened per day, and the disputes behind each number. Same window as the rate.

DISPUTE_KINDS = {
    "open": gettext_lazy("Open now (no agreement yet)"),
    "escalated": gettext_lazy("Escalated to the platform"),
    "agreed": "Agreed",
    "opened": "Opened",
}


def dispute_kind_parse(raw) -> str:
    if raw in (None, ""):
        return "opened"
    if raw not in DISPUTE_KINDS:
        raise ApplicationError(
            {
                "kind": gettext("kind is one of %(values)s (got '%(value)s').")
                % {"values": ", ".join(DISPUTE_KINDS), "value": raw}
            }
        )
    return raw


def _in_window(window: Window, field: str, day: date | None = None) -> Q:
    if day is not None:
        start = day_start(day, window.tz)
        return Q(**{f"{field}__gte": start, f"{field}__lt": start + timedelta(days=1)})
    return Q(**{f"{field}__gte": window.start_at, f"{field}__lt": window.end_at})


def disputes_for(
    *, store: Store, days: int, kind: str, day: date | None = None, now: datetime | None = None
) -> QuerySet[Dispute]:
    """The disputes behind one figure, the deadline nearest first (open) or the latest first."""
    window = response_window(store=store, days=days, now=now)
    qs = Dispute.objects.filter(store=store).select_related("order", "order__buyer")
    if kind == "open":
        return qs.filter(status__in=DISPUTE_ACTIVE_STATUSES).order_by("escalates_at", "id")
    if kind == "escalated":
        return qs.filter(_in_window(window, "escalated_at", day), status=DisputeStatus.ESCALATED).order_by(
            "-escalated_at"
        )
    if kind == "agreed":
        return qs.filter(_in_window(window, "agreed_at", day), status=DisputeStatus.AGREED).order_by(
            "-agreed_at"
        )
    return qs.filter(_in_window(window, "opened_at", day)).order_by("-opened_at", "-id")


def dispute_figures(*, store: Store, days: int, now: datetime | None = None) -> dict:
    """The figures in three queries: the dispute counts, the shipped orders, the disputes opened per day."""
    now = now or timezone.now()
    window = response_window(store=store, days=days, now=now)
    to_agreement = ExpressionWrapper(F("agreed_at") - F("opened_at"), output_field=DurationField())
    figures = Dispute.objects.filter(store=store).aggregate(
        open=Count("id", filter=Q(status__in=DISPUTE_ACTIVE_STATUSES)),
        escalated=Count("id", filter=Q(status=DisputeStatus.ESCALATED) & _in_window(window, "escalated_at")),
        agreed=Count("id", filter=Q(status=DisputeStatus.AGREED) & _in_window(window, "agreed_at")),
        opened=Count("id", filter=_in_window(window, "opened_at")),
        avg_to_agreement=Avg(
            to_agreement, filter=Q(status=DisputeStatus.AGREED) & _in_window(window, "agreed_at")
        ),
    )
    shipped = Order.objects.filter(_in_window(window, "shipped_at"), store=store).count()
    per_day = dict(
        Dispute.objects.filter(_in_window(window, "opened_at"), store=store)
        .annotate(day=TruncDate("opened_at", tzinfo=window.tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    avg = figures["avg_to_agreement"]
    return {
        "window": window,
        "open": figures["open"],
        "escalated": figures["escalated"],
        "agreed": figures["agreed"],
        "opened": figures["opened"],
        "shipped": shipped,
        "avg_days_to_agreement": round(avg.total_seconds() / 86400, 1) if avg is not None else None,
        "per_100_shipped": round(figures["opened"] * 100 / shipped, 1) if shipped else None,
        "daily": [{"date": d, "opened": per_day.get(d, 0)} for d in window.dates()],
    }


# --- the agent report (issue 10, point 8): per member for the window, by the waits they closed with a reply ---


class _Median(Aggregate):
    """PostgreSQL's median: percentile_cont(0.5) WITHIN GROUP (ORDER BY …)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def store_member_rows(*, store: Store) -> list[dict]:
    return [
        {"id": i, "username": u}
        for i, u in Membership.objects.filter(store=store, user__is_active=True)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    ]


def agent_report(*, store: Store, days: int = DEFAULT_DAYS, now: datetime | None = None) -> list[dict]:
    """Per member: conversations handled (replied in), replies, first responses (waits opened in the window that
    their reply closed), how many within 24 h, and the median first-response time in seconds. Three queries
    on PostgreSQL (the median in the database); on SQLite the median is taken over the fetched durations."""
    now = now or timezone.now()
    window = response_window(store=store, days=days, now=now)
    members = list(
        Membership.objects.filter(store=store, user__is_active=True)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )
    replies = {
        row["sent_by_id"]: row
        for row in Message.objects.filter(
            store=store,
            sender=SenderKind.AGENT,
            created_at__gte=window.start_at,
            created_at__lt=window.end_at,
        )
        .order_by()
        .values("sent_by_id")
        .annotate(replies=Count("id"), handled=Count("conversation_id", distinct=True))
    }
    response = ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())
    waits = counted_waits(store=store).filter(
        opened_at__gte=window.start_at,
        opened_at__lt=window.end_at,
        closed_by__isnull=False,
        resolved_without_reply=False,
    )
    within = Q(closed_at__lte=F("opened_at") + reply_due_within())
    first = (
        waits.order_by()
        .values("closed_by__sent_by_id")
        .annotate(n=Count("id"), within=Count("id", filter=within))
    )
    medians: dict = {}
    if connection.vendor == "postgresql":
        first = first.annotate(median=_Median(Extract(response, "epoch")))
        by_agent = {row["closed_by__sent_by_id"]: row for row in first}
        medians = {k: row["median"] for k, row in by_agent.items()}
    else:
        by_agent = {row["closed_by__sent_by_id"]: row for row in first}
        durations: dict = {}
        for agent_id, spent in waits.annotate(spent=response).values_list("closed_by__sent_by_id", "spent"):
            durations.setdefault(agent_id, []).append(spent.total_seconds())
        medians = {k: statistics.median(v) for k, v in durations.items()}
    rows = []
    for user_id, username in members:
        sent = replies.get(user_id, {})
        firsts = by_agent.get(user_id, {})
        n = firsts.get("n", 0)
        median = medians.get(user_id)
        rows.append(
            {
                "user": {"id": user_id, "username": username},
                "conversations": sent.get("handled", 0),
                "replies": sent.get("replies", 0),
                "first_responses": n,
                "within_24h": firsts.get("within", 0),
                "within_24h_share": round(firsts.get("within", 0) / n, 4) if n else None,
                "median_first_response_seconds": round(median) if median is not None else None,
            }
        )
    return rows

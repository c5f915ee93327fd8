"""The response-rate dashboard (R20) and its drill-down: the waits behind every number, as a page and as CSV."""

import csv
import io
import math
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from conversations.models import Channel
from seller_desk import durations
from seller_desk.auth import store_member_required
from seller_desk.charts import DayAxes
from seller_desk.errors import ApplicationError

from . import selectors
from .charts import dispute_chart

WINDOW_CHOICES = (7, 30, 90)
WAITS_PER_PAGE = 100

# Chart geometry (SVG user units; the SVG scales to the card's width).
CHART_W, CHART_H = 920, 250
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 46, 78, 14, 34

OUTCOME_LABELS = {
    "within_24h": gettext_lazy("Within 24 h"),
    "late": gettext_lazy("Answered late"),
    "overdue": "Overdue",
    "pending": gettext_lazy("Waiting, not yet due"),
    "resolved": gettext_lazy("Resolved without a reply"),
}
OUTCOME_BADGES = {"within_24h": "ok", "late": "warn", "overdue": "bad", "pending": "", "resolved": ""}


def _percent(rate: float | None) -> str:
    if rate is None:
        return "—"
    text = f"{rate * 100:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def _waits_url(
    *, days: int, bucket: str | None = None, day=None, csv_format: bool = False, agent: int | None = None
) -> str:
    params: dict[str, str] = {"days": str(days)}
    if bucket:
        params["bucket"] = bucket
    if day is not None:
        params["date"] = day.isoformat()
    if agent is not None:
        params["agent"] = agent
    if csv_format:
        params["format"] = "csv"
    return f"{reverse('dashboard-waits')}?{urlencode(params)}"


def _daily_chart(data: dict, *, days: int, target: float) -> dict:
    axes = DayAxes(
        width=CHART_W,
        height=CHART_H,
        left=PAD_LEFT,
        right=PAD_RIGHT,
        top=PAD_TOP,
        bottom=PAD_BOTTOM,
        days=days,
        max_value=1.0,
    )
    bar_w = max(1.0, min(axes.slot * 0.72, 26.0))
    label_every = max(1, math.ceil(days * 52 / axes.plot_w))
    bars = []
    last = len(data["daily"]) - 1
    for i, day in enumerate(data["daily"]):
        x = axes.left + i * axes.slot
        rate = day["rate"]
        height = 0.0 if rate is None else max(axes.height_of(rate), 1.5)
        when = formats.date_format(day["date"], "SHORT_DATE_FORMAT")
        in_progress = i == last and day["pending"] > 0
        if rate is None:
            title = gettext("%(when)s: no rate — nothing decided") % {"when": when}
        else:
            title = gettext("%(when)s: %(rate)s — %(answered)s of %(total)s answered within 24 h") % {
                "when": when,
                "rate": _percent(rate),
                "answered": day["answered_within_24h"],
                "total": day["total"],
            }
        if day["pending"]:
            title += gettext("; %(pending)s still waiting, not yet due") % {"pending": day["pending"]}
        if in_progress:
            title = gettext("Today, in progress: %(title)s") % {"title": title}
        has_waits = bool(day["total"] or day["pending"])
        bars.append(
            {
                "slot_x": round(x, 2),
                "slot_w": round(axes.slot, 2),
                "x": round(x + (axes.slot - bar_w) / 2, 2),
                "y": round(axes.base - height, 2),
                "w": round(bar_w, 2),
                "h": round(height, 2),
                "pending_only": rate is None and day["pending"] > 0,
                # Today with waits still open: the rate can still fall, so the bar is drawn as in progress.
                "in_progress": in_progress,
                "below": rate is not None and rate < target,
                "title": title,
                "href": _waits_url(days=days, day=day["date"]) if has_waits else None,
                # Labels count back from today, so the newest day always has one.
                "label": formats.date_format(day["date"], "MONTH_DAY_FORMAT")
                if (last - i) % label_every == 0
                else None,
                "label_x": round(x + axes.slot / 2, 2),
            }
        )
    grid = [
        {"y": round(axes.y(share), 2), "label": f"{int(share * 100)}%"} for share in (0, 0.25, 0.5, 0.75, 1)
    ]
    return {
        "w": axes.width,
        "h": axes.height,
        "left": axes.left,
        "right": axes.width - axes.right,
        "top": axes.top,
        "plot_h": axes.plot_h,
        "base_y": axes.base,
        "label_y": axes.base + 20,
        "bars": bars,
        "grid": grid,
        "target_y": round(axes.y(target), 2),
        "target_label": _percent(target),
    }


def _distribution_rows(data: dict, *, days: int) -> list[dict]:
    counts = data["distribution"]
    everything = sum(counts.values())
    top = max(counts.values(), default=0) or 1
    rows = []
    for key, label in selectors.DISTRIBUTION:
        n = counts[key]
        rows.append(
            {
                "key": key,
                "label": label,
                "count": n,
                "share": f"{n / everything * 100:.1f}%" if everything else "—",
                "width": round(n / top * 100, 1),
                "href": _waits_url(days=days, bucket=key),
            }
        )
    return rows


@store_member_required
def dashboard(request):
    now = timezone.now()
    error = None
    try:
        days = selectors.days_parse(request.GET.get("days"))
    except ApplicationError as exc:
        error, days = exc.errors["days"][0], selectors.DEFAULT_DAYS
    data = selectors.response_rate(store=request.store, days=days, now=now)
    target = selectors.response_rate_target()
    stats = [
        ("within_24h", gettext("Answered within 24 h"), data["answered_within_24h"]),
        ("over_24h", gettext("Answered later"), data["distribution"]["over_24h"]),
        ("overdue", gettext("Overdue, no reply yet"), data["overdue"]),
        ("pending", gettext("Waiting, not yet due"), data["pending"]),
    ]
    context = {
        "nav": "dashboard",
        "data": data,
        "days": days,
        "error": error,
        "rate_text": _percent(data["rate"]),
        "target": target,
        "target_text": _percent(target),
        "meets_target": data["rate"] is not None and data["rate"] >= target,
        "window_choices": [(n, n == days) for n in WINDOW_CHOICES],
        "within_url": _waits_url(days=days, bucket="within_24h"),
        "decided_url": _waits_url(days=days, bucket="decided"),
        "all_url": _waits_url(days=days),
        "stats": [
            {"key": k, "label": lbl, "count": n, "href": _waits_url(days=days, bucket=k)}
            for k, lbl, n in stats
        ],
        "chart": _daily_chart(data, days=days, target=target),
        "distribution": _distribution_rows(data, days=days),
        "daily_rows": [
            {**day, "rate_text": _percent(day["rate"]), "href": _waits_url(days=days, day=day["date"])}
            for day in reversed(data["daily"])
        ],
    }
    context.update(_dispute_context(request.store, days=days, now=now))
    context.update(_agent_context(request.store, days=days, now=now))
    return render(request, "reports/dashboard.html", context, status=400 if error else 200)


# --- the agent report (issue 10, point 8) ---


def _agent_context(store, *, days: int, now) -> dict:
    rows = []
    for row in selectors.agent_report(store=store, days=days, now=now):
        seconds = row["median_first_response_seconds"]
        rows.append(
            {
                **row,
                "share_text": _percent(row["within_24h_share"]),
                "median_text": duration_text(timedelta(seconds=seconds)) if seconds is not None else "—",
                "href": _waits_url(days=days, agent=row["user"]["id"]),
            }
        )
    return {
        "agents": rows,
        "agents_csv_url": f"{reverse('dashboard-agents-csv')}?{urlencode({'days': days})}",
    }


AGENT_CSV_COLUMNS = (
    "user_id",
    "username",
    "conversations_handled",
    "replies",
    "first_responses",
    "within_24h",
    "within_24h_share",
    "median_first_response_seconds",
)


@store_member_required
def dashboard_agents_csv(request):
    """The agent report as CSV in UTF-8 with a byte-order mark, so that Excel reads non-Latin names right."""
    try:
        days = selectors.days_parse(request.GET.get("days"))
    except ApplicationError as exc:
        return HttpResponseBadRequest(exc.errors["days"][0])
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(AGENT_CSV_COLUMNS)
    for row in selectors.agent_report(store=request.store, days=days):
        writer.writerow(
            [
                row["user"]["id"],
                _csv_cell(row["user"]["username"]),
                row["conversations"],
                row["replies"],
                row["first_responses"],
                row["within_24h"],
                "" if row["within_24h_share"] is None else row["within_24h_share"],
                "" if row["median_first_response_seconds"] is None else row["median_first_response_seconds"],
            ]
        )
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="agents_last_{days}_days.csv"'
    return response


def duration_text(value: timedelta | None) -> str:
    """A first-response time as a person reads it: 42 s, 17 min, 3 h 05 min, 24 h 54 min, 2 d 4 h."""
    if value is None:
        return ""
    return durations.duration_text(value.total_seconds())


def _local(value: datetime | None, tz) -> datetime | None:
    return value.astimezone(tz) if value is not None else None


def _wait_row(wait, *, now: datetime, tz) -> dict:
    conversation = wait.conversation
    outcome = selectors.wait_outcome(wait, now=now)
    return {
        "conversation_id": conversation.pk,
        "buyer_id": conversation.buyer.external_id,
        "buyer_name": conversation.buyer.name,
        "buyer_country": conversation.buyer.country,
        "channel": conversation.channel,
        "channel_label": Channel(conversation.channel).label,
        "order_id": conversation.order.external_id if conversation.order else "",
        "opened_at": _local(wait.opened_at, tz),
        "due_at": _local(wait.due_at, tz),
        "answered_at": _local(wait.closed_at, tz),
        "response_seconds": int(wait.response_time.total_seconds())
        if wait.response_time is not None
        else None,
        "response_text": duration_text(wait.response_time),
        "waiting_text": duration_text(now - wait.opened_at) if wait.closed_at is None else "",
        "outcome": outcome,
        "outcome_label": OUTCOME_LABELS[outcome],
        "outcome_badge": OUTCOME_BADGES[outcome],
    }


CSV_COLUMNS = (
    "conversation_id",
    "thread_url",
    "buyer_id",
    "buyer_name",
    "buyer_country",
    "channel",
    "order_id",
    "opened_at",
    "due_at",
    "answered_at",
    "first_response_seconds",
    "first_response",
    "outcome",
)


def _csv_cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula (buyer names come from outside)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


def _csv_response(request, waits, *, now: datetime, tz, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(CSV_COLUMNS)
        for wait in waits.iterator(chunk_size=1000):
            row = _wait_row(wait, now=now, tz=tz)
            thread_url = request.build_absolute_uri(reverse("inbox-thread", args=[row["conversation_id"]]))
            yield writer.writerow(
                [
                    row["conversation_id"],
                    thread_url,
                    _csv_cell(row["buyer_id"]),
                    _csv_cell(row["buyer_name"]),
                    row["buyer_country"],
                    row["channel"],
                    _csv_cell(row["order_id"]),
                    row["opened_at"].isoformat(),
                    row["due_at"].isoformat(),
                    row["answered_at"].isoformat() if row["answered_at"] else "",
                    "" if row["response_seconds"] is None else row["response_seconds"],
                    row["response_text"],
                    row["outcome"],
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CHIPS = (
    ("within_24h", gettext_lazy("Within 24 h")),
    ("over_24h", gettext_lazy("Answered later")),
    ("overdue", gettext_lazy("Overdue")),
    ("pending", gettext_lazy("Not yet due")),
)


def _filter_chips(*, days: int, bucket: str | None, day) -> list[dict]:
    """Quick filters on the drill-down; the list being shown gets a chip of its own when it is not one of them."""
    chips = list(CHIPS)
    if bucket is not None and bucket not in dict(CHIPS):
        chips.insert(0, (bucket, selectors.BUCKETS[bucket]))
    return [
        {
            "key": key,
            "label": label,
            "href": _waits_url(days=days, bucket=key, day=day),
            "active": key == bucket,
        }
        for key, label in chips
    ]


def _agent_parse(store, raw) -> dict | None:
    """``agent`` of the drill-down: a member of the caller's store (anyone else is named as an error)."""
    if raw in (None, ""):
        return None
    member = next((m for m in selectors.store_member_rows(store=store) if str(m["id"]) == str(raw)), None)
    if member is None:
        raise ApplicationError({"agent": gettext("agent is the user id of a member of this store.")})
    return member


@store_member_required
def dashboard_waits(request):
    """The conversations behind one dashboard number (same filters as the number), as a page or ?format=csv."""
    now = timezone.now()
    try:
        days = selectors.days_parse(request.GET.get("days"))
        bucket = selectors.bucket_parse(request.GET.get("bucket"))
        day = selectors.date_parse(request.GET.get("date"))
        agent = _agent_parse(request.store, request.GET.get("agent"))
        waits = selectors.waits_for_bucket(
            store=request.store,
            days=days,
            bucket=bucket,
            date=day,
            now=now,
            agent_id=agent["id"] if agent else None,
        )
    except ApplicationError as exc:
        return render(
            request,
            "reports/waits.html",
            {"nav": "dashboard", "errors": exc.errors, "back_url": reverse("dashboard")},
            status=400,
        )
    window = selectors.response_window(store=request.store, days=days, now=now)
    tz = window.tz
    if request.GET.get("format") == "csv":
        span = day.isoformat() if day else f"{window.start.isoformat()}_{window.end.isoformat()}"
        filename = f"response-rate_{bucket or 'all'}_{span}.csv"
        return _csv_response(request, waits, now=now, tz=tz, filename=filename)
    page = Paginator(waits, WAITS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [_wait_row(wait, now=now, tz=tz) for wait in page.object_list]
    base = {k: v for k, v in request.GET.items() if k in ("days", "bucket", "date", "agent")}
    context = {
        "nav": "dashboard",
        "days": days,
        "bucket": bucket,
        "bucket_label": (selectors.BUCKETS[bucket] if bucket else gettext("All buyer messages"))
        + (f" · first responses by {agent['username']}" if agent else ""),
        "day": day,
        "window": window,
        "page": page,
        "rows": rows,
        "timezone_name": request.store.timezone,
        "csv_url": _waits_url(
            days=days, bucket=bucket, day=day, csv_format=True, agent=agent["id"] if agent else None
        ),
        "back_url": f"{reverse('dashboard')}?{urlencode({'days': days})}",
        "page_query": urlencode(base),
        "buckets": _filter_chips(days=days, bucket=bucket, day=day),
        "all_href": _waits_url(days=days, day=day),
    }
    return render(request, "reports/waits.html", context)


# --- dispute figures (issue 12) ---
DISPUTES_PER_PAGE = 100


def _disputes_url(*, days: int, kind: str, day=None) -> str:
    params = {"days": str(days), "kind": kind}
    if day is not None:
        params["date"] = day.isoformat()
    return f"{reverse('dashboard-disputes')}?{urlencode(params)}"


def _dispute_context(store, *, days: int, now) -> dict:
    figures = selectors.dispute_figures(store=store, days=days, now=now)
    avg = figures["avg_days_to_agreement"]
    per_100 = figures["per_100_shipped"]
    cards = [
        ("open", _("Open"), figures["open"], _("no agreement yet, now")),
        ("escalated", _("Escalated"), figures["escalated"], _("to the platform in the window")),
        ("agreed", _("Agreed"), figures["agreed"], _("in the window")),
        ("agreed", _("Avg. days to agreement"), "—" if avg is None else f"{avg:g}", _("of those agreed")),
        (
            "opened",
            _("Per 100 shipped orders"),
            "—" if per_100 is None else f"{per_100:g}",
            _("%(opened)s opened, %(shipped)s shipped")
            % {"opened": figures["opened"], "shipped": figures["shipped"]},
        ),
    ]
    return {
        "disputes": {
            "cards": [
                {
                    "kind": kind,
                    "label": label,
                    "value": value,
                    "note": note,
                    "href": _disputes_url(days=days, kind=kind),
                }
                for kind, label, value, note in cards
            ],
            "chart": dispute_chart(
                figures["daily"], href=lambda day: _disputes_url(days=days, kind="opened", day=day)
            ),
            "opened": figures["opened"],
        }
    }


@store_member_required
def dashboard_disputes(request):
    """The disputes behind one dispute figure on the dashboard (same window), each linking to its thread."""
    now = timezone.now()
    try:
        days = selectors.days_parse(request.GET.get("days"))
        kind = selectors.dispute_kind_parse(request.GET.get("kind"))
        day = selectors.date_parse(request.GET.get("date"))
    except ApplicationError as exc:
        return render(
            request,
            "reports/disputes.html",
            {"nav": "dashboard", "errors": exc.errors, "back_url": reverse("dashboard")},
            status=400,
        )
    disputes = selectors.disputes_for(store=request.store, days=days, kind=kind, day=day, now=now)
    page = Paginator(disputes, DISPUTES_PER_PAGE).get_page(request.GET.get("page"))
    tz = selectors.response_window(store=request.store, days=days, now=now).tz
    with timezone.override(tz):
        return render(
            request,
            "reports/disputes.html",
            {
                "nav": "dashboard",
                "days": days,
                "kind": kind,
                "kind_label": selectors.DISPUTE_KINDS[kind],
                "day": day,
                "page": page,
                "kinds": [
                    {"key": k, "label": label, "href": _disputes_url(days=days, kind=k), "active": k == kind}
                    for k, label in selectors.DISPUTE_KINDS.items()
                ],
                "back_url": f"{reverse('dashboard')}?{urlencode({'days': days})}",
            },
        )

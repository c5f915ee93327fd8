"""The auto-reply page: the owner sets the switch, the welcome and the keyword card; members see it read-only.

The form posts every keyword row as ``kw-<n>-<field>`` (``<n>`` only tells rows apart; their order on the page is
the card's order). Rows left completely empty are ignored. The browser script adds, removes and reorders rows and
draws the live preview; without it the page still saves what is typed.
"""

import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from coupons.selectors import coupon_list_attachable, coupon_state
from seller_desk.auth import store_member_required
from seller_desk.errors import ApplicationError
from seller_desk.models import MemberRole
from templates_i18n.dates import stale_dates_listing
from templates_i18n.guard import banned_words_message, text_check
from templates_i18n.languages import LANGUAGE_NAMES, SUPPORTED_LANGUAGES, detect_language, direction

from . import selectors, services
from .charts import cards_and_taps_chart, keyword_spark
from .models import (
    KEYWORD_MAX_CHARS,
    KEYWORDS_MAX,
    KEYWORDS_MIN,
    REPLY_TEXT_MAX_CHARS,
    WELCOME_MAX_CHARS,
    ReplyType,
    TapOutcome,
)
from .texts import ALREADY_HELD, DEFAULT_TEXTS, REASONS, UNAVAILABLE

ROW_KEY = re.compile(r"^kw-(\w+)-(id|keyword|reply_type|text|coupon_id|image|texts-[A-Za-z-]+)$")
ERROR_KEY = re.compile(r"^keywords\[(\d+)\]\.([\w.-]+)$")
# Languages a text can have a version in besides the base (English is usually the base, but a store may write
# its base in any language; a version in the base's own language is simply never needed).
VERSION_LANGUAGES = [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES]
BLANK_ROWS = 3


@dataclass
class Row:
    """One keyword row as the form shows it."""

    prefix: str
    id: int | None = None
    keyword: str = ""
    reply_type: str = ReplyType.TEXT
    text: str = ""
    coupon_id: int | None = None
    image_url: str = ""
    taps: int = 0
    texts: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def versions(self) -> list[dict]:
        return [
            {"code": code, "name": name, "text": self.texts.get(code, ""), "dir": direction(code)}
            for code, name in VERSION_LANGUAGES
        ]

    @property
    def version_count(self) -> int:
        return sum(1 for v in self.texts.values() if v.strip())


def _rows_from_store(store, taps: dict[int, int]) -> list[Row]:
    rows = [
        Row(
            prefix=str(k.pk),
            id=k.pk,
            keyword=k.keyword,
            reply_type=k.reply_type,
            text=k.text,
            coupon_id=k.coupon_id,
            image_url=k.image.url if k.image else "",
            taps=taps.get(k.pk, 0),
            texts=dict(k.texts or {}),
        )
        for k in selectors.keyword_list(store=store)
    ]
    if not rows:
        rows = [Row(prefix=f"new{i}") for i in range(BLANK_ROWS)]
    return rows


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _rows_from_post(request, existing_images: dict[int, str]) -> list[Row]:
    prefixes: list[str] = []
    for key in [*request.POST.keys(), *request.FILES.keys()]:
        match = ROW_KEY.match(key)
        if match and match.group(1) not in prefixes:
            prefixes.append(match.group(1))
    rows = []
    for prefix in prefixes:
        post = request.POST
        row = Row(
            prefix=prefix,
            id=_int_or_none(post.get(f"kw-{prefix}-id")),
            keyword=post.get(f"kw-{prefix}-keyword", ""),
            reply_type=post.get(f"kw-{prefix}-reply_type", ReplyType.TEXT),
            text=post.get(f"kw-{prefix}-text", ""),
            coupon_id=_int_or_none(post.get(f"kw-{prefix}-coupon_id")),
            texts={
                code: post.get(f"kw-{prefix}-texts-{code}", "")
                for code, _ in VERSION_LANGUAGES
                if post.get(f"kw-{prefix}-texts-{code}", "").strip()
            },
        )
        row.image_url = existing_images.get(row.id, "") if row.id else ""
        rows.append(row)
    return rows


def _is_blank(row: Row, upload) -> bool:
    return (
        row.id is None
        and not row.keyword.strip()
        and not row.text.strip()
        and upload is None
        and not row.coupon_id
    )


def _keyword_payload(row: Row, upload) -> dict:
    """Only the chosen reply type's content goes to the service (the other fields may hold leftovers)."""
    item = {"id": row.id, "keyword": row.keyword, "reply_type": row.reply_type}
    if row.reply_type == ReplyType.TEXT:
        item["text"] = row.text
        item["texts"] = row.texts
    elif row.reply_type == ReplyType.PICTURE:
        item["image"] = upload
    elif row.reply_type == ReplyType.COUPON:
        item["coupon_id"] = row.coupon_id
    return item


def _coupon_options(store, rows: list[Row]) -> list[dict]:
    """Coupons a keyword can send now, plus any a row already uses that can't be sent any more (labelled why)."""
    options = [
        {"id": c.pk, "name": c.name, "label": _coupon_label(c), "ok": True}
        for c in coupon_list_attachable(store=store)
    ]
    known = {o["id"] for o in options}
    missing = {r.coupon_id for r in rows if r.coupon_id and r.coupon_id not in known}
    if missing:
        from coupons.selectors import coupon_list

        for coupon in coupon_list(store=store).filter(pk__in=missing):
            state = coupon_state(coupon)
            options.append(
                {
                    "id": coupon.pk,
                    "name": coupon.name,
                    "label": f"{_coupon_label(coupon)} — {state.label}",
                    "ok": False,
                }
            )
    return options


def _amount(value) -> str:
    return f"{value.normalize():f}"


def _coupon_label(coupon) -> str:
    threshold = (
        gettext("orders over %(threshold)s %(currency)s")
        % {"threshold": _amount(coupon.threshold), "currency": coupon.currency}
        if coupon.threshold
        else gettext("no threshold")
    )
    off = gettext("%(amount)s %(currency)s off") % {
        "amount": _amount(coupon.denomination),
        "currency": coupon.currency,
    }
    return f"{coupon.name} · {off}, {threshold}"


def _versions_from_post(post, prefix: str) -> dict[str, str]:
    return {
        code: post.get(f"{prefix}-{code}", "")
        for code, _ in VERSION_LANGUAGES
        if post.get(f"{prefix}-{code}", "").strip()
    }


def _language_preview(welcome_text: str, welcome_texts: dict, rows: list[Row]) -> list[dict]:
    """What a buyer of each language gets: their own welcome version or the base, and how many keyword replies
    have their language."""
    text_rows = [r for r in rows if r.reply_type == ReplyType.TEXT and r.keyword.strip()]
    base_languages = [detect_language(r.text) if r.text.strip() else None for r in text_rows]
    welcome_language = detect_language(welcome_text) if welcome_text.strip() else None
    return [
        {
            "code": code,
            "name": name,
            "dir": direction(code),
            "own": bool((welcome_texts.get(code) or "").strip()) or welcome_language == code,
            "welcome": (welcome_texts.get(code) or "").strip() or welcome_text,
            "replies": sum(
                1
                for r, base in zip(text_rows, base_languages, strict=True)
                if (r.texts.get(code) or "").strip() or base == code
            ),
            "text_keywords": len(text_rows),
        }
        for code, name in VERSION_LANGUAGES
    ]


def _context(
    request,
    *,
    config,
    rows: list[Row],
    welcome_text: str,
    enabled: bool,
    errors: dict | None = None,
    welcome_texts: dict | None = None,
    live: dict | None = None,
    unavailable: dict | None = None,
    starter: bool = False,
) -> dict:
    store = request.store
    activity = selectors.autoreply_activity(store=store)
    welcome_texts = config.welcome_texts if welcome_texts is None else welcome_texts
    live = live or {"skip": config.skip_live_conversations, "hours": config.live_hours}
    unavailable = config.unavailable_texts if unavailable is None else unavailable
    return {
        "welcome_versions": [
            {"code": code, "name": name, "text": welcome_texts.get(code, ""), "dir": direction(code)}
            for code, name in VERSION_LANGUAGES
        ],
        "welcome_version_count": sum(1 for v in welcome_texts.values() if v.strip()),
        "language_preview": _language_preview(welcome_text, welcome_texts, rows),
        "live": live,
        "unavailable_versions": [
            {
                "reason": reason,
                "label": label,
                "languages": [
                    {
                        "code": code,
                        "name": name,
                        "dir": direction(code),
                        "text": (unavailable.get(reason) or {}).get(code, ""),
                        "default": DEFAULT_TEXTS[reason].get(code, DEFAULT_TEXTS[reason]["en"]),
                    }
                    for code, name in VERSION_LANGUAGES
                ],
            }
            for reason, label in (
                (UNAVAILABLE, _("Sold out or ended")),
                (ALREADY_HELD, _("The buyer already has it")),
            )
        ],
        "starter": starter,
        "nav": "autoreply",
        "config": config,
        "rows": rows,
        "blank_row": Row(prefix="__prefix__"),
        "has_errors": bool(errors) or any(r.errors for r in rows),
        "preview_keywords": [r for r in rows if r.keyword.strip()],
        "welcome_text": welcome_text,
        "enabled": enabled,
        "errors": errors or {},
        "can_edit": request.membership.role == MemberRole.OWNER,
        "coupons": _coupon_options(store, rows),
        "activity": activity,
        "store_timezone": store.timezone,
        "limits": {
            "keyword": KEYWORD_MAX_CHARS,
            "min": KEYWORDS_MIN,
            "max": KEYWORDS_MAX,
            "welcome": WELCOME_MAX_CHARS,
            "text": REPLY_TEXT_MAX_CHARS,
        },
        "reply_types": ReplyType.choices,
    }


def _render(request, context: dict, status: int = 200):
    with timezone.override(request.display_tz):
        return render(request, "autoreply/settings.html", context, status=status)


def _spread_errors(
    error: ApplicationError, rows: list[Row], kept: list[Row], uploads: dict
) -> dict[str, list[str]]:
    """Errors for ``keywords[i].field`` go under the i-th saved row; the rest stay page-level."""
    page: dict[str, list[str]] = {}
    for key, found in error.errors.items():
        match = ERROR_KEY.match(key)
        if match and int(match.group(1)) < len(kept):
            name = match.group(2)
            if name.startswith("texts."):
                name = "text"
            kept[int(match.group(1))].errors.setdefault(name, []).extend(found)
        else:
            page.setdefault(key, []).extend(found)
    if any(r.reply_type == ReplyType.PICTURE and uploads.get(r.prefix) is not None for r in rows):
        page.setdefault("pictures", []).append(
            "Pictures chosen on this page are not kept when it has errors: choose them again."
        )
    return page


@require_http_methods(["GET", "POST"])
@store_member_required
def autoreply_settings(request):
    store = request.store
    config = selectors.autoreply_settings_get(store=store)
    if request.method == "GET":
        taps = selectors.autoreply_activity(store=store).taps
        rows = _rows_from_store(store, taps)
        starter = request.GET.get("starter") == "1" and request.membership.role == MemberRole.OWNER
        if starter:
            rows = _starter_rows(store, rows)
        context = _context(
            request,
            config=config,
            rows=rows,
            welcome_text=config.welcome_text,
            enabled=config.enabled,
            starter=starter,
        )
        return _render(request, context)
    if request.membership.role != MemberRole.OWNER:
        raise PermissionDenied(gettext("Only the store owner may change the auto-reply."))
    images = {k.pk: k.image.url for k in selectors.keyword_list(store=store) if k.image}
    rows = _rows_from_post(request, images)
    uploads = {r.prefix: request.FILES.get(f"kw-{r.prefix}-image") for r in rows}
    kept = [r for r in rows if not _is_blank(r, uploads[r.prefix])]
    enabled = request.POST.get("enabled") == "on"
    welcome_text = request.POST.get("welcome_text", "")
    welcome_texts = _versions_from_post(request.POST, "welcome_text")
    live = {
        "skip": request.POST.get("skip_live_conversations") == "on",
        "hours": _int_or_none(request.POST.get("live_hours")),
    }
    unavailable = {reason: _versions_from_post(request.POST, f"unavailable-{reason}") for reason in REASONS}
    # The language versions, the live rule and the polite texts are on the page since issue 12; a form without
    # them (an older page still open) keeps what is stored.
    extended = request.POST.get("languages_shown") == "1"
    raw_hours = (request.POST.get("live_hours") or "").strip()
    try:
        services.autoreply_settings_update(
            store=store,
            acting_user=request.user,
            enabled=enabled,
            welcome_text=welcome_text,
            keywords=[_keyword_payload(r, uploads[r.prefix]) for r in kept],
            welcome_texts=welcome_texts if extended else None,
            skip_live_conversations=live["skip"] if extended else None,
            live_hours=(live["hours"] if live["hours"] is not None else -1)
            if extended and raw_hours
            else None,
            unavailable_texts={k: v for k, v in unavailable.items() if v} if extended else None,
            dates_confirmed=request.POST.get("dates_confirmed") == "1",
        )
    except ApplicationError as error:
        errors = _spread_errors(error, rows, kept, uploads)
        context = _context(
            request,
            config=config,
            rows=rows,
            welcome_text=welcome_text,
            enabled=enabled,
            errors=errors,
            welcome_texts=welcome_texts,
            live={**live, "hours": request.POST.get("live_hours", "")},
            unavailable=unavailable,
        )
        context["stale"] = _stale_listing(store, welcome_text, welcome_texts, kept)
        return _render(request, context, status=400)
    state = "on" if enabled else "off"
    count = len(kept)
    card = f"with {count} keywords" if count else "without keywords (the welcome alone)"
    messages.success(
        request, gettext("Auto-reply saved: %(state)s, %(card)s.") % {"state": state, "card": card}
    )
    return redirect("autoreply")


def _stale_listing(store, welcome_text: str, welcome_texts: dict, kept: list[Row]) -> list[dict]:
    """The past dates of the texts as posted, for the confirm step (issue 13)."""
    texts = {str(_("Welcome")): welcome_text}
    texts.update({f"{_('Welcome')} ({code})": text for code, text in welcome_texts.items()})
    for row in kept:
        if row.reply_type == ReplyType.TEXT:
            texts[f"“{row.keyword}”"] = row.text
            texts.update({f"“{row.keyword}” ({code})": text for code, text in row.texts.items()})
    return stale_dates_listing(texts, store=store)


def _starter_rows(store, rows: list[Row]) -> list[Row]:
    """The card with the guide's four suggested keywords filled in from the scenario library (not saved yet):
    they replace empty rows and keywords of the same wording, the store's other keywords stay."""
    kept = [r for r in rows if r.id is not None]
    words = {r.keyword.casefold() for r in kept}
    added = [
        Row(
            prefix=f"starter{i}",
            keyword=item["keyword"],
            reply_type=ReplyType.TEXT,
            text=item["text"],
            texts=item["texts"],
        )
        for i, item in enumerate(selectors.starter_keywords(store=store))
        if item["keyword"].casefold() not in words
    ]
    return [*kept, *added][:KEYWORDS_MAX]


@require_POST
@store_member_required
def autoreply_welcome_check(request):
    """The banned-word check of the welcome as the owner types (an HTML fragment)."""
    text = request.POST.get("welcome_text", "")
    hits = text_check(text)
    return render(
        request,
        "autoreply/_welcome_check.html",
        {"text": text, "hits": hits, "message": banned_words_message(hits) if hits else ""},
    )


REPORT_DAYS = (7, 30, 90)


@require_http_methods(["GET"])
@store_member_required
def autoreply_report(request):
    """Cards shown and taps per keyword over time (issue 12, point 6), with the taps' outcomes."""
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in REPORT_DAYS else 30
    report = selectors.tap_report(store=request.store, days=days)
    outcome_labels = dict(TapOutcome.choices)
    keywords = [
        {
            "keyword": row["keyword"],
            "total": row["total"],
            "spark": keyword_spark(report["days"], row["by_day"]),
            "outcomes": [
                {"label": outcome_labels.get(k, k), "n": n} for k, n in sorted(row["outcomes"].items())
            ],
        }
        for row in sorted(report["taps"].values(), key=lambda r: (-r["total"], r["keyword"]))
    ]
    context = {
        "nav": "autoreply",
        "days": days,
        "day_choices": [(n, n == days) for n in REPORT_DAYS],
        "chart": cards_and_taps_chart(report["days"], report["cards"], report["taps_by_day"]),
        "cards_total": sum(report["cards"].values()),
        "taps_total": sum(report["taps_by_day"].values()),
        "keywords": keywords,
    }
    with timezone.override(request.display_tz):
        return render(request, "autoreply/report.html", context)

"""How the audit page shows an event's details to a person: translated labels for the keys the code writes
(``audit_log(details={...})``), values in the viewer's language and zone, never a raw key such as
``assignee_id``. The keys stay English in the database; only their display is translated.

Every key some ``audit_log`` call writes has a label here (tests/test_audit_display.py reads the calls); a key
without one (an old event) is shown humanised rather than raw.
"""

import unicodedata

from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext, gettext_lazy

from .models import DisputeAction, DisputeStatus, MemberRole, OrderStatus

FSI, PDI = "\u2068", "\u2069"  # a right-to-left value (an Arabic welcome) can't reorder the line around it

DETAIL_LABELS = {
    # disputes and orders
    "dispute_id": gettext_lazy("Dispute"),
    "escalates_at": gettext_lazy("Escalation deadline"),
    "reason": gettext_lazy("Reason"),
    "evidence": gettext_lazy("Evidence items"),
    "action": gettext_lazy("Answer"),
    "refund_amount": gettext_lazy("Refund amount"),
    "days": gettext_lazy("Days"),
    "extension_id": gettext_lazy("Extension"),
    # messages and buyers
    "message_id": gettext_lazy("Message"),
    "attempts": gettext_lazy("Delivery attempts"),
    "error": gettext_lazy("Delivery error"),
    "block_id": gettext_lazy("Block"),
    "since": gettext_lazy("Since"),
    # conversations
    "assignee_id": gettext_lazy("Assignee"),
    "assignee": gettext_lazy("Assignee"),
    "previous_assignee": gettext_lazy("Previous assignee"),
    "until": gettext_lazy("Snoozed until"),
    "was": gettext_lazy("Was"),
    "bulk": gettext_lazy("Bulk action"),
    # team and store
    "username": gettext_lazy("Username"),
    "role": gettext_lazy("Role"),
    "by": gettext_lazy("By"),
    "before": gettext_lazy("Before"),
    "after": gettext_lazy("After"),
    "endpoint": gettext_lazy("Marketplace endpoint"),
    "signed": gettext_lazy("Signed requests"),
    "secret_changed": gettext_lazy("Signing secret changed"),
    # scenarios and banned words
    "changes": gettext_lazy("Changes"),
    "title": gettext_lazy("Title"),
    "order_statuses": gettext_lazy("Order statuses"),
    "text": gettext_lazy("Text"),
    "term": gettext_lazy("Word"),
    "language": gettext_lazy("Language"),
    "suggestion": gettext_lazy("Suggestion"),
    "match": gettext_lazy("Match"),
    "is_active": gettext_lazy("Active"),
    # auto-reply
    "enabled": gettext_lazy("Auto-reply on"),
    "welcome_text": gettext_lazy("Welcome message"),
    "welcome_texts": gettext_lazy("Welcome message versions"),
    "unavailable_texts": gettext_lazy("Coupon refusal texts"),
    "unavailable": gettext_lazy("Coupon unavailable"),
    "already_held": gettext_lazy("Coupon already held"),
    "skip_live_conversations": gettext_lazy("Skip live conversations"),
    "live_hours": gettext_lazy("Live conversation hours"),
    "keywords": gettext_lazy("Keywords"),
    # coupons
    "name": gettext_lazy("Coupon name"),
    "name_suffix": gettext_lazy("Coupon name"),
    "denomination": gettext_lazy("Amount off"),
    "threshold": gettext_lazy("Minimum order"),
    "currency": gettext_lazy("Currency"),
    "quantity": gettext_lazy("Quantity"),
    "activity_start": gettext_lazy("Activity start"),
    "activity_end": gettext_lazy("Activity end"),
    "valid_from": gettext_lazy("Valid from"),
    "valid_until": gettext_lazy("Valid until"),
    "status": gettext_lazy("Status"),
    "granted": gettext_lazy("Granted"),
    "distribution": gettext_lazy("Distribution"),
    "scope": gettext_lazy("Scope"),
    # campaigns
    "scenario": gettext_lazy("Scenario"),
    "method": gettext_lazy("Crowd method"),
    "count": gettext_lazy("Buyers"),
    "matched": gettext_lazy("Matching buyers"),
    "recipients": gettext_lazy("Recipients"),
    "start_on": gettext_lazy("Start on"),
    "not_reached": gettext_lazy("Not reached"),
    "day": gettext_lazy("Day"),
    "sent": gettext_lazy("Sent"),
    "pending": gettext_lazy("Pending"),
    "skipped": gettext_lazy("Skipped"),
    "failed": gettext_lazy("Failed"),
    "stopped": gettext_lazy("Stopped because"),
    "started": gettext_lazy("Started"),
}

# Values that are codes of a closed list, shown by their name (key -> value -> label).
VALUE_LABELS = {
    "role": dict(MemberRole.choices),
    "action": dict(DisputeAction.choices),
    "order_statuses": dict(OrderStatus.choices),
    "dispute_status": dict(DisputeStatus.choices),
    "by": {"bootstrap command": gettext_lazy("the set-up command")},
    # coupons.models.CouponStatus, named here because the audit page sits below the coupons app
    "status": {
        "draft": gettext_lazy("Draft"),
        "active": gettext_lazy("Active"),
        "ended": gettext_lazy("Ended"),
    },
    "was": {"resolved": gettext_lazy("resolved"), "snoozed": gettext_lazy("snoozed")},
    "method": {
        "conditions": gettext_lazy("Buyers with orders in a date range"),
        "groups": gettext_lazy("Customer groups"),
    },
    "stopped": {
        "no_pending": gettext_lazy("every buyer reached"),
        "quota": gettext_lazy("today's quota reached"),
        "tier": gettext_lazy("the store's tier may not batch-send"),
        "auto_paused": gettext_lazy("paused automatically"),
        "claimed_elsewhere": gettext_lazy("the rest is being sent by another worker"),
        "not_started": gettext_lazy("not started yet"),
        "": "—",
    },
}

SUBJECT_LABELS = {
    "membership": gettext_lazy("team member"),
    "store": gettext_lazy("store"),
    "order": gettext_lazy("order"),
    "coupon": gettext_lazy("coupon"),
    "campaign": gettext_lazy("campaign"),
    "autoreplysettings": gettext_lazy("auto-reply"),
    "bannedword": gettext_lazy("banned word"),
    "scenario": gettext_lazy("scenario"),
    "conversation": gettext_lazy("conversation"),
    "buyer": gettext_lazy("buyer"),
}


def detail_label(key: str) -> str:
    """The translated name of a detail key; ``text.ru`` (a language version) reads "Text (Russian)"."""
    if "." in key:
        head, code = key.split(".", 1)
        return gettext("%(field)s (%(language)s)") % {
            "field": detail_label(head),
            "language": _language(code),
        }
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def _language(code: str) -> str:
    try:
        return translation.get_language_info(code.lower())["name_translated"]
    except KeyError:
        return code


def _value(value, key: str = "", limit: int = 80) -> str:
    names = VALUE_LABELS.get(key, {})
    if isinstance(value, str) and value in names:
        text = str(names[value])
    elif isinstance(value, bool):
        text = gettext("yes") if value else gettext("no")
    elif value is None:
        text = ""
    elif isinstance(value, (list, tuple)):
        text = ", ".join(_value(v, key) for v in value)
    elif isinstance(value, dict):
        text = "; ".join(_line(_sub_label(k), _value(v, k)) for k, v in value.items())
    elif isinstance(value, str) and len(value) > 19 and value[4:5] == "-" and value[10:11] == "T":
        when = parse_datetime(value)
        text = formats.date_format(timezone.localtime(when), "DATETIME_FORMAT") if when else value
    elif isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        day = parse_date(value) if value.replace("-", "").isdigit() else None
        text = formats.date_format(day, "DATE_FORMAT") if day else value
    else:
        text = str(value)
    if text == "":
        return "—"
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"{FSI}{text}{PDI}" if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text) else text


def _sub_label(key: str) -> str:
    """A key inside a nested value: a language code is named as the language."""
    if key not in DETAIL_LABELS and len(key) <= 5 and key.replace("-", "").isalpha():
        name = _language(key)
        if name != key:
            return name
    return detail_label(key)


def _line(label: str, value: str) -> str:
    """ "Label: value" with the interface language's colon (Chinese writes "标签：值")."""
    return gettext("%(label)s: %(value)s") % {"label": label, "value": value}


def _pair(label: str, old, new, key: str) -> list[str]:
    """``label: old → new``; for two dicts (language versions, before/after) one line per changed entry."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            _line(f"{label} · {_sub_label(k)}", f"{_value(old.get(k), k)} → {_value(new.get(k), k)}")
            for k in dict.fromkeys([*old, *new])
            if old.get(k) != new.get(k)
        ]
    return [_line(label, f"{_value(old, key)} → {_value(new, key)}")]


def detail_lines(details: dict) -> list[str]:
    """An event's details as short lines a person reads: ``label: old → new`` for changes, times and dates in
    the viewer's zone, every key by its translated label."""
    details = dict(details or {})
    lines = []
    if "from" in details and "to" in details:
        key = "role" if "username" in details else "dispute_status" if "dispute_id" in details else ""
        lines.append(f"{_value(details.pop('from'), key)} → {_value(details.pop('to'), key)}")
    if isinstance(details.get("before"), dict) and isinstance(details.get("after"), dict):
        before, after = details.pop("before"), details.pop("after")
        for k in dict.fromkeys([*before, *after]):
            if before.get(k) != after.get(k):
                lines.append(
                    _line(detail_label(k), f"{_value(before.get(k), k)} → {_value(after.get(k), k)}")
                )
    for key, value in details.items():
        label = detail_label(key)
        if key == "changes" and isinstance(value, dict):
            for field, pair in value.items():
                if isinstance(pair, (list, tuple)) and len(pair) == 2:
                    lines.extend(_pair(detail_label(field), pair[0], pair[1], field))
                else:
                    lines.append(_line(detail_label(field), _value(pair, field)))
        elif isinstance(value, (list, tuple)) and len(value) == 2 and key in AUTOREPLY_PAIRS:
            lines.extend(_pair(label, value[0], value[1], key))
        else:
            lines.append(_line(label, _value(value, key)))
    return lines


# auto-reply's details are ``field: [old, new]`` (autoreply.services.autoreply_settings_update)
AUTOREPLY_PAIRS = {
    "enabled",
    "welcome_text",
    "welcome_texts",
    "unavailable_texts",
    "skip_live_conversations",
    "live_hours",
}

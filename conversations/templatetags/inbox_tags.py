"""Small display helpers for the inbox and the buyer simulator: reply countdowns, languages, countries."""

import math
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext

from seller_desk.durations import duration_short, duration_text
from templates_i18n.languages import LANGUAGE_NAMES, direction

register = template.Library()

URGENT_SECONDS = 4 * 3600


def _span(seconds: float) -> str:
    if seconds < 60:
        return gettext("%(m)s min") % {"m": 0}
    return duration_text(seconds)


def due_state(due_at: datetime | None, now: datetime | None = None) -> dict:
    """Label and colour of a reply due time: overdue (red), under 4 hours (orange), otherwise calm."""
    if due_at is None:
        return {"label": "", "css": "", "seconds": None}
    seconds = (due_at - (now or timezone.now())).total_seconds()
    if seconds < 0:
        return {
            "label": gettext("Overdue %(span)s") % {"span": _span(-seconds)},
            "css": "due-overdue",
            "seconds": seconds,
        }
    css = "due-soon" if seconds < URGENT_SECONDS else "due-ok"
    return {"label": gettext("%(span)s left") % {"span": _span(seconds)}, "css": css, "seconds": seconds}


@register.filter
def due_label(due_at):
    return due_state(due_at)["label"]


@register.filter
def due_class(due_at):
    return due_state(due_at)["css"]


@register.filter
def ago(when):
    """'just now', '5 min ago', '3 h ago', '2 d ago'."""
    if when is None:
        return ""
    seconds = (timezone.now() - when).total_seconds()
    if seconds < 60:
        return gettext("just now")
    return gettext("%(span)s ago") % {"span": duration_short(seconds)}


@register.filter
def text_dir(language):
    """``dir`` for text in ``language``: rtl for Arabic/Hebrew, ltr for the others, auto when unknown."""
    return direction(language) if language else "auto"


@register.filter
def language_name(code):
    return LANGUAGE_NAMES.get(code, code or "")


@register.filter
def days_left(when):
    """Whole days until ``when``, rounded up (a few hours left is 1 day); 0 or less once it has passed."""
    if when is None:
        return None
    return math.ceil((when - timezone.now()).total_seconds() / 86400)


@register.filter
def money(amount):
    """12.5 -> '12.50'; 0 -> '0'."""
    if amount is None:
        return ""
    return "0" if amount == 0 else f"{amount:,.2f}"

"""Template filters every app's templates may use (a builtin: no ``{% load %}`` needed)."""

from django import template

register = template.Library()

FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE


@register.filter
def isolate(value) -> str:
    """Buyer text where no element can isolate it (``<title>``, attributes): wrapped in FSI…PDI, so a
    right-to-left override or an Arabic name inside can't reorder the text around it. In the page body
    use ``<bdi>`` instead. Autoescaping still applies."""
    text = "" if value is None else str(value)
    return f"{FSI}{text}{PDI}" if text else text


@register.filter
def ui_text(value) -> str:
    """A text the desk ships in English and translates in its catalogue (an official scenario's title):
    shown in the interface language; a text not in the catalogue (a store's own title) stays as written."""
    from django.utils.translation import gettext

    text = "" if value is None else str(value)
    return gettext(text) if text else text


@register.filter
def audit_details(details) -> list[str]:
    """An audit event's details as the lines the audit page shows (translated labels, never raw keys)."""
    from seller_desk.audit_display import detail_lines

    return detail_lines(details)


@register.simple_tag
def date_input_attrs(kind: str = "date"):
    """The attributes of a hand-written ``<input type=date>`` (or ``kind="datetime-local"``), as the desk's date
    widget sets them: the interface language and the fallback text format (docs/i18n.md, "Date inputs")."""
    from django.utils.html import format_html

    from seller_desk import forms as desk_forms

    attrs = desk_forms.date_input_attrs()
    if kind == "datetime-local":
        attrs.update(placeholder="YYYY-MM-DD HH:MM", pattern=desk_forms.ISO_DATE_PATTERN + r"[T ]\d{2}:\d{2}")
    return format_html(
        'lang="{}" placeholder="{}" pattern="{}"', attrs["lang"], attrs["placeholder"], attrs["pattern"]
    )

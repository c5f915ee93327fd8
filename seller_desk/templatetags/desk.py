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

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

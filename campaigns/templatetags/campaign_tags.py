from django import template

from campaigns.selectors import stored_reason_display

register = template.Library()


@register.filter
def stored_reason(reason: str) -> str:
    """A stored skip, failure or auto-pause reason in the interface language (``stored_reason_display``)."""
    return stored_reason_display(reason)

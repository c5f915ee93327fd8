"""Template filters for the team-inbox pieces (issue 10): notes with @mentions."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

# The same shape as conversations.services.MENTION, applied to already-escaped text (escaping never makes an "@").
_MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*\w)")


@register.filter(needs_autoescape=True)
def note_html(text: str, autoescape: bool = True) -> str:
    """The note's text escaped, line breaks kept, each @mention highlighted."""
    escaped = conditional_escape(text) if autoescape else text
    highlighted = _MENTION.sub(r'<span class="mention">@\1</span>', str(escaped))
    return mark_safe(highlighted.replace("\n", "<br>"))

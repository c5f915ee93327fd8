"""Input rules shared by every entry point: characters a field may hold, ids usable in a URL."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

# C0 controls except tab, line feed and carriage return; DEL; the C1 controls; lone surrogates;
# and the noncharacters U+FFFE/U+FFFF. PostgreSQL can't store NUL in text at all; the others are
# never typed by a person and break logs, CSV exports and terminals.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def invalid_character(value: str) -> str | None:
    """The first character of ``value`` no field may hold, or None."""
    found = _INVALID.search(value)
    return found.group() if found else None


def invalid_character_message(ch: str) -> str:
    name = "a NUL byte" if ch == "\x00" else "a control character"
    if "\ud800" <= ch <= "\udfff":
        name = "a lone surrogate"
    elif ch in "\ufffe\uffff":
        name = "a noncharacter"
    return f"This value contains {name} (U+{ord(ch):04X}), which no field may hold; remove it."


# Characters that can't appear in one URL path segment as the marketplace's id is used
# (/api/v1/ingress/buyers/{buyer_id}/messages, the simulator's pages): / \ ? # % and whitespace.
_URL_UNSAFE = re.compile(r"[/\\?#%\s]")


def url_safe_id(value: str) -> None:
    """Django/DRF validator: a marketplace id must fit in one URL path segment."""
    found = _URL_UNSAFE.search(value or "")
    if found:
        shown = {" ": "a space", "\t": "a tab", "\n": "a line break"}.get(found.group(), f"“{found.group()}”")
        raise ValidationError(
            gettext(
                "Ids are used in URLs and may not contain %(shown)s; use letters, digits and - _ . : only (e.g. “RU-1001”)."
            )
            % {"shown": shown}
        )

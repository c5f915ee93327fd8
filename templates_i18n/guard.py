"""The banned-word guard: one function every outbound text passes through (R19)."""

from django.utils.translation import gettext, ngettext

from seller_desk.errors import ApplicationError

from .matcher import BannedWordHit, current_matcher

__all__ = ["BannedWordHit", "text_check", "text_guard_collect", "text_guard_enforce", "banned_words_message"]


def text_check(text: str) -> list[BannedWordHit]:
    """Every banned word in ``text`` with its span (Python string offsets) and suggested replacement."""
    return current_matcher().find(text or "")


def banned_words_message(hits: list[BannedWordHit]) -> str:
    """'This text contains banned words: “Epidemic” (use “outbreak”), … Replace them before sending.'"""
    listed = ", ".join(
        gettext("“%(found)s” (use “%(suggestion)s”)") % {"found": h.found, "suggestion": h.suggestion}
        if h.suggestion
        else f"“{h.found}”"
        for h in hits
    )
    return ngettext(
        "This text contains a banned word: %(listed)s. Replace it before sending.",
        "This text contains banned words: %(listed)s. Replace them before sending.",
        len(hits),
    ) % {"listed": listed}


def text_guard_enforce(*, text: str, field: str = "text") -> None:
    """Raise an ApplicationError naming ``field`` and listing the banned words found, if any."""
    hits = text_check(text)
    if hits:
        raise ApplicationError({field: banned_words_message(hits)}, banned_words=[h.as_dict() for h in hits])


def text_guard_collect(*, text: str, field: str, errors: dict, banned: list, hits=None) -> bool:
    """For checks that gather every error before refusing: note the banned words of ``text`` under ``field``
    in ``errors`` and append them (with the field) to ``banned``. Returns whether the text is clean."""
    hits = text_check(text) if hits is None else hits
    if hits:
        errors[field] = banned_words_message(hits)
        banned.extend({**h.as_dict(), "field": field} for h in hits)
    return not hits

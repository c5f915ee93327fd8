"""The banned-word guard: one function every outbound text passes through (R19)."""

from dataclasses import asdict, dataclass

from seller_desk.errors import ApplicationError


@dataclass(frozen=True)
class BannedWordHit:
    term: str
    found: str
    start: int
    end: int
    suggestion: str

    def as_dict(self) -> dict:
        return asdict(self)


def text_check(text: str) -> list[BannedWordHit]:
    """Every banned word in ``text`` with its span and suggested replacement."""
    from .matcher import current_matcher

    return current_matcher().find(text or "")


def text_guard_enforce(*, text: str, field: str = "text") -> None:
    """Raise an ApplicationError naming ``field`` and listing the banned words found, if any."""
    hits = text_check(text)
    if hits:
        listed = ", ".join(
            f"“{h.found}” (use “{h.suggestion}”)" if h.suggestion else f"“{h.found}”" for h in hits
        )
        raise ApplicationError(
            {field: f"This text contains banned words: {listed}. Replace them before sending."},
            banned_words=[h.as_dict() for h in hits],
        )

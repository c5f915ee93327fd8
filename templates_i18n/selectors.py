"""Reads for the scenario library (issue 4 fills this in)."""

from dataclasses import dataclass

from seller_desk.errors import ApplicationError


@dataclass(frozen=True)
class RenderedText:
    text: str
    language: str
    direction: str


def reply_text_for_conversation(*, store, conversation, code: str, language: str | None, variables: dict) -> RenderedText:
    """Render scenario ``code`` for the conversation's buyer, in ``language`` or the buyer's language."""
    raise ApplicationError({"scenario": f"Unknown scenario '{code}'."})

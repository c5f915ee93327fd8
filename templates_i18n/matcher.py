"""Placeholder matcher until the banned-word list lands (issue 4 replaces this module)."""


class _EmptyMatcher:
    def find(self, text: str) -> list:
        return []


def current_matcher():
    return _EmptyMatcher()

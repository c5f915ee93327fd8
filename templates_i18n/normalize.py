"""Where the guard's normalisation comes from: Unicode's own data, through maintained libraries.

- **Default-ignorable code points** (``Default_Ignorable_Code_Point`` in Unicode's
  DerivedCoreProperties: U+3164 HANGUL FILLER, U+115F, U+FFA0, zero-width characters, variation
  selectors, tags, …) are read from the ``regex`` module's Unicode tables. The guard drops them.
- **Look-alike letters** (Cyrillic/Greek/Latin homoglyphs, small capitals such as ᴇ and ʜ, IPA
  letters such as ɪ and ɑ, letters with strokes such as đ, ł, ø) come from Unicode's confusables
  table (UTS #39 ``confusables.txt``) as ``disarm.canonicalize`` applies it, one letter at a time.
- **Digit and symbol stand-ins** (3→e, 1→i, 0→o, @→a, !→i) are read by ``disarm``'s leet
  detector against a lexicon of the banned words' own forms, whole tokens only (``LeetFinder``).

``disarm.UNICODE_VERSION`` / ``disarm.CONFUSABLES_VERSION`` and ``regex`` name the Unicode
version in force; upgrading either package is how the data is updated (never a hand list here).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

import disarm
import regex

UNICODE_VERSION = disarm.UNICODE_VERSION


@lru_cache(maxsize=1)
def default_ignorables() -> frozenset[int]:
    """Every code point with Unicode's ``Default_Ignorable_Code_Point`` property.

    Read in blocks of 4,096 code points: one string of all 1.1 million took the process's peak memory from
    ≈ 35 MB to ≈ 120 MB for a moment, and a peak RSS is what a worker's memory limit sees."""
    pattern = regex.compile(r"\p{Default_Ignorable_Code_Point}")
    found: set[int] = set()
    for first in range(0, 0x110000, 0x1000):
        if 0xD800 <= first < 0xE000:  # surrogates cannot stand in a string
            continue
        block = "".join(map(chr, range(first, first + 0x1000)))
        found.update(first + m.start() for m in pattern.finditer(block))
    return frozenset(found)


def is_default_ignorable(ch: str) -> bool:
    return ord(ch) in default_ignorables()


def _strip_marks(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) not in ("Mn", "Me")
    )


def skeleton_letter(ch: str) -> str:
    """One case-folded letter without diacritics, mapped to its UTS #39 prototype letter.

    ``ch`` is one letter after NFKC and case folding. Its diacritics are dropped first (é→e, й→и,
    ё→е); the confusables prototype then replaces it when that prototype is itself exactly one
    letter (ᴇ→e, ɪ→i, đ→d, ł→l, ø→o, Cyrillic а→a, Greek ο→o). Prototypes that are digits or
    several characters (Cyrillic з→3, ы→bı) are not taken: a letter stays a letter, one for one.
    """
    base = _strip_marks(ch)
    if len(base) == 1 and unicodedata.category(base).startswith("L"):
        ch = base.casefold() if len(base.casefold()) == 1 else base
    if ch.isascii():
        return ch
    prototype = _strip_marks(disarm.canonicalize(ch)).casefold()
    if len(prototype) == 1 and unicodedata.category(prototype).startswith("L"):
        return prototype
    return ch


# ---------------------------------------------------------------------------------------------
# Digit and symbol stand-ins
# ---------------------------------------------------------------------------------------------

# Characters that may stand in for a letter. Only a text where one touches a letter (a digit, @ or
# $ on either side; ! or | before it) gets a leet pass: "week! Best" and "order #12345" do not.
_STAND_IN = re.compile(r"[0-9@$!|]")


class LeetFinder:
    """Whole tokens that spell one of ``forms`` with digits or symbols standing in for letters.

    ``forms`` maps a lower-case ASCII word form ("epidemics") to a value returned with each find
    (the matcher's term index). Returns ``(start, end, value)`` in code points of ``text``, the span
    trimmed to the characters that spell the form.
    """

    def __init__(self, forms: dict[str, int]):
        self.forms = forms
        self._lexicon = disarm.Lexicon(sorted(forms)) if forms else None

    def worth_a_look(self, text: str) -> bool:
        """Whether ``text`` has a digit or symbol touching a letter (one regex pass, ≈ 3 µs)."""
        return self._lexicon is not None and _touches_a_letter(text)

    def find(
        self, text: str, *, skip: Callable[[str], Iterable[int]] = lambda text: ()
    ) -> list[tuple[int, int, int]]:
        if not self.worth_a_look(text):
            return []
        # The leet detector reads whole tokens: characters the guard ignores (``skip(text)``) are
        # taken out first and put back through ``index``, so "epi\u3164d3mic" is one token. Only
        # the tokens where a stand-in touches a letter are handed to it, one line each.
        skipped = frozenset(skip(text))
        if skipped:
            index = [i for i, c in enumerate(text) if ord(c) not in skipped]
            clean = "".join(text[i] for i in index)
        else:
            index, clean = range(len(text)), text
        tokens = _tokens_with_stand_ins(clean)
        if not tokens:
            return []
        report = disarm.inspect_anomalies("\n".join(m.group() for m in tokens), self._lexicon)
        byte_starts, at = [], 0  # where each token starts in the UTF-8 of the joined lines
        for m in tokens:
            byte_starts.append(at)
            at += len(m.group().encode("utf-8")) + 1
        out: list[tuple[int, int, int]] = []
        for finding in report.findings:
            if finding.kind not in ("leet", "segmentation") or finding.detail not in self.forms:
                continue
            k = bisect.bisect_right(byte_starts, finding.start) - 1
            token = tokens[k].group()
            encoded = token.encode("utf-8")
            if finding.end - byte_starts[k] > len(encoded):
                continue  # across two tokens: not one word
            start = len(encoded[: finding.start - byte_starts[k]].decode("utf-8", "ignore"))
            end = len(encoded[: finding.end - byte_starts[k]].decode("utf-8", "ignore"))
            span = _align(token[start:end], finding.detail)
            if span is None or (finding.kind == "segmentation" and not span[2]):
                continue  # a segmentation without a stand-in is the matcher's own business
            first = tokens[k].start() + start + span[0]
            last = tokens[k].start() + start + span[1] - 1
            out.append((index[first], index[last] + 1, self.forms[finding.detail]))
        return out


_TOKEN = re.compile(r"\S+")


def _touching(text: str):
    """Positions of the stand-ins in ``text`` that touch a letter."""
    last = len(text) - 1
    for found in _STAND_IN.finditer(text):
        i = found.start()
        if (i < last and text[i + 1].isalpha()) or (i and text[i - 1].isalpha() and text[i] not in "!|"):
            yield i


def _touches_a_letter(text: str) -> bool:
    return next(_touching(text), None) is not None


def _tokens_with_stand_ins(text: str) -> list[re.Match]:
    """The whitespace-separated tokens of ``text`` that hold a stand-in touching a letter."""
    tokens: list[re.Match] = []
    for i in _touching(text):
        if tokens and tokens[-1].end() > i:
            continue
        left = i
        while left and not text[left - 1].isspace():
            left -= 1
        tokens.append(_TOKEN.match(text, left))
    return tokens


@lru_cache(maxsize=2048)
def _align(token: str, form: str) -> tuple[int, int, bool] | None:
    """Where in ``token`` the letters of ``form`` are spelled: (start, end, used a stand-in).

    Letters must match the form (after the guard's letter folding); digits and symbols may stand in
    for a letter or be skipped; a skipped character costs 1, a symbol standing in 0.5, a digit 0.
    The cheapest alignment wins (so "(3pid3m1c)," is "3pid3m1c", not "(3pid3m1c").
    """
    n, m = len(token), len(form)
    inf = float("inf")
    # cost[i][j]: token[:i] spells form[:j]; first[i][j]: where the spelling started (-1: not yet)
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    first = [[-1] * (m + 1) for _ in range(n + 1)]
    sub = [[False] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0
    for i, ch in enumerate(token):
        letter = unicodedata.category(ch).startswith("L")
        folded = skeleton_letter(unicodedata.normalize("NFKC", ch).casefold()[:1]) if letter else ""
        for j in range(m + 1):
            here = cost[i][j]
            if here == inf:
                continue
            # skip this character (inside the spelling only punctuation may be skipped)
            if (j == 0 or j == m or not letter) and here + 1 < cost[i + 1][j]:
                cost[i + 1][j], first[i + 1][j], sub[i + 1][j] = here + 1, first[i][j], sub[i][j]
            if j == m:
                continue
            start = first[i][j] if j else i
            if letter and folded == form[j]:
                step, used = 0.0, False
            elif not letter and not ch.isspace():
                step, used = (0.0 if ch.isdigit() else 0.5), True
            else:
                continue
            if here + step < cost[i + 1][j + 1]:
                cost[i + 1][j + 1], first[i + 1][j + 1] = here + step, start
                sub[i + 1][j + 1] = sub[i][j] or used
    if cost[n][m] == inf:
        return None
    # the end: the last character that spelled a letter (trailing skips are not part of the span)
    end = n
    while end > 0 and cost[end - 1][m] == cost[end][m] - 1 and first[end - 1][m] == first[end][m]:
        end -= 1
    return first[n][m], end, sub[n][m]

"""The banned-word matcher (R19): Aho–Corasick over normalised text, compiled once per process.

Text is normalised one code point at a time (NFKC, case folding, diacritics folded, look-alike
letters mapped to their Unicode confusables prototype, default-ignorable characters dropped — the
data comes from ``normalize.py``), so every normalised letter still knows where it came from. Everything that is not a letter is a separator
and is left out of the *letter stream* the automaton reads; that is how "e.p.i.d.e.m.i.c",
"e p i d e m i c" and "terr. ible" reach the automaton as one word. Each automaton hit is then
checked against the word rules in ``Matcher._accept`` (the policy is written up in
docs/banned-words.md): a match starts at a word start, ends at a word end unless the term matches
as a stem or substring, and may only bridge short separators that look like a broken-up word.

``current_matcher()`` returns this process's compiled matcher and rebuilds it when the list's
version number in the database has moved (checked at most once per ``CHECK_INTERVAL`` seconds).
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import ahocorasick
import numpy as np

from .normalize import LeetFinder, default_ignorables, is_default_ignorable, skeleton_letter

# ---------------------------------------------------------------------------------------------
# Normalisation: one table entry per code point.
# Values below FIRST_CLASS are canonical letters; the rest classify what is not a letter.
# ---------------------------------------------------------------------------------------------

TRANSPARENT = 0xFFFF  # combining marks, zero-width and format characters: ignored entirely
SPACE = 0xFFFE  # spaces and tabs: a separator that splits words
PUNCT = 0xFFFD  # punctuation and symbols: a separator
HARD = 0xFFFC  # digits and line breaks: ends a word and never joins one
EXPAND = 0xFFFB  # normalises to several letters (ß, ﬁ, ⒜): handled by the slow path
_EXPAND_CHAR = chr(EXPAND)
FIRST_CLASS = 0xFFFB
OTHER_LETTER = 0xE000  # a letter outside the Basic Multilingual Plane (no term can contain one)

_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_STRENGTH = {SPACE: 1, PUNCT: 2, HARD: 3}


def _fold_letter(ch: str) -> str:
    """A case-folded letter without its diacritics, then its confusables prototype (normalize.py)."""
    return skeleton_letter(ch)


@lru_cache(maxsize=4096)
def tokens_of(ch: str) -> tuple[int, ...]:
    """What one code point normalises to: canonical letters (code points) and separator classes."""
    if ch in _LINE_BREAKS:
        return (HARD,)
    if is_default_ignorable(ch):
        return ()
    out: list[int] = []
    for c in unicodedata.normalize("NFKC", ch).casefold():
        category = unicodedata.category(c)
        if category in ("Mn", "Me", "Cf") or is_default_ignorable(c):
            continue
        if category.startswith("L"):
            folded = _fold_letter(c)
            out.extend(ord(f) if ord(f) < 0x10000 else OTHER_LETTER for f in folded)
        elif c in _LINE_BREAKS or category.startswith("N"):
            out.append(HARD)
        elif category == "Zs" or c == "\t":
            out.append(SPACE)
        else:
            out.append(PUNCT)
    letters = [t for t in out if t < FIRST_CLASS]
    if not letters:
        classes = [t for t in out if t >= FIRST_CLASS]
        return (max(classes, key=_STRENGTH.__getitem__),) if classes else ()
    return tuple(out)


def _table_value(ch: str) -> int:
    tokens = tokens_of.__wrapped__(ch)
    if not tokens:
        return TRANSPARENT
    if len(tokens) == 1:
        return tokens[0]
    return EXPAND


@lru_cache(maxsize=1)
def _table() -> np.ndarray:
    """Code point → canonical letter or class, for every code point (built once per process)."""
    table = np.full(0x110000, PUNCT, dtype=np.uint16)  # unassigned, private use and surrogates stay PUNCT
    # Blocks of letters that normalise to themselves (CJK ideographs, Hangul syllables) are filled at once.
    same = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xAC00, 0xD7A4))
    for first, last in same:
        table[first:last] = np.arange(first, last, dtype=np.uint16)
    starts = [0] + [last for _first, last in same] + [0xE000]
    stops = [first for first, _last in same] + [0xD800, 0x20000]
    for cp in (cp for start, stop in zip(starts, stops, strict=True) for cp in range(start, stop)):
        ch = chr(cp)
        if unicodedata.category(ch) not in ("Cn", "Co"):
            table[cp] = _table_value(ch)
    table[0x20000:0x40000] = OTHER_LETTER  # CJK extension planes
    table[0xE0000:0xE0080] = TRANSPARENT  # tag characters
    table[0xE0100:0xE01F0] = TRANSPARENT  # variation selectors supplement
    table[np.fromiter(default_ignorables(), dtype=np.int64)] = TRANSPARENT  # U+3164, U+115F, U+FFA0, …
    return table


# ASCII never expands or hides marks: letters fold to lower case, everything else is left out.
_ASCII_LETTERS = {cp: (chr(cp).lower() if chr(cp).isalpha() else None) for cp in range(128)}


def canonical_letters(text: str) -> str:
    """The letters of ``text`` after normalisation, separators dropped (used for terms and tails)."""
    out = []
    for ch in text:
        out.extend(chr(t) for t in tokens_of(ch) if t < FIRST_CLASS)
    return "".join(out)


def _is_alphabet(letter: str) -> bool:
    """Latin, Greek and Cyrillic letters (the scripts that mix inside one word)."""
    cp = ord(letter)
    return cp < 0x0530 or 0x1D00 <= cp < 0x2000 or 0x2C60 <= cp < 0x2C80 or 0xA640 <= cp < 0xA800


class _Stream:
    """The letter stream of a text, with each letter's position in the original text.

    Built with one table lookup per code point (``str.translate`` for ASCII text, numpy
    otherwise); positions and gaps are only worked out when the automaton reports a candidate.
    """

    __slots__ = ("text", "letters", "_mapped", "_kept", "_positions", "_gaps")

    def __init__(self, text: str):
        self.text = text
        self._mapped: np.ndarray | None = None
        self._kept: np.ndarray | None = None
        self._positions: np.ndarray | None = None  # each letter's index in the text
        self._gaps: list[tuple[int, ...]] | None = None
        if text.isascii():
            self.letters = text.translate(_ASCII_LETTERS)
            return
        mapped = self._map()
        # EXPAND sorts right after the letters: keep it for now, then one substring test finds it.
        self._kept = kept = mapped <= EXPAND
        self.letters = mapped[kept].tobytes().decode("utf-16-le")
        if _EXPAND_CHAR in self.letters:
            self._build_slow()

    def _map(self) -> np.ndarray:
        if self._mapped is None:
            codes = np.frombuffer(self.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            self._mapped = _table().take(codes)
        return self._mapped

    def _build_slow(self) -> None:
        """Character by character, for the rare text with a letter that expands (ß, ﬁ, ǆ…)."""
        letters: list[str] = []
        positions: list[int] = []
        gaps: list[tuple[int, ...]] = []
        pending: list[int] = []
        for index, ch in enumerate(self.text):
            for token in tokens_of(ch):
                if token < FIRST_CLASS:
                    letters.append(chr(token))
                    positions.append(index)
                    gaps.append(tuple(pending))
                    pending = []
                else:
                    pending.append(token)
        self.letters = "".join(letters)
        self._positions = np.array(positions, dtype=np.int64)
        self._gaps = gaps

    def position(self, k: int) -> int:
        """Where letter k is in the original text."""
        if self._positions is None:
            kept = self._kept if self._kept is not None else self._map() < FIRST_CLASS
            self._positions = np.flatnonzero(kept)
        return self._positions.item(k)

    def gap(self, k: int) -> tuple[int, ...]:
        """The separators (classes) between letter k-1 and letter k; the text's edges are hard."""
        if k <= 0 or k >= len(self.letters):
            return (HARD,)
        if self._gaps is not None:
            return self._gaps[k]
        before, at = self.position(k - 1), self.position(k)
        if at == before + 1:
            return ()
        return tuple(c for c in self._map()[before + 1 : at].tolist() if c != TRANSPARENT)

    def contiguous(self, s: int, m: int) -> bool:
        """Whether letters [s, m) sit next to each other in the original text."""
        if self._gaps is not None:
            return False
        return self.position(m - 1) - self.position(s) == m - 1 - s

    def boundary_before(self, k: int) -> bool:
        """Whether a word may start at letter k (or end just before it)."""
        if k <= 0 or k >= len(self.letters):
            return True
        return self.boundary_between(k, self.position(k - 1), self.position(k))

    def boundary_between(self, k: int, before: int, at: int) -> bool:
        """``boundary_before(k)`` when letters k-1 and k are known to sit at ``before`` and ``at``."""
        if self._gaps is not None:
            if self._gaps[k]:
                return True
        elif at > before + 1:
            for c in self.text[before + 1 : at]:
                if c < "\x80" or tokens_of(c):  # ASCII is never invisible
                    return True
        letters = self.letters
        return _is_alphabet(letters[k - 1]) != _is_alphabet(letters[k])

    def span(self, s: int, m: int) -> tuple[int, int]:
        """Original [start, end) of letters [s, m), with combining marks after the last letter."""
        start, end = self.position(s), self.position(m - 1) + 1
        text = self.text
        while end < len(text) and text[end] >= "\u0300" and unicodedata.category(text[end]) in ("Mn", "Me"):
            end += 1
        return start, end


# ---------------------------------------------------------------------------------------------
# Word rules
# ---------------------------------------------------------------------------------------------

WORD, PREFIX, SUBSTRING = "word", "prefix", "substring"

# English regular inflections of a whole-word term (disaster → disasters, epidemic → epidemically).
ENGLISH_TAILS = ("", "s", "es", "ly", "al", "ally", "ness")
# Spanish, French and Portuguese plurals.
ROMANCE_TAILS = ("", "s", "es")

_RU_NOUN = (
    "", "а", "я", "о", "е", "ы", "и", "у", "ю", "ь", "ой", "ою", "ей", "ею", "ом", "ем", "ам", "ям",
    "ами", "ями", "ах", "ях", "ов", "ев", "ью", "ия", "ии", "ию", "ие", "ий", "ией", "иею", "ием",
    "иям", "иями", "иях",
)  # fmt: skip
_RU_ADJECTIVE = (
    "ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ому", "ему", "ым", "им",
    "ом", "ем", "ую", "юю", "ых", "их", "ыми", "ими", "ою", "ею",
)  # fmt: skip
_RU_SHORT = ("", "а", "о", "ы", "и", "е", "ее", "ей")  # short adjectives, adverbs, comparatives


def _russian_tails() -> tuple[str, ...]:
    """Endings that may follow a Russian stem: noun and adjective inflections, short forms,
    superlatives, and the adjectives and adverbs made with -ическ-/-ичн- (катастрофический)."""
    tails = set(_RU_NOUN) | set(_RU_ADJECTIVE) | set(_RU_SHORT)
    tails |= {"ейш" + e for e in _RU_ADJECTIVE} | {"айш" + e for e in _RU_ADJECTIVE}
    tails |= {"ическ" + e for e in _RU_ADJECTIVE} | {"ически"}
    tails |= {"ичн" + e for e in _RU_ADJECTIVE + _RU_SHORT} | {"ичен"}
    return tuple(tails)


RUSSIAN_TAILS = _russian_tails()
_RU_ENDINGS_CANONICAL = frozenset(canonical_letters(e) for e in _RU_NOUN + _RU_ADJECTIVE)
_RU_CONSONANTS = frozenset(canonical_letters("бвгджзклмнпрстфхцчшщ"))


def _is_cyrillic(text: str) -> bool:
    return any("CYRILLIC" in unicodedata.name(c, "") for c in text)


def _is_latin(text: str) -> bool:
    return any("LATIN" in unicodedata.name(c, "") for c in text)


def _canonical_tails(tails: Iterable[str]) -> frozenset[str]:
    return frozenset(canonical_letters(t) for t in tails)


_EXACT = frozenset({""})


def russian_stem(term: str) -> str:
    """The canonical stem of a Russian word: its longest inflectional ending cut off, ≥ 3 letters left."""
    canonical = canonical_letters(term)
    for cut in range(min(4, len(canonical) - 3), 0, -1):
        if canonical[-cut:] in _RU_ENDINGS_CANONICAL:
            return canonical[:-cut]
    return canonical


@dataclass(frozen=True)
class TermSpec:
    """One active banned word as the matcher needs it."""

    term: str
    language: str = ""
    suggestion: str = ""
    match: str = "word"


@dataclass(frozen=True)
class _Rule:
    index: int  # into Matcher.terms
    kind: str  # WORD (start and end at word edges, with tails), PREFIX, SUBSTRING
    tails: frozenset[str] = _EXACT  # canonical endings allowed after the key (WORD only)

    @property
    def longest_tail(self) -> int:
        return max(map(len, self.tails))


def _family(spec: TermSpec) -> str:
    if spec.language in ("en", "ru", "es", "fr", "pt-BR"):
        return spec.language
    if spec.language:
        return "other"
    if _is_cyrillic(spec.term):
        return "ru"
    return "en" if _is_latin(spec.term) else "other"


def rules_for(spec: TermSpec, index: int) -> list[tuple[str, _Rule]]:
    """(automaton key, rule) pairs for one term."""
    canonical = canonical_letters(spec.term)
    if not canonical:
        return []
    family = _family(spec)
    if spec.match == "substring":
        return [(canonical, _Rule(index, SUBSTRING))]
    if spec.match == "stem":
        if family != "ru":
            return [(canonical, _Rule(index, PREFIX))]
        stem = russian_stem(spec.term)
        pairs = [(stem, _Rule(index, WORD, _canonical_tails(RUSSIAN_TAILS)))]
        # Short masculine adjectives drop into a fleeting vowel: ужасный → ужасен.
        if len(stem) >= 4 and stem.endswith(canonical_letters("н")) and stem[-2] in _RU_CONSONANTS:
            pairs.append((stem[:-1] + canonical_letters("ен"), _Rule(index, WORD)))
        return pairs
    if family == "en":
        pairs = [(canonical, _Rule(index, WORD, _canonical_tails(ENGLISH_TAILS)))]
        if canonical.endswith("le"):  # terrible → terribly
            pairs.append((canonical[:-1] + "y", _Rule(index, WORD)))
        if canonical.endswith("er") and len(canonical) > 4:  # disaster → disastrous, disastrously
            pairs.append((canonical[:-2] + "rous", _Rule(index, WORD, frozenset({"", "ly"}))))
        return pairs
    if family in ("es", "fr", "pt-BR"):
        return [(canonical, _Rule(index, WORD, _canonical_tails(ROMANCE_TAILS)))]
    return [(canonical, _Rule(index, WORD))]


# ---------------------------------------------------------------------------------------------
# The compiled matcher
# ---------------------------------------------------------------------------------------------

# Common letters of English and Russian text, most frequent first, in canonical form.
_FREQUENT_LETTERS = tuple(
    dict.fromkeys(canonical_letters("eоtаaoиinеsнhrтсcdрlвuлmкwfyмgпpуbяvkыjдxзqzьбгчйжхшюцщэфъ"))
)
_NEVER = chr(TRANSPARENT)  # never part of a letter stream, so these keys never match

MAX_GAP = 3  # separators between two letters of one broken-up word: "e.p", "e - p", "terr. ible"
MIN_PIECE = 3  # a word split by spaces counts only when each piece has 3+ letters (or all are 1)


def _ignorable_in(text: str) -> frozenset[int]:
    """The code points of ``text`` the guard ignores (zero-width, fillers, combining marks alone)."""
    if text.isascii():
        return frozenset()
    table = _table()
    return frozenset(ord(c) for c in set(text) if table[ord(c)] == TRANSPARENT and not c.isascii())


class BannedWordHit(NamedTuple):
    """One banned word in a text: ``text[start:end] == found`` (offsets in code points)."""

    term: str
    found: str
    start: int
    end: int
    suggestion: str

    def as_dict(self) -> dict:
        return self._asdict()


class Matcher:
    """An Aho–Corasick automaton over the canonical keys of one version of the list."""

    def __init__(self, terms: Iterable[TermSpec], *, version: int = 0):
        self.version = version
        self.terms: tuple[TermSpec, ...] = tuple(terms)
        keyed: dict[str, list[_Rule]] = {}
        for index, spec in enumerate(self.terms):
            for key, rule in rules_for(spec, index):
                keyed.setdefault(key, []).append(rule)
        self._automaton = None
        if keyed:
            automaton = ahocorasick.Automaton()
            # pyahocorasick scans a node's children in insertion order, so the root's children
            # are laid out by letter frequency first (a dead-end child for each common letter);
            # a typical letter then costs a few comparisons instead of one per distinct first letter.
            for letter in _FREQUENT_LETTERS:
                automaton.add_word(letter + _NEVER, None)
            for key, rules in keyed.items():
                automaton.add_word(key, (len(key), tuple((rule, rule.longest_tail) for rule in rules)))
            automaton.make_automaton()
            self._automaton = automaton
        self._leet = LeetFinder(self._leet_forms(keyed))

    @staticmethod
    def _leet_forms(keyed: dict[str, list[_Rule]]) -> dict[str, int]:
        """Every whole-word form of an ASCII-letter key ("epidemic", "epidemics", "terribly") → term."""
        forms: dict[str, int] = {}
        for key, rules in keyed.items():
            if not (key.isascii() and key.isalpha()):
                continue
            for rule in rules:
                for tail in rule.tails if rule.kind == WORD else ("",):
                    if (key + tail).isascii():
                        forms.setdefault(key + tail, rule.index)
        return forms

    def find(self, text: str) -> list[BannedWordHit]:
        """Every banned word in ``text``, in text order, with its original span and suggestion."""
        if not text or self._automaton is None:
            return []
        hits = self._find_letters(text)
        stand_ins = self._leet.find(text, skip=_ignorable_in) if self._leet.worth_a_look(text) else []
        if not stand_ins:
            return hits
        # Digit and symbol stand-ins ("3pid3m1c", "p@ndemic"): whole tokens, where no hit is already.
        for start, end, index in stand_ins:
            if any(h.start < end and start < h.end for h in hits):
                continue
            spec = self.terms[index]
            hits.append(BannedWordHit(spec.term, text[start:end], start, end, spec.suggestion))
        return sorted(hits, key=lambda h: h.start)

    def _find_letters(self, text: str) -> list[BannedWordHit]:
        stream = _Stream(text)
        if not stream.letters:
            return []
        candidates = [
            (last, value) for last, value in self._automaton.iter(stream.letters) if value is not None
        ]
        if not candidates:
            return []
        found: list[tuple[int, int, int]] = []  # (start, -end, term index): sorts into text order
        for last, (length, rules) in candidates:
            s = last - length + 1
            for rule, longest_tail in rules:
                m = self._accept(stream, s, last + 1, rule, longest_tail)
                if m is not None:
                    found.append((s, -m, rule.index))
        return self._hits(stream, found) if found else []

    def _hits(self, stream: _Stream, found: list[tuple[int, int, int]]) -> list[BannedWordHit]:
        hits: list[BannedWordHit] = []
        taken_until = -1
        found.sort()
        for s, minus_m, index in found:
            if s < taken_until:
                continue
            m = taken_until = -minus_m
            start, end = stream.span(s, m)
            spec = self.terms[index]
            hits.append(BannedWordHit(spec.term, stream.text[start:end], start, end, spec.suggestion))
        return hits

    def _accept(self, stream: _Stream, s: int, e: int, rule: _Rule, longest_tail: int) -> int | None:
        """The end (exclusive, in letters) of the match starting at letter s, or None."""
        if rule.kind == SUBSTRING:
            return e if self._joined(stream, s, e) else None
        if rule.kind == PREFIX:
            if not stream.boundary_before(s):
                return None
            m = e
            while m < len(stream.letters) and not stream.boundary_before(m):
                m += 1
            return m if self._joined(stream, s, m) else None
        # WORD: the longest allowed tail after which the word ends. Positions are read once, as a list.
        letters, tails, at = stream.letters, rule.tails, stream.position
        n = len(letters)
        if s and not stream.boundary_between(s, at(s - 1), at(s)):
            return None
        for m in range(min(e + longest_tail, n), e - 1, -1):
            if letters[e:m] not in tails:
                continue
            if m < n and not stream.boundary_between(m, at(m - 1), at(m)):
                continue
            if at(m - 1) - at(s) == m - 1 - s or self._joined(stream, s, m):
                return m
        return None

    @staticmethod
    def _joined(stream: _Stream, s: int, m: int) -> bool:
        """Whether letters [s, m) read as one word: no gap, or gaps that look like a broken-up word."""
        if stream.contiguous(s, m):
            return True
        breaks: list[tuple[int, bool]] = []
        for k in range(s + 1, m):
            gap = stream.gap(k)
            if not gap:
                continue
            if len(gap) > MAX_GAP or HARD in gap:
                return False
            breaks.append((k, SPACE in gap))
        if not breaks or len(breaks) == m - s - 1:  # one piece, or spelled out letter by letter
            return True
        edges = [s] + [k for k, spaced in breaks if spaced] + [m]
        return all(b - a >= MIN_PIECE for a, b in zip(edges, edges[1:], strict=False))


# ---------------------------------------------------------------------------------------------
# One compiled matcher per process, rebuilt when the list's version moves
# ---------------------------------------------------------------------------------------------

CHECK_INTERVAL = 1.0  # seconds between two version checks in one process


class MatcherCache:
    """Holds a compiled matcher and rebuilds it when ``BannedWordListVersion`` has changed."""

    def __init__(self, *, check_interval: float = CHECK_INTERVAL):
        self.check_interval = check_interval
        self._matcher: Matcher | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self.builds = 0

    def get(self) -> Matcher:
        now = time.monotonic()
        matcher = self._matcher
        if matcher is not None and now - self._checked_at < self.check_interval:
            return matcher
        with self._lock:
            version = list_version()
            if self._matcher is None or self._matcher.version != version:
                # The version is read before the words: a change landing in between only causes
                # one more rebuild on the next check, never a stale list under a new number.
                self._matcher = Matcher(active_terms(), version=version)
                self.builds += 1
            self._checked_at = time.monotonic()
            return self._matcher

    def invalidate(self) -> None:
        """Check the version on the next call (the process that changed the list sees it at once)."""
        self._checked_at = float("-inf")

    def reset(self) -> None:
        self._matcher = None
        self._checked_at = float("-inf")


def list_version() -> int:
    from django.db.models import Max

    from .models import BannedWordListVersion

    return BannedWordListVersion.objects.aggregate(v=Max("version"))["v"] or 0


def active_terms() -> list[TermSpec]:
    from .models import BannedWord

    rows = (
        BannedWord.objects.filter(is_active=True)
        .order_by("id")
        .values_list("term", "language", "suggestion", "match")
    )
    return [TermSpec(term=t, language=lang, suggestion=sug, match=m) for t, lang, sug, m in rows]


_cache = MatcherCache()


def current_matcher() -> Matcher:
    return _cache.get()


def invalidate() -> None:
    _cache.invalidate()


def reset() -> None:
    """Forget the compiled matcher (tests, after rolling back a list change)."""
    _cache.reset()

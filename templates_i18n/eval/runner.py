"""Score the scenario suggester on the labelled buyer messages in ``suggestion_eval.jsonl``.

Each line is ``{"id", "language", "order_status", "expected", "text"}`` plus, for the messages added for
issue 13, ``"kind"`` (``"hard"`` or ``"offtopic"``; the first 112 are ``"plain"``) and ``"buyer_country"``.
An off-topic message has ``"expected": null``: no official scenario fits it. The labelling rules are in
docs/suggestion.md. Messages whose id number is odd form the *calibration* half (used to choose the
weights and the confidence thresholds in ``templates_i18n/suggest.py``); even ones are the *held-out* half,
never used to choose anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from templates_i18n.languages import SUPPORTED_LANGUAGES

EVAL_FILE = Path(__file__).with_name("suggestion_eval.jsonl")
# Written after the weights and thresholds were frozen (issue 13); scored, never tuned on.
FRESH_FILE = Path(__file__).with_name("suggestion_fresh.jsonl")
GOAL_TOP1 = 0.95
GOAL_TOP3 = 0.99
GOAL_OFFTOPIC_CONFIDENT = 0.05
KINDS = ("plain", "hard", "fresh", "offtopic")


@dataclass(frozen=True)
class EvalCase:
    id: str
    language: str
    order_status: str | None
    expected: str | None
    text: str
    kind: str = "plain"
    buyer_country: str | None = None

    @property
    def split(self) -> str:
        return "calibration" if int(self.id.rsplit("-", 1)[1]) % 2 else "held-out"

    @property
    def on_topic(self) -> bool:
        return self.expected is not None


@dataclass
class Tally:
    n: int = 0  # on-topic messages
    top1: int = 0
    top3: int = 0
    language_ok: int = 0
    confident: int = 0  # on-topic messages whose first suggestion is confident
    confident_right: int = 0  # ... and right
    offtopic: int = 0
    offtopic_confident: int = 0

    def add(self, *, case: EvalCase, ranked: tuple[str, ...], confident: bool, language_ok: bool) -> None:
        if not case.on_topic:
            self.offtopic += 1
            self.offtopic_confident += confident
            return
        self.n += 1
        top1 = bool(ranked) and ranked[0] == case.expected
        self.top1 += top1
        self.top3 += case.expected in ranked[:3]
        self.language_ok += language_ok
        self.confident += confident
        self.confident_right += confident and top1

    def rate(self, name: str) -> float:
        if name == "offtopic_confident":
            return self.offtopic_confident / self.offtopic if self.offtopic else 0.0
        if name == "confident_right":
            return self.confident_right / self.confident if self.confident else 0.0
        return getattr(self, name) / self.n if self.n else 0.0


@dataclass(frozen=True)
class Miss:
    case: EvalCase
    ranked: tuple[str, ...]
    detected: str
    confident: bool


@dataclass
class EvalReport:
    by_language: dict[str, Tally] = field(default_factory=dict)
    by_split: dict[str, Tally] = field(default_factory=dict)
    by_kind: dict[str, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)
    misses: list[Miss] = field(default_factory=list)

    def meets_goals(self) -> bool:
        return not self.unmet_goals()

    def unmet_goals(self) -> list[str]:
        overall, unmet = self.overall, []
        if overall.rate("top1") < GOAL_TOP1:
            unmet.append(f"top-1 {overall.rate('top1'):.1%} < {GOAL_TOP1:.0%}")
        if overall.rate("top3") < GOAL_TOP3:
            unmet.append(f"top-3 {overall.rate('top3'):.1%} < {GOAL_TOP3:.0%}")
        if overall.rate("offtopic_confident") > GOAL_OFFTOPIC_CONFIDENT:
            unmet.append(
                f"off-topic false-confident {overall.rate('offtopic_confident'):.1%} > {GOAL_OFFTOPIC_CONFIDENT:.0%}"
            )
        return unmet


def load_cases(path: Path = EVAL_FILE) -> list[EvalCase]:
    with open(path, encoding="utf-8") as handle:
        return [EvalCase(**json.loads(line)) for line in handle if line.strip()]


def evaluate(
    suggest: Callable[[str, str | None, str | None], object], cases: Iterable[EvalCase]
) -> EvalReport:
    """Run ``suggest(text, order_status, buyer_country)`` (a SuggestionResult) on every case and tally."""
    report = EvalReport()
    for case in cases:
        result = suggest(case.text, case.order_status, case.buyer_country)
        ranked = tuple(s.code for s in result.suggestions)
        confident = bool(result.suggestions) and result.suggestions[0].confident
        language_ok = result.language == case.language
        for tally in (
            report.by_language.setdefault(case.language, Tally()),
            report.by_split.setdefault(case.split, Tally()),
            report.by_kind.setdefault(case.kind, Tally()),
            report.overall,
        ):
            tally.add(case=case, ranked=ranked, confident=confident, language_ok=language_ok)
        wrong = (ranked[:1] != (case.expected,) or not language_ok) if case.on_topic else confident
        if wrong:
            report.misses.append(Miss(case, ranked[:3], result.language, confident))
    return report


def _row(label: str, tally: Tally) -> str:
    def pct(name: str, present: bool) -> str:
        return f"{tally.rate(name):>6.1%}" if present else f"{'–':>6}"

    on, off = tally.n > 0, tally.offtopic > 0
    return (
        f"| {label:<13} | {tally.n:>3} | {pct('top1', on)} | {pct('top3', on)} | {pct('language_ok', on):>9} "
        f"| {pct('confident', on):>9} | {pct('confident_right', tally.confident > 0):>9} "
        f"| {tally.offtopic:>3} | {pct('offtopic_confident', off):>14} |"
    )


def format_report(report: EvalReport, *, misses: bool = False) -> str:
    """A Markdown table: per language, split and kind and overall: top-1/top-3 and detection (on-topic),
    the share of on-topic messages given a confident first suggestion and how often that one is right, and
    the share of off-topic messages wrongly given a confident suggestion."""
    lines = [
        "| messages      |   n |  top-1 |  top-3 | detection | confident |   conf ok | off | off-topic conf |",
        "| ------------- | --: | -----: | -----: | --------: | --------: | --------: | --: | -------------: |",
    ]
    for language in SUPPORTED_LANGUAGES:
        if language in report.by_language:
            lines.append(_row(language, report.by_language[language]))
    for split in ("calibration", "held-out"):
        if split in report.by_split:
            lines.append(_row(f"({split})", report.by_split[split]))
    for kind in KINDS:
        if kind in report.by_kind:
            lines.append(_row(f"[{kind}]", report.by_kind[kind]))
    lines.append(_row("overall", report.overall))
    unmet = report.unmet_goals()
    lines.append(
        f"Goals: top-1 >= {GOAL_TOP1:.0%}, top-3 >= {GOAL_TOP3:.0%}, off-topic false-confident <= "
        f"{GOAL_OFFTOPIC_CONFIDENT:.0%}: " + ("met" if not unmet else "NOT met (" + "; ".join(unmet) + ")")
    )
    if misses:
        for miss in report.misses:
            case = miss.case
            lines.append(
                f"  miss {case.id} [{case.split}, {case.kind}] status={case.order_status} "
                f"country={case.buyer_country} expected={case.expected} got={list(miss.ranked)} "
                f"confident={miss.confident} detected={miss.detected}: {case.text}"
            )
    return "\n".join(lines)

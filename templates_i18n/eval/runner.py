"""Score the scenario suggester on the labelled buyer messages in ``suggestion_eval.jsonl``.

Each line is ``{"id", "language", "order_status", "expected", "text"}``; the labelling rules are in
docs/suggestion.md. Messages whose id number is odd form the *dev* half (used to choose the weights in
``templates_i18n/suggest.py``); even ones are the held-out *test* half.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from templates_i18n.languages import SUPPORTED_LANGUAGES

EVAL_FILE = Path(__file__).with_name("suggestion_eval.jsonl")
GOAL_TOP1 = 0.85
GOAL_TOP3 = 0.95


@dataclass(frozen=True)
class EvalCase:
    id: str
    language: str
    order_status: str | None
    expected: str
    text: str

    @property
    def split(self) -> str:
        return "dev" if int(self.id.rsplit("-", 1)[1]) % 2 else "test"


@dataclass
class Tally:
    n: int = 0
    top1: int = 0
    top3: int = 0
    language_ok: int = 0

    def add(self, *, top1: bool, top3: bool, language_ok: bool) -> None:
        self.n += 1
        self.top1 += top1
        self.top3 += top3
        self.language_ok += language_ok

    def rate(self, name: str) -> float:
        return getattr(self, name) / self.n if self.n else 0.0


@dataclass(frozen=True)
class Miss:
    case: EvalCase
    ranked: tuple[str, ...]
    detected: str


@dataclass
class EvalReport:
    by_language: dict[str, Tally] = field(default_factory=dict)
    by_split: dict[str, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)
    misses: list[Miss] = field(default_factory=list)

    def meets_goals(self) -> bool:
        return self.overall.rate("top1") >= GOAL_TOP1 and self.overall.rate("top3") >= GOAL_TOP3


def load_cases(path: Path = EVAL_FILE) -> list[EvalCase]:
    with open(path, encoding="utf-8") as handle:
        return [EvalCase(**json.loads(line)) for line in handle if line.strip()]


def evaluate(suggest: Callable[[str, str | None], object], cases: Iterable[EvalCase]) -> EvalReport:
    """Run ``suggest(text, order_status)`` (returning a SuggestionResult) on every case and tally."""
    report = EvalReport()
    for case in cases:
        result = suggest(case.text, case.order_status)
        ranked = tuple(s.code for s in result.suggestions)
        top1 = bool(ranked) and ranked[0] == case.expected
        top3 = case.expected in ranked[:3]
        language_ok = result.language == case.language
        for tally in (
            report.by_language.setdefault(case.language, Tally()),
            report.by_split.setdefault(case.split, Tally()),
            report.overall,
        ):
            tally.add(top1=top1, top3=top3, language_ok=language_ok)
        if not top1 or not language_ok:
            report.misses.append(Miss(case, ranked[:3], result.language))
    return report


def _row(label: str, tally: Tally) -> str:
    return (
        f"| {label:<8} | {tally.n:>3} | {tally.rate('top1'):>6.1%} | {tally.rate('top3'):>6.1%} "
        f"| {tally.rate('language_ok'):>9.1%} |"
    )


def format_report(report: EvalReport, *, misses: bool = False) -> str:
    """A Markdown table: per language, per split and overall top-1/top-3 and language-detection accuracy."""
    lines = [
        "| language |   n |  top-1 |  top-3 | detection |",
        "| -------- | --: | -----: | -----: | --------: |",
    ]
    for language in SUPPORTED_LANGUAGES:
        if language in report.by_language:
            lines.append(_row(language, report.by_language[language]))
    for split in ("dev", "test"):
        if split in report.by_split:
            lines.append(_row(f"({split})", report.by_split[split]))
    lines.append(_row("overall", report.overall))
    lines.append(
        f"Goals: top-1 >= {GOAL_TOP1:.0%}, top-3 >= {GOAL_TOP3:.0%}: {'met' if report.meets_goals() else 'NOT met'}"
    )
    if misses:
        for miss in report.misses:
            case = miss.case
            lines.append(
                f"  miss {case.id} [{case.split}] status={case.order_status} expected={case.expected} "
                f"got={list(miss.ranked)} detected={miss.detected}: {case.text}"
            )
    return "\n".join(lines)

"""Scenario-suggestion accuracy on the labelled buyer messages, against the scenarios the data migration loads.

The per-language table is printed to the terminal (capture disabled), so it shows in CI logs too.
"""

from collections import Counter

import pytest

from seller_desk.models import OrderStatus
from templates_i18n import suggest
from templates_i18n.eval.runner import GOAL_TOP1, GOAL_TOP3, evaluate, format_report, load_cases
from templates_i18n.languages import SUPPORTED_LANGUAGES
from templates_i18n.models import Scenario
from templates_i18n.scenario_seed import OFFICIAL_CODES

CASES = load_cases()


def test_the_evaluation_set_covers_every_language_and_scenario_with_valid_labels():
    assert len(CASES) >= 90
    assert len({case.id for case in CASES}) == len(CASES)
    per_language = Counter(case.language for case in CASES)
    assert set(per_language) == set(SUPPORTED_LANGUAGES)
    assert min(per_language.values()) >= 10
    assert {case.expected for case in CASES} == set(OFFICIAL_CODES)
    assert all(case.order_status is None or case.order_status in OrderStatus.values for case in CASES)
    assert {case.split for case in CASES} == {"dev", "test"}


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def test_no_evaluation_message_is_copied_into_the_intent_descriptions():
    intents = [_normalised(t) for texts in suggest.INTENT_DESCRIPTIONS.values() for t in texts]
    for case in CASES:
        message = _normalised(case.text)
        assert not any(message in intent or intent in message for intent in intents), case.id


@pytest.mark.django_db
def test_suggestions_meet_the_accuracy_goals_on_the_evaluation_set(capsys):
    assert set(Scenario.objects.filter(store__isnull=True).values_list("code", flat=True)) == set(
        OFFICIAL_CODES
    )

    def run(text, order_status):
        return suggest.suggest_scenarios(store=None, text=text, order_status=order_status)

    report = evaluate(run, CASES)
    with capsys.disabled():
        print(
            "\n\nScenario suggestion on templates_i18n/eval/suggestion_eval.jsonl (scenarios from the migration)"
        )
        print(format_report(report, misses=True))
    assert report.overall.rate("top3") >= GOAL_TOP3
    assert report.overall.rate("top1") >= GOAL_TOP1

"""Scenario-suggestion accuracy on the labelled buyer messages (templates_i18n/eval/suggestion_eval.jsonl).

    .venv/bin/python scripts/eval_suggestions.py              # scenarios from the database (run migrate first)
    .venv/bin/python scripts/eval_suggestions.py --from-seed  # scenarios straight from scenario_seed.py, no DB
    .venv/bin/python scripts/eval_suggestions.py --misses     # also list every wrong top-1 / wrong language

Prints, per language, per split (calibration / held-out), per kind (plain / hard / off-topic) and overall:
top-1 / top-3 accuracy and language detection on the on-topic messages, how many of them get a confident
first suggestion (and how often that one is right), and the share of off-topic messages wrongly given a
confident suggestion. Exits 1 when the goals (top-1 >= 95 %, top-3 >= 99 %, off-topic false-confident
<= 5 %) are not met.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seller_desk.settings")


def seed_scenarios():
    """Unsaved Scenario rows built from the seed data, exactly as the data migration stores them."""
    from templates_i18n.languages import SUPPORTED_LANGUAGES, field_suffix
    from templates_i18n.models import Scenario
    from templates_i18n.scenario_seed import OFFICIAL_SCENARIOS

    rows = []
    for position, item in enumerate(OFFICIAL_SCENARIOS, start=1):
        fields = {f"body_{field_suffix(lang)}": item["texts"].get(lang, "") for lang in SUPPORTED_LANGUAGES}
        rows.append(
            Scenario(
                code=item["code"],
                position=position,
                title_en=item["title"],
                order_statuses=item["order_statuses"],
                markets=item.get("markets", []),
                voice=item.get("voice", "seller"),
                **fields,
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--from-seed", action="store_true", help="build the scenarios from scenario_seed.py")
    parser.add_argument("--misses", action="store_true", help="list the messages ranked wrongly")
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="score suggestion_fresh.jsonl instead (messages written after tuning; never tune on them)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from templates_i18n import suggest
    from templates_i18n.eval.runner import FRESH_FILE, evaluate, format_report, load_cases
    from templates_i18n.models import Scenario

    started = time.perf_counter()
    if args.from_seed:
        index = suggest.build_index(seed_scenarios())

        def run(text, status, country):
            return suggest.rank([index], text=text, order_status=status, buyer_country=country)

    else:
        if not Scenario.objects.filter(store__isnull=True).exists():
            print("No official scenarios in the database: run `manage.py migrate` (or use --from-seed).")
            return 2

        def run(text, status, country):
            return suggest.suggest_scenarios(
                store=None, text=text, order_status=status, buyer_country=country
            )

    report = evaluate(run, load_cases(FRESH_FILE) if args.fresh else load_cases())
    elapsed = time.perf_counter() - started
    print(format_report(report, misses=args.misses))
    print(f"{report.overall.n} messages in {elapsed:.1f} s (model load and scenario embedding included)")
    return 0 if report.meets_goals() else 1


if __name__ == "__main__":
    sys.exit(main())

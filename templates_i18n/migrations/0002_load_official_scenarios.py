"""Load the official scenario library (seed 000, Scenario 1-7 and "What will be with my order?").

Idempotent: a scenario already present (by code) is left as it is, so admin edits survive re-running.
``manage.py load_scenarios`` re-syncs later edits of ``templates_i18n/scenario_seed.py``.
"""

from django.db import migrations

from templates_i18n.languages import SUPPORTED_LANGUAGES, field_suffix
from templates_i18n.scenario_seed import OFFICIAL_SCENARIOS


def load(apps, schema_editor):
    Scenario = apps.get_model("templates_i18n", "Scenario")
    existing = set(Scenario.objects.filter(store__isnull=True).values_list("code", flat=True))
    rows = []
    for position, item in enumerate(OFFICIAL_SCENARIOS, start=1):
        if item["code"] in existing:
            continue
        fields = {"title": item["title"], "title_en": item["title"], "body": item["texts"].get("en", "")}
        for language in SUPPORTED_LANGUAGES:
            fields[f"body_{field_suffix(language)}"] = item["texts"].get(language, "")
        rows.append(
            Scenario(
                store=None,
                code=item["code"],
                position=position,
                order_statuses=item["order_statuses"],
                **fields,
            )
        )
    Scenario.objects.bulk_create(rows)


def unload(apps, schema_editor):
    Scenario = apps.get_model("templates_i18n", "Scenario")
    Scenario.objects.filter(store__isnull=True, code__in=[s["code"] for s in OFFICIAL_SCENARIOS]).delete()


class Migration(migrations.Migration):
    dependencies = [("templates_i18n", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

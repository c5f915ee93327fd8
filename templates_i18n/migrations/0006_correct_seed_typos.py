"""The seed's own typos a buyer would read as a mistake (issue 13, point 3), corrected in a library loaded
before: each entry of ``scenario_seed.CORRECTIONS`` replaces its original fragment where the stored text
still has it (a text a platform admin rewrote without that fragment is left alone)."""

from django.db import migrations

from templates_i18n.scenario_seed import CORRECTIONS


def _field(language: str) -> str:
    return "body_" + language.lower().replace("-", "_")


def _apply(apps, pairs):
    Scenario = apps.get_model("templates_i18n", "Scenario")
    rows = {s.code: s for s in Scenario.objects.filter(store__isnull=True)}
    changed = set()
    for code, language, before, after in pairs:
        scenario = rows.get(code)
        field = _field(language)
        text = getattr(scenario, field, None) if scenario else None
        if text and before in text:
            setattr(scenario, field, text.replace(before, after))
            changed.add(code)
    for code in changed:
        rows[code].save()


def correct(apps, schema_editor):
    _apply(apps, [(c, lang, original, fixed) for c, lang, original, fixed in CORRECTIONS])


def uncorrect(apps, schema_editor):
    _apply(apps, [(c, lang, fixed, original) for c, lang, original, fixed in reversed(CORRECTIONS)])


class Migration(migrations.Migration):
    dependencies = [("templates_i18n", "0005_official_markets_and_voice")]

    operations = [migrations.RunPython(correct, uncorrect)]

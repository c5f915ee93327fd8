"""The official library's market and voice labels (issue 13): Scenario 5 is for buyers in Russia, Scenario 6
is advice to the buyer in the platform's voice ("you can negotiate with seller …")."""

from django.db import migrations

from templates_i18n.scenario_seed import OFFICIAL_SCENARIOS


def label(apps, schema_editor):
    Scenario = apps.get_model("templates_i18n", "Scenario")
    for item in OFFICIAL_SCENARIOS:
        fields = {}
        if item.get("markets"):
            fields["markets"] = item["markets"]
        if item.get("voice"):
            fields["voice"] = item["voice"]
        if fields:
            Scenario.objects.filter(store__isnull=True, code=item["code"]).update(**fields)


def unlabel(apps, schema_editor):
    Scenario = apps.get_model("templates_i18n", "Scenario")
    Scenario.objects.filter(store__isnull=True).update(markets=[], voice="seller")


class Migration(migrations.Migration):
    dependencies = [("templates_i18n", "0004_scenario_markets_validity_voice")]

    operations = [migrations.RunPython(label, unlabel)]

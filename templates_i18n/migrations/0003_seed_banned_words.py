"""Seed the banned-word list (R19, seed 000's first paragraph) and the list's version row.

English words match as whole words with their regular inflections (epidemics, terribly, disastrous);
Russian ones as stems so every case and the derived adjectives are caught (эпидемии, катастрофой,
катастрофический, ужасного, ужасен). Idempotent: a word already on the list is left as it is.
"""

from django.db import migrations

from templates_i18n.banned_seed import SEED


def seed(apps, schema_editor):
    BannedWord = apps.get_model("templates_i18n", "BannedWord")
    BannedWordListVersion = apps.get_model("templates_i18n", "BannedWordListVersion")
    existing = set(BannedWord.objects.values_list("term", "language"))
    BannedWord.objects.bulk_create(
        BannedWord(term=term, language=language, suggestion=suggestion, match=match)
        for term, language, suggestion, match in SEED
        if (term, language) not in existing
    )
    row = BannedWordListVersion.objects.order_by("pk").first()
    if row is None:
        BannedWordListVersion.objects.create(version=1)
    else:
        row.version += 1
        row.save(update_fields=["version"])


def unseed(apps, schema_editor):
    BannedWord = apps.get_model("templates_i18n", "BannedWord")
    BannedWordListVersion = apps.get_model("templates_i18n", "BannedWordListVersion")
    for term, language, _suggestion, _match in SEED:
        BannedWord.objects.filter(term=term, language=language).delete()
    row = BannedWordListVersion.objects.order_by("pk").first()
    if row is not None:
        row.version += 1
        row.save(update_fields=["version"])


class Migration(migrations.Migration):
    dependencies = [("templates_i18n", "0002_load_official_scenarios")]

    operations = [migrations.RunPython(seed, unseed)]

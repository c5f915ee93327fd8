"""Re-sync the official scenario library from templates_i18n/scenario_seed.py."""

from django.core.management.base import BaseCommand

from templates_i18n.services import official_scenarios_sync


class Command(BaseCommand):
    help = (
        "Create missing official scenarios and fill their empty fields from scenario_seed.py. Fields a platform "
        "admin changed are kept and listed; --force overwrites them with the seed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Overwrite fields that differ from the seed."
        )

    def handle(self, *args, force: bool = False, **options):
        report = official_scenarios_sync(force=force)
        for code in report["created"]:
            self.stdout.write(f"created {code}")
        for code, field in report["filled"]:
            self.stdout.write(f"filled {code}.{field}")
        for code, field in report["overwritten"]:
            self.stdout.write(f"overwrote {code}.{field}")
        for code, field in report["kept"]:
            self.stdout.write(f"kept {code}.{field} (differs from the seed; --force overwrites it)")
        done = sum(len(v) for k, v in report.items() if k != "kept")
        self.stdout.write(
            self.style.SUCCESS(f"Official scenarios in sync ({done} change(s), {len(report['kept'])} kept).")
        )

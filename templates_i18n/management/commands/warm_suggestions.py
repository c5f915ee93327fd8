import time

from django.core.management.base import BaseCommand

from templates_i18n.suggest import warm_up


class Command(BaseCommand):
    help = "Load the suggestion model and embed the official scenarios into the shared cache."

    def handle(self, *args, **opts):
        started = time.monotonic()
        warm_up()
        self.stdout.write(f"Scenario suggestions warm in {time.monotonic() - started:.1f} s.")

import logging
import time

from django.core.management.base import BaseCommand

from demo.services import demo_seed


class Command(BaseCommand):
    help = (
        "Load the demo stores, people, buyers in the nine languages, orders and a 30-day inbox. "
        "Idempotent: when the demo stores exist it only prints the logins and fresh integration tokens."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo stores (and everything in them) first, for a fresh 30-day picture",
        )

    def handle(self, *args, **opts):
        # Each delivered demo reply would log a Celery "task succeeded" line (tasks run in-process here).
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        started = time.perf_counter()
        result = demo_seed(reset=opts["reset"])
        elapsed = time.perf_counter() - started
        out = self.stdout
        for store in result.stores:
            if store.created:
                c = store.counts
                out.write(
                    f"Created {store.name} ({store.tier}): {c['buyers']} buyers, {c['orders']} orders, "
                    f"{c['conversations']} conversations ({c['disputes']} disputes), {c['inbound']} buyer messages, "
                    f"{c['replies']} replies, {c['waiting']} waiting for a reply."
                )
            else:
                out.write(f"{store.name} already exists; its data is unchanged (use --reset to rebuild it).")
        out.write(f"Done in {elapsed:.1f} s.\n")
        out.write("Demo logins (http://127.0.0.1:8000/login/):")
        width = max(len(login.username) for login in result.logins)
        for login in result.logins:
            out.write(f"  {login.username:<{width}}  {login.password}  {login.role:<14}  {login.store}")
        out.write("\nMarketplace integration tokens (Authorization: Bearer <token>; rotated by every run):")
        for store in result.stores:
            out.write(f"  {store.slug:<20}  {store.integration_token}")

"""Run every store's campaign batch for a store-local date (default: each store's today); idempotent."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from campaigns.services import campaigns_run_daily


class Command(BaseCommand):
    help = (
        "Send the next batch of every sending campaign for that store-local date (default today); idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Store-local date YYYY-MM-DD (default: each store's today).")

    def handle(self, *args, **options):
        day = None
        if options.get("date"):
            try:
                day = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD (got {options['date']!r}).") from exc
        results = campaigns_run_daily(day=day)
        for r in results:
            self.stdout.write(
                json.dumps(
                    {
                        "campaign_id": r.campaign_id,
                        "date": r.day.isoformat() if r.day else None,
                        "sent": r.sent,
                        "skipped": r.skipped,
                        "failed": r.failed,
                        "stopped": r.stopped,
                    }
                )
            )
        total = sum(r.sent for r in results)
        self.stderr.write(f"{len(results)} campaigns, {total} messages sent.")

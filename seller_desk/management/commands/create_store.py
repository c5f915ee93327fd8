import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from seller_desk.errors import ApplicationError
from seller_desk.services import store_create


class Command(BaseCommand):
    help = "Create a store; prints one JSON line {store_id, slug, integration_token}."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--tier", required=True)
        parser.add_argument("--timezone")
        parser.add_argument("--resume-shipping-date", type=date.fromisoformat)

    def handle(self, *args, **opts):
        try:
            created = store_create(
                name=opts["name"],
                tier=opts["tier"],
                timezone=opts.get("timezone"),
                resume_shipping_date=opts.get("resume_shipping_date"),
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            json.dumps(
                {
                    "store_id": created.store.pk,
                    "slug": created.store.slug,
                    "integration_token": created.integration_token,
                }
            )
        )

import json
import secrets

from django.core.management.base import BaseCommand, CommandError

from seller_desk.errors import ApplicationError
from seller_desk.models import Store
from seller_desk.services import store_marketplace_endpoint_set


class Command(BaseCommand):
    help = "Set where a store's outbound messages are POSTed and the HMAC secret both sides sign with."

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="store slug")
        parser.add_argument(
            "--url", required=True, help="the marketplace endpoint ('' turns HTTP delivery off)"
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--secret", help="the shared signing secret (16 to 200 characters)")
        group.add_argument("--generate-secret", action="store_true", help="make a new secret and print it")
        group.add_argument("--no-secret", action="store_true", help="remove the secret (unsigned ingress)")

    def handle(self, *args, **opts):
        store = Store.objects.filter(slug=opts["store"]).first()
        if store is None:
            raise CommandError(f"No store with slug '{opts['store']}'.")
        secret = opts["secret"]
        if opts["generate_secret"]:
            secret = "sds_" + secrets.token_urlsafe(32)
        elif opts["no_secret"]:
            secret = ""
        try:
            store_marketplace_endpoint_set(store=store, endpoint=opts["url"], secret=secret)
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        out = {
            "store": store.slug,
            "endpoint": store.marketplace_endpoint,
            "signed": bool(store.marketplace_secret),
        }
        if opts["generate_secret"]:
            out["secret"] = secret
        self.stdout.write(json.dumps(out))

from django.core.management.base import BaseCommand, CommandError

from seller_desk.errors import ApplicationError
from seller_desk.models import Store
from seller_desk.services import member_add


class Command(BaseCommand):
    help = "Create or update a user and make them owner or agent of a store."

    def add_arguments(self, parser):
        parser.add_argument("--store", required=True, help="store slug")
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=["owner", "agent"])

    def handle(self, *args, **opts):
        store = Store.objects.filter(slug=opts["store"]).first()
        if store is None:
            raise CommandError(f"No store with slug '{opts['store']}'.")
        try:
            membership = member_add(
                store=store, username=opts["username"], password=opts["password"], role=opts["role"]
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{membership.user.username} is {membership.role} of {store.slug}")

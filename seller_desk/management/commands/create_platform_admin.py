from django.core.management.base import BaseCommand, CommandError

from seller_desk.errors import ApplicationError
from seller_desk.services import platform_admin_create


class Command(BaseCommand):
    help = "Create or update a platform admin (edits banned words and official scenarios)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args, **opts):
        try:
            user = platform_admin_create(username=opts["username"], password=opts["password"])
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{user.username} is a platform admin")

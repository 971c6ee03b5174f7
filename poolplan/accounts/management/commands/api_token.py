"""`manage.py api_token USERNAME [--name NAME]`: print a new personal API token.

Only the token goes to stdout, so a script can capture it: TOKEN=$(manage.py api_token alice).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from poolplan.accounts.models import User
from poolplan.accounts.services import api_token_create


class Command(BaseCommand):
    help = _("Create a personal API token for a login and print it (shown once, stored hashed).")

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("the login the token acts as"))
        parser.add_argument("--name", default="", help=_("what the token is for, e.g. 'backup'"))

    def handle(self, *args, username: str, name: str, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(
                _("There is no login named %(username)s; check the spelling or create it first.")
                % {"username": username}
            ) from None
        if not user.is_active:
            raise CommandError(
                _("The login %(username)s is deactivated; activate it before creating a token.")
                % {"username": username}
            )
        self.stdout.write(api_token_create(user=user, name=name))

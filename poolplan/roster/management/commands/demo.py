"""`manage.py demo`: load the demo schools and logins (idempotent), then list the logins."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from poolplan.roster.demo_data import DEMO_PASSWORD, DemoRefused, demo_load, demo_logins


class Command(BaseCommand):
    help = _("Create the demo provider, three schools and the demo logins (password \"demo\"). "
             "Running it again creates nothing new.")

    def handle(self, *args, **options):
        try:
            created = demo_load()
        except DemoRefused as refusal:
            raise CommandError(str(refusal)) from None
        if created:
            self.stdout.write(_("Demo data loaded (%(count)d objects created).")
                              % {"count": created})
        else:
            self.stdout.write(_("Demo data already complete; nothing changed."))
        self.stdout.write(_("Demo logins (password \"%(password)s\"):")
                          % {"password": DEMO_PASSWORD})
        for username, role, description in demo_logins():
            self.stdout.write(f"  {username:<14} {role:<12} {description}")

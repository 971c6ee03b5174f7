"""`manage.py pace_alerts`: tell the coordinators which children fell behind the pace their
approval needs (once per child and week; run it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from poolplan.logbook.alerts import pace_alerts_send


class Command(BaseCommand):
    help = "Notify coordinators of children falling behind their approved support (daily)."

    def handle(self, *args, **options):
        alerts = pace_alerts_send()
        self.stdout.write(f"{len(alerts)} pace alert(s) sent.")

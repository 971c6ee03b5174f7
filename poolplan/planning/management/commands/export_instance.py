"""`manage.py export_instance --school ID --week 2026-W48 [--out FILE]`: one school's week as
a `poolplan-instance/1` document, so any plan can be reproduced and checked outside the app
(`poolplan plan FILE`, `poolplan check FILE PLAN`)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from poolplan.planning.services import PlanningDataError, instance_build
from poolplan.planning.weeks import WeekError
from poolplan.roster.models import School


class Command(BaseCommand):
    help = _("Write one school's ISO week as a poolplan-instance/1 document (JSON) to standard "
             "output or a file.")

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, required=True,
                            help=_("database id of the school"))
        parser.add_argument("--week", required=True, help=_("ISO week, e.g. 2026-W48"))
        parser.add_argument("--out", help=_("file to write (default: standard output)"))

    def handle(self, *args, **options):
        school = School.objects.filter(pk=options["school"]).first()
        if school is None:
            known = ", ".join(f"{s.pk} ({s.name})" for s in School.objects.order_by("pk"))
            raise CommandError(_("There is no school with id %(id)s; choose one of: %(known)s.")
                               % {"id": options["school"], "known": known or _("none")})
        try:
            instance = instance_build(school=school, week=options["week"])
        except (WeekError, PlanningDataError) as error:
            raise CommandError(str(error)) from None
        # Keys keep the order of spec/planning.md (insertion order), so exports diff cleanly.
        text = json.dumps(instance, indent=2, ensure_ascii=False) + "\n"
        if not options["out"]:
            self.stdout.write(text, ending="")
            return
        path = Path(options["out"])
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(_("Cannot write %(path)s: %(reason)s.")
                               % {"path": path, "reason": error.strerror}) from None
        self.stdout.write(_("Wrote %(path)s: %(slots)d slots, %(children)d children, "
                            "%(assistants)d assistants.")
                          % {"path": path, "slots": len(instance["slots"]),
                             "children": len(instance["children"]),
                             "assistants": len(instance["assistants"])})

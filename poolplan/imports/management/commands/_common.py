"""What both import commands share: reading the files, printing the plan, the exit code."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from poolplan.imports.services import ImportReport
from poolplan.roster.models import School


class ImportCommand(BaseCommand):
    requires_migrations_checks = True
    many_files = True

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, required=True, help="the school's id")
        parser.add_argument("files", nargs="+" if self.many_files else 1, metavar="FILE")
        parser.add_argument("--dry-run", action="store_true",
                            help="show what would change and the problems; write nothing")

    def run_import(self, *, school: School, files: list[tuple[str, bytes]],
                   apply: bool) -> ImportReport:
        raise NotImplementedError

    def handle(self, *args, school: int, files: list[str], dry_run: bool, **options):
        try:
            school_obj = School.objects.get(pk=school)
        except School.DoesNotExist:
            raise CommandError(f"No school has the id {school}.") from None
        loaded = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            loaded.append((path.name, path.read_bytes()))
        report = self.run_import(school=school_obj, files=loaded, apply=not dry_run)
        for change in report.changes:
            line = f"{change.action:7} {change.what_label} {change.name}"
            self.stdout.write(f"{line}: {change.detail}" if change.detail else line)
        for plan in report.affected_plans:
            self.stdout.write(_("affected plan: %(plan)s (solve it again)") % {"plan": plan})
        for text in report.problem_texts():
            self.stderr.write(f"problem: {text}")
        self.stdout.write(report.summary())
        if report.problems:
            # CommandError exits with status 1; the transaction was rolled back.
            raise CommandError(_("Nothing was imported: fix the problems above and run the "
                                 "import again."))
        if report.applied:
            self.stdout.write(self.style.SUCCESS(_("Imported.")))
        else:
            self.stdout.write(_("Dry run: nothing was written."))

from poolplan.imports.management.commands._common import ImportCommand
from poolplan.imports.services import timetable_import


class Command(ImportCommand):
    help = ("Import a school's timetable from Untis exports (GPU001.TXT lessons, GPU003.TXT "
            "classes, GPU005.TXT rooms, or the XML export). Exits 1, writing nothing, when "
            "there are problems.")

    def run_import(self, *, school, files, apply):
        return timetable_import(school=school, actor=None, files=files, apply=apply)

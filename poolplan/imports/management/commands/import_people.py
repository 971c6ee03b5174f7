from poolplan.imports.management.commands._common import ImportCommand
from poolplan.imports.services import people_import


class Command(ImportCommand):
    help = ("Import children (with need profiles), assistants and approvals from a spreadsheet "
            "(CSV or XLSX, laid out like the template). Exits 1, writing nothing, when there "
            "are problems.")
    many_files = False

    def run_import(self, *, school, files, apply):
        return people_import(school=school, actor=None, files=files, apply=apply)

"""The export files, built from the rows in `reports/selectors.py`.

Formats (see `reports/files.py` for the CSV and XLSX conventions):

week plan   poolplan-<school>-<week>.csv|xlsx: one row per assignment of the published plan,
            columns week, date, weekday, period, start, end, assistant, child (display code),
            class, room
hours       poolplan-hours-<school>-<YYYY-MM>.csv|xlsx: one row per child of the school,
            columns month, school, child (display code), class, funding_body, file_number,
            then minutes: approved, planned (empty where no plan was published), delivered,
            credited, not_credited, excused, shortfall, debt_before, debt_added,
            debt_made_up, debt_after (the make-up debt carried into the next month)
access      poolplan-access-<display code>-<date>.json|pdf: everything stored about a child
            (format "poolplan-access-export/1", sections as in `selectors.access_export`)
"""

import json
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from poolplan.reports.files import CSV_TYPE, XLSX_TYPE, csv_bytes, xlsx_bytes
from poolplan.reports.selectors import HOURS_COLUMNS, WEEK_PLAN_COLUMNS

FORMATS = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE, "json": "application/json; charset=utf-8",
           "pdf": "application/pdf"}


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def _table(kind: str, title: str, columns, rows, filename: str) -> ExportFile:
    content = csv_bytes(columns, rows) if kind == "csv" else xlsx_bytes(title, columns, rows)
    return ExportFile(content, FORMATS[kind], f"{filename}.{kind}")


def week_plan_file(*, kind: str, school, week: str, table: list[tuple]) -> ExportFile:
    return _table(kind, week, WEEK_PLAN_COLUMNS, table,
                  f"poolplan-{slugify(school.name)}-{week}")


def hours_file(*, kind: str, school, month: str, table: list[tuple]) -> ExportFile:
    return _table(kind, month, HOURS_COLUMNS, table,
                  f"poolplan-hours-{slugify(school.name)}-{month}")


def access_file(*, kind: str, data: dict) -> ExportFile:
    name = (f"poolplan-access-{slugify(data['child']['display_code'])}-"
            f"{timezone.localdate():%Y-%m-%d}")
    if kind == "json":
        content = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    else:
        # Imported here: WeasyPrint loads pango at import, which only the PDF needs.
        from weasyprint import HTML

        html = render_to_string("reports/access_export_pdf.html", {"data": data})
        content = HTML(string=html).write_pdf()
    return ExportFile(content, FORMATS[kind], f"{name}.{kind}")

"""Reading spreadsheets (XLSX) into rows like the text files' rows.

A cell with a formula or a merged range is refused, not guessed at: the value a formula shows
is not stored reliably in the file, and a merged cell means "the same as above" to a person but
an empty cell to a program. Either would import something other than what the coordinator
sees.
"""

import datetime
import io
from dataclasses import dataclass
from gettext import gettext as _

from poolplan.imports.parsing.common import ZIP_MAGIC, Problem, TableRow


@dataclass
class Sheet:
    name: str
    rows: list[TableRow]
    # Column letters by position, for problems ("column C").
    letters: list[str]


def is_xlsx(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx(file: str, data: bytes, problems: list[Problem]) -> list[Sheet]:
    """The sheets of a workbook as rows of text, or [] with problems."""
    # openpyxl is imported here so that reading text files does not need it.
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False, read_only=False)
    # openpyxl raises many kinds of exception on a broken file (zip, XML, key, value errors).
    except Exception as error:
        problems.append(Problem(file, _("the spreadsheet cannot be opened (%(error)s); save it "
                                        "again as an Excel workbook (.xlsx)."),
                                {"error": type(error).__name__}))
        return []
    sheets = []
    for worksheet in workbook.worksheets:
        refused = False
        for merged in worksheet.merged_cells.ranges:
            problems.append(Problem(f"{file} [{worksheet.title}]", _(
                "cells %(range)s are merged; unmerge them and fill in every cell, then upload "
                "again."), {"range": str(merged)}, line=merged.min_row))
            refused = True
        rows = []
        width = 0
        for cells in worksheet.iter_rows():
            fields = []
            for cell in cells:
                if cell.data_type == "f":
                    problems.append(Problem(f"{file} [{worksheet.title}]", _(
                        "cell %(cell)s holds a formula; replace it by its value (copy, then "
                        "paste values only) and upload again."), {"cell": cell.coordinate},
                        line=cell.row, column=cell.column_letter))
                    refused = True
                fields.append(_text(cell.value))
            while fields and not fields[-1]:
                fields.pop()
            if fields:
                rows.append(TableRow(cells[0].row, tuple(fields)))
                width = max(width, len(fields))
        if not refused:
            sheets.append(Sheet(worksheet.title, rows,
                                [get_column_letter(i + 1) for i in range(width)]))
    workbook.close()
    return sheets

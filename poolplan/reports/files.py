"""Tables as files: CSV for German Excel and XLSX.

CSV: UTF-8 with a byte order mark, `;` between fields, CRLF line ends. German Excel opens such
a file by double click with its umlauts intact (without the mark it reads Windows-1252 and
shows "MÃ¼ller") and splits it into columns (`;` is its list separator, since `,` is the
decimal sign). The log book's proof CSV is written the same way. Values are plain: dates
ISO (2026-11-23), times HH:MM, minutes as whole numbers, so no decimal sign is involved.

XLSX: one sheet, the header row bold and frozen, dates and times as real cell values.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if value is None else _text(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value) -> str:
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")  # without seconds, as on every page
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def xlsx_bytes(title: str, columns: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    # Imported here: only the XLSX files need openpyxl.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]  # Excel's limit for a sheet name
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [len(column) for column in columns]
    for row in rows:
        sheet.append(list(row))
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(_text(value)) if value is not None else 0)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(40, width + 2)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.time):
                cell.number_format = "hh:mm"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

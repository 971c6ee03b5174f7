"""Files the tests write themselves, in every variation real exports come in."""

import datetime as dt
import io

import pytest

from poolplan.roster.models import Period, PeriodKind, Provider, School


def gpu_text(rows, *, delimiter=";", quote=True, crlf=False, trailing=True) -> str:
    """GPU-style rows: text fields quoted, numbers bare, like Untis writes them."""
    lines = []
    for row in rows:
        fields = []
        for value in row:
            text = str(value)
            if quote and isinstance(value, str) and text:
                text = '"' + text.replace('"', '""') + '"'
            fields.append(text)
        line = delimiter.join(fields)
        lines.append(line + (delimiter if trailing else ""))
    end = "\r\n" if crlf else "\n"
    return end.join(lines) + end


def gpu_bytes(rows, *, encoding="utf-8", bom=False, **kwargs) -> bytes:
    data = gpu_text(rows, **kwargs).encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


# lesson no; class; teacher; subject; room; weekday; period; length
LESSONS = [
    (1, "5a", "Mül", "D", "R101", 1, 1, ""),
    (1, "5a", "Mül", "D", "R101", 1, 2, ""),
    (2, "5a", "Kög", "M", "R101", 2, 1, ""),
    # coupled classes: one lesson number, one row per class
    (3, "5a", "Brä", "Sp", "Halle", 3, 3, ""),
    (3, "5b", "Brä", "Sp", "Halle", 3, 3, ""),
    # parallel groups: religion / ethics, same time, class split
    (4, "5a", "Öz", "ev", "R101", 4, 2, ""),
    (4, "5a", "Weiß", "Eth", "R102", 4, 2, ""),
    # no room
    (5, "5b", "Mül", "Ku", "", 5, 1, ""),
]


def xlsx_bytes(sheets: dict[str, list[list]], *, formula_cell=None, merge=None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if formula_cell:
            sheet[formula_cell] = "=1+1"
        if merge:
            sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def school(db) -> School:
    """A school with a bell schedule: periods 1-6 and break b1, Monday to Friday."""
    provider = Provider.objects.create(name="Träger Nord")
    school = School.objects.create(provider=provider, name="Grundschule Am Deich")
    starts = [(8, 0), (8, 50), (9, 55), (10, 45), (11, 45), (12, 35)]
    for weekday in range(1, 6):
        for number, (hour, minute) in enumerate(starts, start=1):
            start = dt.time(hour, minute)
            end = (dt.datetime.combine(dt.date.today(), start) + dt.timedelta(minutes=45)).time()
            Period.objects.create(school=school, weekday=weekday, label=str(number),
                                  kind=PeriodKind.LESSON, start=start, end=end)
        Period.objects.create(school=school, weekday=weekday, label="b1",
                              kind=PeriodKind.BREAK, start=dt.time(9, 35), end=dt.time(9, 55))
    return school


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, the source language (the default is German)."""
    from django.utils import translation

    with translation.override("en"):
        yield

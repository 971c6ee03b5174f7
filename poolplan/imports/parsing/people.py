"""Spreadsheets of children, need profiles, assistants and approvals (CSV or XLSX).

A workbook has one sheet per kind (named like the kind, or told apart by its header row); a
CSV file holds one kind, told apart by its header row. The first row names the columns, in any
order; unknown columns are ignored. `template_csv` and `template_xlsx` write the layout with an
example row.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from gettext import gettext as _

from poolplan.imports.parsing.common import Problem, TableRow, read_table
from poolplan.imports.parsing.spreadsheet import Sheet, is_xlsx, read_xlsx

WEEKDAY_COLUMNS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday")

# kind -> (columns in template order, required columns)
KINDS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "children": (("class", "display_code", "first_name", "last_name", "date_of_birth",
                  "course_groups", "required_skills"),
                 frozenset({"class", "display_code", "first_name", "last_name"})),
    "need_profile": (("display_code", "weekday", "period", "need", "room", "skills"),
                     frozenset({"display_code", "weekday", "period", "need"})),
    "assistants": (("first_name", "last_name", "profession", "contract_minutes_per_week",
                    "skills", *WEEKDAY_COLUMNS),
                   frozenset({"first_name", "last_name", "contract_minutes_per_week"})),
    "approvals": (("display_code", "funding_body", "file_number", "minutes_per_week",
                   "valid_from", "valid_to", "ratio"),
                  frozenset({"display_code", "funding_body", "file_number", "minutes_per_week",
                             "valid_from", "valid_to"})),
}

EXAMPLES = {
    "children": ("5a", "Fox 7", "Mia", "Muster", "2015-03-01", "ethics", "nursing"),
    "need_profile": ("Fox 7", "1", "1", "2", "", ""),
    "assistants": ("Anna", "Berg", "assistant", "1500", "nursing, learning",
                   "07:30-13:00", "07:30-13:00", "", "07:30-13:00", "07:30-12:00", ""),
    "approvals": ("Fox 7", "Youth office", "AZ-51-2026-0042", "900", "2026-08-01",
                  "2027-07-31", "1:2"),
}

# Headers people write instead of ours (German exports, spaces, capitals).
ALIASES = {
    "klasse": "class", "kürzel": "display_code", "code": "display_code",
    "vorname": "first_name", "nachname": "last_name", "name": "last_name",
    "geburtsdatum": "date_of_birth", "birthday": "date_of_birth", "tag": "weekday",
    "day": "weekday", "stunde": "period", "bedarf": "need", "raum": "room",
    "fähigkeiten": "skills", "kostenträger": "funding_body", "aktenzeichen": "file_number",
    "minuten": "minutes_per_week", "von": "valid_from", "bis": "valid_to",
    "schlüssel": "ratio", "group_ratio": "ratio", "max_ratio": "ratio",
    "contract_minutes": "contract_minutes_per_week",
}

WEEKDAY_NAMES = {
    "mon": 1, "monday": 1, "mo": 1, "montag": 1,
    "tue": 2, "tuesday": 2, "tu": 2, "di": 2, "dienstag": 2,
    "wed": 3, "wednesday": 3, "we": 3, "mi": 3, "mittwoch": 3,
    "thu": 4, "thursday": 4, "th": 4, "do": 4, "donnerstag": 4,
    "fri": 5, "friday": 5, "fr": 5, "freitag": 5,
    "sat": 6, "saturday": 6, "sa": 6, "samstag": 6,
}


@dataclass(frozen=True)
class Where:
    file: str
    line: int
    # Column name -> its letter (spreadsheets) or number (text files), for problems found
    # later, when the rows are matched against the school's data.
    columns: dict = field(default_factory=dict, compare=False, hash=False)

    def column(self, name: str) -> int | str | None:
        return self.columns.get(name)


@dataclass(frozen=True)
class ChildRow:
    where: Where
    class_name: str
    display_code: str
    first_name: str
    last_name: str
    date_of_birth: datetime.date | None
    course_groups: tuple[str, ...]
    required_skills: tuple[str, ...]


@dataclass(frozen=True)
class NeedRow:
    where: Where
    display_code: str
    weekday: int
    period: str
    need: int
    room: str
    skills: tuple[str, ...]


@dataclass(frozen=True)
class AssistantRow:
    where: Where
    first_name: str
    last_name: str
    profession: str
    contract_minutes_per_week: int
    skills: tuple[str, ...]
    working_times: tuple[tuple[int, datetime.time, datetime.time], ...]


@dataclass(frozen=True)
class ApprovalRow:
    where: Where
    display_code: str
    funding_body: str
    file_number: str
    minutes_per_week: int
    valid_from: datetime.date
    valid_to: datetime.date
    max_ratio: int


@dataclass
class PeopleData:
    children: list[ChildRow] = field(default_factory=list)
    needs: list[NeedRow] = field(default_factory=list)
    assistants: list[AssistantRow] = field(default_factory=list)
    approvals: list[ApprovalRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def normalise_header(value: str) -> str:
    key = re.sub(r"[\s\-/]+", "_", value.strip().lower()).strip("_")
    return ALIASES.get(key, key)


def detect_kind(sheet_name: str, header: Iterable[str]) -> str:
    name = normalise_header(sheet_name)
    if name in KINDS:
        return name
    columns = {normalise_header(h) for h in header}
    matches = [kind for kind, (_cols, required) in KINDS.items() if required <= columns]
    # "children" and "need_profile" share display_code; the one with more matching columns wins.
    matches.sort(key=lambda kind: -len(columns & set(KINDS[kind][0])))
    return matches[0] if matches else ""


# --- values ------------------------------------------------------------------------------------


class BadValue(ValueError):
    """A cell that cannot be read; args[0] is the message template, args[1] its params."""


def parse_date(value: str) -> datetime.date:
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise BadValue(_("\"%(value)s\" is not a date; write it as 2026-08-01 or 01.08.2026."),
                   {"value": value})


def parse_int(value: str, *, low: int, high: int) -> int:
    value = value.strip()
    if not re.fullmatch(r"\d{1,6}", value):
        raise BadValue(_("\"%(value)s\" is not a whole number."), {"value": value})
    number = int(value)
    if not low <= number <= high:
        raise BadValue(_("%(value)s is outside %(low)s to %(high)s."),
                       {"value": number, "low": low, "high": high})
    return number


def parse_weekday(value: str) -> int:
    key = value.strip().lower().rstrip(".")
    if key in WEEKDAY_NAMES:
        return WEEKDAY_NAMES[key]
    if re.fullmatch(r"[1-6]", key):
        return int(key)
    raise BadValue(_("\"%(value)s\" is not a school day; write 1 (Monday) to 6 (Saturday) or "
                     "the day's name."), {"value": value})


def parse_time_range(value: str) -> tuple[datetime.time, datetime.time]:
    match = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*", value)
    if match:
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60:
            return datetime.time(h1, m1), datetime.time(h2, m2)
    raise BadValue(_("\"%(value)s\" is not a working time; write it as 07:30-13:00."),
                   {"value": value})


def parse_ratio(value: str) -> int:
    match = re.fullmatch(r"\s*(?:1\s*:\s*)?([123])\s*", value)
    if not match:
        raise BadValue(_("\"%(value)s\" is not a group ratio; write 1:1, 1:2 or 1:3."),
                       {"value": value})
    return int(match.group(1))


def parse_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[,;|]", value) if part.strip())


# --- rows --------------------------------------------------------------------------------------


@dataclass
class _Row:
    """A data row with its header, for reading cells by column name."""

    file: str
    row: TableRow
    positions: dict[str, int]
    letters: list[str] | None
    problems: list[Problem]
    ok: bool = True

    def where(self) -> Where:
        return Where(self.file, self.row.line,
                     {name: self.column(name) for name in self.positions})

    def column(self, name: str) -> int | str:
        index = self.positions[name]
        if self.letters is not None and index < len(self.letters):
            return self.letters[index]
        return index + 1

    def text(self, name: str) -> str:
        index = self.positions.get(name)
        return self.row.get(index) if index is not None else ""

    def fail(self, name: str, message: str, params: dict | None = None) -> None:
        self.ok = False
        self.problems.append(Problem(self.file, message, params or {}, line=self.row.line,
                                     column=self.column(name), column_name=name))

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            self.fail(name, _("%(column)s is empty; fill it in."), {"column": name})
        return value

    def convert(self, name: str, parse, *, optional: bool = False, default=None, **kwargs):
        value = self.text(name)
        if not value:
            if optional:
                return default
            self.fail(name, _("%(column)s is empty; fill it in."), {"column": name})
            return default
        try:
            return parse(value, **kwargs)
        except BadValue as error:
            self.fail(name, error.args[0], error.args[1])
            return default


def _child(r: _Row) -> ChildRow | None:
    row = ChildRow(r.where(), r.required("class"), r.required("display_code"),
                   r.required("first_name"), r.required("last_name"),
                   r.convert("date_of_birth", parse_date, optional=True),
                   parse_list(r.text("course_groups")), parse_list(r.text("required_skills")))
    return row if r.ok else None


def _need(r: _Row) -> NeedRow | None:
    row = NeedRow(r.where(), r.required("display_code"),
                  r.convert("weekday", parse_weekday, default=0), r.required("period"),
                  r.convert("need", parse_int, low=0, high=2, default=0), r.text("room"),
                  parse_list(r.text("skills")))
    return row if r.ok else None


def _assistant(r: _Row) -> AssistantRow | None:
    times = []
    for weekday, column in enumerate(WEEKDAY_COLUMNS, start=1):
        if column in r.positions and r.text(column):
            span = r.convert(column, parse_time_range)
            if span is not None:
                times.append((weekday, *span))
    row = AssistantRow(r.where(), r.required("first_name"),
                       r.required("last_name"), r.text("profession"),
                       r.convert("contract_minutes_per_week", parse_int, low=0, high=3600,
                                 default=0),
                       parse_list(r.text("skills")), tuple(times))
    return row if r.ok else None


def _approval(r: _Row) -> ApprovalRow | None:
    row = ApprovalRow(r.where(), r.required("display_code"),
                      r.required("funding_body"), r.required("file_number"),
                      r.convert("minutes_per_week", parse_int, low=1, high=3000, default=0),
                      r.convert("valid_from", parse_date), r.convert("valid_to", parse_date),
                      r.convert("ratio", parse_ratio, optional=True, default=1))
    return row if r.ok else None


READERS = {"children": (_child, "children"), "need_profile": (_need, "needs"),
           "assistants": (_assistant, "assistants"), "approvals": (_approval, "approvals")}


def _read_rows(file: str, rows: list[TableRow], letters: list[str] | None, sheet_name: str,
               out: PeopleData) -> None:
    if not rows:
        return
    header, body = rows[0], rows[1:]
    kind = detect_kind(sheet_name, header.fields)
    if not kind:
        out.problems.append(Problem(file, _(
            "the first row does not name the columns of children, need profile, assistants "
            "or approvals; start from the template."), line=header.line))
        return
    positions: dict[str, int] = {}
    for index, name in enumerate(header.fields):
        key = normalise_header(name)
        if key and key not in positions:
            positions[key] = index
    missing = sorted(KINDS[kind][1] - set(positions))
    if missing:
        out.problems.append(Problem(file, _(
            "the %(kind)s table lacks the column(s) %(columns)s; start from the template."),
            {"kind": kind, "columns": ", ".join(missing)}, line=header.line))
        return
    reader, target = READERS[kind]
    for row in body:
        record = reader(_Row(file, row, positions, letters, out.problems))
        if record is not None:
            getattr(out, target).append(record)


def parse_people(files: Iterable[tuple[str, bytes]]) -> PeopleData:
    out = PeopleData()
    for name, data in files:
        if not data.strip():
            out.problems.append(Problem(name, _("the file is empty; export it again and choose "
                                                "the file with the data.")))
            continue
        if is_xlsx(data):
            for sheet in read_xlsx(name, data, out.problems):
                _read_sheet(name, sheet, out)
            continue
        table = read_table(name, data, out.problems)
        if table is not None:
            _read_rows(name, table.rows, None, "", out)
    return out


def _read_sheet(file: str, sheet: Sheet, out: PeopleData) -> None:
    _read_rows(f"{file} [{sheet.name}]", sheet.rows, sheet.letters, sheet.name, out)


# --- templates ---------------------------------------------------------------------------------


def template_csv(kind: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(KINDS[kind][0])
    writer.writerow(EXAMPLES[kind])
    # With a BOM, Excel opens umlauts correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for kind, (columns, required) in KINDS.items():
        sheet = workbook.create_sheet(kind)
        sheet.append(list(columns))
        sheet.append(list(EXAMPLES[kind]))
        for cell in sheet[1]:
            cell.font = Font(bold=cell.value in required)
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
                12, len(column) + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

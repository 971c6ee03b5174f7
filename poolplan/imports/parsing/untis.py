"""Untis exports: the GPU text files (GPU001 lessons, GPU003 classes, GPU005 rooms) and the
XML export (`<document>` with `<lessons>`, `<timeperiods>`, `<classes>`, `<rooms>`).

The bell schedule's times come only with the XML export: its `<timeperiods>` (day, period,
start and end as HHMM) and, where those are missing, each lesson's `<times>`
(`assigned_starttime`, `assigned_endtime`). The GPU text files carry no times.

GPU001 has one row per lesson, class and time: `lesson no; class; teacher; subject; room;
weekday (1-7); period; length; ...` (no header, usually a trailing empty field). A lesson
number spans several rows when classes are coupled (one row per class) or when a class is split
into parallel groups (religion/ethics: one row per group, same time).
"""

import datetime
import re
import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass, field
from gettext import gettext as _

from poolplan.imports.parsing.common import Label, Problem, TableRow, read_table

GPU001_COLUMNS = ("lesson number", "class", "teacher", "subject", "room", "weekday", "period",
                  "length")
MAX_LENGTH = 6  # a block longer than six periods is a typo, not a lesson
DAY_NAMES = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
             _("Saturday"), _("Sunday"))


def day_name(weekday: int) -> Label:
    """Untis numbers days 1 (Monday) to 7; the name is translated when the problem is shown."""
    return Label(DAY_NAMES[weekday - 1])


@dataclass(frozen=True)
class Lesson:
    """One class in one period, as the export lists it."""

    file: str
    line: int
    lesson_id: str
    class_name: str
    teacher: str
    subject: str
    room: str
    weekday: int
    period: int


@dataclass(frozen=True)
class NamedItem:
    """A class or room the export lists, with where it was found."""

    file: str
    line: int
    name: str
    long_name: str = ""


@dataclass(frozen=True)
class PeriodTime:
    """A period of the bell schedule as the export times it."""

    file: str
    line: int
    weekday: int
    period: int
    start: datetime.time
    end: datetime.time


@dataclass
class UntisData:
    lessons: list[Lesson] = field(default_factory=list)
    classes: list[NamedItem] = field(default_factory=list)
    rooms: list[NamedItem] = field(default_factory=list)
    # From <timeperiods> first, then from lessons' <time> elements (see `period_times`).
    times: list[PeriodTime] = field(default_factory=list)
    # Rows without a class (duties, teacher-only events): nothing for a class timetable.
    skipped: list[tuple[str, int, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class PlannedEntry:
    """A class's lesson in one period after coupled rows are merged and parallel groups
    are named: what becomes one TimetableEntry."""

    weekday: int
    period: int
    subject: str
    room: str
    group: str
    file: str
    line: int


# --- telling the files apart ----------------------------------------------------------------


def file_kind(name: str, data: bytes) -> str:
    """"gpu001", "gpu003", "gpu005", "xml" or "" (unknown), from the name, else the content."""
    upper = name.upper()
    for kind in ("GPU001", "GPU003", "GPU005"):
        if kind in upper:
            return kind.lower()
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if upper.endswith(".XML") or head.startswith((b"<?xml", b"<document")):
        return "xml"
    return ""


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if re.fullmatch(r"\d{1,4}", value) else None


def looks_like_lessons(rows: list[TableRow]) -> bool:
    """Most rows have a weekday 1-7 in column 6 and a period number in column 7."""
    if not rows:
        return False
    hits = sum(1 for row in rows[:50]
               if len(row.fields) >= 7 and (_int(row.get(5)) or 0) in range(1, 8)
               and _int(row.get(6)) is not None)
    return hits >= max(1, len(rows[:50]) // 2)


# --- GPU text files ---------------------------------------------------------------------------


def parse_gpu001(file: str, data: bytes, out: UntisData) -> None:
    table = read_table(file, data, out.problems)
    if table is None:
        return
    for index, row in enumerate(table.rows):
        if index == 0 and _int(row.get(5)) is None and _int(row.get(6)) is None:
            # A header line some tools add ("Unt-Nr;Klasse;...;Tag;Stunde"): not a lesson.
            continue
        _gpu001_row(file, row, out)


def _gpu001_row(file: str, row: TableRow, out: UntisData) -> None:
    def problem(column: int, message: str, **params) -> None:
        out.problems.append(Problem(file, message, params, line=row.line, column=column,
                                    column_name=GPU001_COLUMNS[column - 1]))

    if len(row.fields) < 7:
        out.problems.append(Problem(file, _(
            "expected at least 7 fields (lesson number; class; teacher; subject; room; "
            "weekday; period), found %(count)s; check the delimiter and the export."),
            {"count": len(row.fields)}, line=row.line))
        return
    lesson_id, class_name, teacher, subject, room = (row.get(i) for i in range(5))
    weekday, period, length_text = _int(row.get(5)), _int(row.get(6)), row.get(7)
    ok = True
    if weekday is None or not 1 <= weekday <= 7:
        problem(6, _("the weekday must be a number from 1 (Monday) to 7 (Sunday), not "
                     "\"%(value)s\"."), value=row.get(5))
        ok = False
    if period is None or period < 1:
        problem(7, _("the period must be a number from 1, not \"%(value)s\"."),
                value=row.get(6))
        ok = False
    length = 1
    if length_text:
        length = _int(length_text) or 0
        if not 1 <= length <= MAX_LENGTH:
            problem(8, _("the length must be empty or a number of periods from 1 to "
                         "%(most)s, not \"%(value)s\"."), most=MAX_LENGTH, value=length_text)
            ok = False
    if not subject:
        problem(4, _("the subject is empty; every lesson needs a subject."))
        ok = False
    if not ok:
        return
    if not class_name:
        out.skipped.append((file, row.line, lesson_id))
        return
    for offset in range(length):
        out.lessons.append(Lesson(file, row.line, lesson_id, class_name, teacher, subject,
                                  room, weekday, period + offset))


def _parse_names(file: str, data: bytes, into: list[NamedItem], problems: list[Problem],
                 what: str) -> None:
    table = read_table(file, data, problems)
    if table is None:
        return
    for row in table.rows:
        name = row.get(0)
        if not name:
            problems.append(Problem(file, _("the %(what)s name in the first field is empty."),
                                    {"what": what}, line=row.line, column=1))
            continue
        into.append(NamedItem(file, row.line, name, row.get(1)))


def parse_gpu003(file: str, data: bytes, out: UntisData) -> None:
    _parse_names(file, data, out.classes, out.problems, "class")


def parse_gpu005(file: str, data: bytes, out: UntisData) -> None:
    _parse_names(file, data, out.rooms, out.problems, "room")


# --- XML ---------------------------------------------------------------------------------------


@dataclass
class _Node:
    tag: str
    attrs: dict
    line: int
    children: list["_Node"] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> "_Node | None":
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list["_Node"]:
        return [c for c in self.children if c.tag == tag]

    def child_text(self, tag: str) -> str:
        node = self.find(tag)
        return node.text.strip() if node is not None else ""


class _NoDoctype(Exception):
    pass


def _xml_tree(data: bytes) -> _Node:
    """A small tree with line numbers. Document types are refused: they are never in an
    Untis export and are the door for entity expansion attacks."""
    parser = xml.parsers.expat.ParserCreate()
    root = _Node("", {}, 0)
    stack = [root]

    def start(tag, attrs):
        node = _Node(tag, attrs, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_tag):
        stack.pop()

    def chars(text):
        stack[-1].text += text

    def doctype(*_args):
        raise _NoDoctype

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.Parse(data, True)
    return root


def _untis_id(value: str, prefix: str) -> str:
    return value[len(prefix):] if value.startswith(prefix) else value


def parse_xml(file: str, data: bytes, out: UntisData) -> None:
    if not data.strip():
        out.problems.append(Problem(file, _("the file is empty; export it again and choose "
                                            "the file with the data.")))
        return
    try:
        tree = _xml_tree(data)
    except _NoDoctype:
        out.problems.append(Problem(file, _("the XML file declares a document type, which an "
                                            "Untis export never does; export it again.")))
        return
    except xml.parsers.expat.ExpatError as error:
        out.problems.append(Problem(file, _("the XML is not well-formed (%(error)s); export "
                                            "it again."), {"error": str(error)},
                                    line=getattr(error, "lineno", None)))
        return
    document = tree.find("document")
    if document is None:
        out.problems.append(Problem(file, _("this is not an Untis XML export: it has no "
                                            "<document> element.")))
        return
    for section, tag, prefix, into in (("classes", "class", "CL_", out.classes),
                                       ("rooms", "room", "RM_", out.rooms)):
        node = document.find(section)
        for item in node.findall(tag) if node is not None else []:
            name = _untis_id(item.attrs.get("id", ""), prefix)
            if name:
                into.append(NamedItem(file, item.line, name, item.child_text("longname")))
    timeperiods = document.find("timeperiods")
    for node in timeperiods.findall("timeperiod") if timeperiods is not None else []:
        _xml_time(file, node, out, "day", "period", "starttime", "endtime")
    lessons = document.find("lessons")
    for lesson in lessons.findall("lesson") if lessons is not None else []:
        _xml_lesson(file, lesson, out)


def _hhmm(value: str) -> datetime.time | None:
    """Untis writes times as HHMM numbers ("0800", "800"); "08:00" is read too."""
    match = re.fullmatch(r"(\d{1,2}):?(\d{2})", value.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return datetime.time(hour, minute) if hour < 24 and minute < 60 else None


def _xml_time(file: str, node: _Node, out: UntisData, day_tag: str, period_tag: str,
              start_tag: str, end_tag: str) -> None:
    """A period's times from a <timeperiod> (or a lesson's <time>): nothing if it has none."""
    start_text, end_text = node.child_text(start_tag), node.child_text(end_tag)
    if not start_text and not end_text:
        return
    weekday, period = _int(node.child_text(day_tag)), _int(node.child_text(period_tag))
    start, end = _hhmm(start_text), _hhmm(end_text)
    if weekday is None or not 1 <= weekday <= 7 or period is None or period < 1:
        out.problems.append(Problem(file, _(
            "a time period without a valid day (1-7) and period; export it again."),
            line=node.line))
        return
    if start is None or end is None or end <= start:
        out.problems.append(Problem(file, _(
            "period %(period)s on %(day)s has the times \"%(start)s\" to \"%(end)s\"; "
            "a period needs a start before its end, written as HHMM (0800)."),
            {"period": period, "day": day_name(weekday), "start": start_text, "end": end_text},
            line=node.line))
        return
    out.times.append(PeriodTime(file, node.line, weekday, period, start, end))


def _ids(node: "_Node | None", prefix: str) -> list[str]:
    if node is None:
        return []
    return [_untis_id(v, prefix) for v in node.attrs.get("id", "").split() if v]


def _xml_lesson(file: str, lesson: _Node, out: UntisData) -> None:
    lesson_id = _untis_id(lesson.attrs.get("id", ""), "LS_")
    subjects = _ids(lesson.find("lesson_subject"), "SU_")
    subject = subjects[0] if subjects else ""
    teacher = " ".join(_ids(lesson.find("lesson_teacher"), "TR_"))
    classes = _ids(lesson.find("lesson_classes"), "CL_")
    if not subject:
        out.problems.append(Problem(file, _("lesson %(lesson)s has no subject."),
                                    {"lesson": lesson_id}, line=lesson.line))
        return
    if not classes:
        out.skipped.append((file, lesson.line, lesson_id))
        return
    times = lesson.find("times")
    for time in times.findall("time") if times is not None else []:
        weekday = _int(time.child_text("assigned_day"))
        period = _int(time.child_text("assigned_period"))
        if weekday is None or not 1 <= weekday <= 7 or period is None or period < 1:
            out.problems.append(Problem(file, _(
                "lesson %(lesson)s has a time without a valid day (1-7) and period."),
                {"lesson": lesson_id}, line=time.line))
            continue
        _xml_time(file, time, out, "assigned_day", "assigned_period", "assigned_starttime",
                  "assigned_endtime")
        rooms = _ids(time.find("assigned_room"), "RM_")
        for class_name in classes:
            out.lessons.append(Lesson(file, time.line, lesson_id, class_name, teacher,
                                      subject, rooms[0] if rooms else "", weekday, period))


# --- all files of one import ------------------------------------------------------------------

PARSERS = {"gpu001": parse_gpu001, "gpu003": parse_gpu003, "gpu005": parse_gpu005,
           "xml": parse_xml}


def parse_untis(files: Iterable[tuple[str, bytes]]) -> UntisData:
    """Every file of one timetable import, each told apart by name or content."""
    out = UntisData()
    for name, data in files:
        kind = file_kind(name, data)
        if not kind:
            probe: list[Problem] = []
            table = read_table(name, data, probe)
            if table is None:
                out.problems.extend(probe)
                continue
            if not looks_like_lessons(table.rows):
                out.problems.append(Problem(name, _(
                    "this file is not recognised as an Untis export; upload GPU001.TXT "
                    "(lessons), GPU003.TXT (classes), GPU005.TXT (rooms) or the XML export, "
                    "keeping the file names.")))
                continue
            kind = "gpu001"
        PARSERS[kind](name, data, out)
    if not out.lessons and not out.classes and not out.rooms and not out.times \
            and not out.problems:
        out.problems.append(Problem(", ".join(n for n, _d in files) or "-", _(
            "no lessons, classes or rooms were found in the upload.")))
    return out


def period_times(times: Iterable[PeriodTime]) -> tuple[list[PeriodTime], list[Problem]]:
    """One time per weekday and period: the first the export gives (<timeperiods> come
    before lessons). The same period with other times is a problem: a school in poolplan has
    one bell schedule, and guessing which of two time grids is meant would move lessons."""
    chosen: dict[tuple[int, int], PeriodTime] = {}
    problems = []
    for time in times:
        first = chosen.setdefault((time.weekday, time.period), time)
        if (first.start, first.end) != (time.start, time.end):
            problems.append(Problem(time.file, _(
                "period %(period)s on %(day)s is timed %(start)s-%(end)s here but "
                "%(first_start)s-%(first_end)s in line %(first_line)s; poolplan keeps one "
                "bell schedule per school, so export one time grid."),
                {"period": time.period, "day": day_name(time.weekday),
                 "start": f"{time.start:%H:%M}", "end": f"{time.end:%H:%M}",
                 "first_start": f"{first.start:%H:%M}", "first_end": f"{first.end:%H:%M}",
                 "first_line": first.line}, line=time.line))
    return sorted(chosen.values(), key=lambda t: (t.weekday, t.period)), problems


def _dedupe(rows: list[Lesson]) -> list[Lesson]:
    """Rows of the same subject and room in one slot are one lesson (team teaching, the same
    lesson listed once per teacher)."""
    seen: dict[tuple[str, str], Lesson] = {}
    for row in sorted(rows, key=lambda r: (r.subject, r.room, r.line)):
        key = (row.subject, row.room)
        if key not in seen:
            seen[key] = row
    return list(seen.values())


def timetable_by_class(lessons: Iterable[Lesson]) -> dict[str, list[PlannedEntry]]:
    """Each class's week: one entry per period, or one per parallel group where the class is
    split. A group is named after its subject ("ev", "Eth"), plus the room (or teacher) where
    two groups share a subject, so the names stay the same on every import."""
    slots: dict[tuple[str, int, int], list[Lesson]] = {}
    for lesson in lessons:
        slots.setdefault((lesson.class_name, lesson.weekday, lesson.period), []).append(lesson)
    result: dict[str, list[PlannedEntry]] = {}
    for (class_name, weekday, period), rows in sorted(slots.items()):
        rows = _dedupe(rows)
        entries = result.setdefault(class_name, [])
        if len(rows) == 1:
            row = rows[0]
            entries.append(PlannedEntry(weekday, period, row.subject, row.room, "", row.file,
                                        row.line))
            continue
        subject_counts: dict[str, int] = {}
        for row in rows:
            subject_counts[row.subject] = subject_counts.get(row.subject, 0) + 1
        for row in rows:
            group = row.subject
            if subject_counts[row.subject] > 1:
                group = f"{row.subject} {row.room or row.teacher or row.lesson_id}".strip()
            entries.append(PlannedEntry(weekday, period, row.subject, row.room, group[:30],
                                        row.file, row.line))
    return result

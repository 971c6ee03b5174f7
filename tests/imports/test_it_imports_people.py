"""Spreadsheets of children, need profiles, assistants and approvals (CSV and XLSX)."""

import datetime as dt

import pytest

from poolplan.imports.parsing.people import parse_people, template_csv, template_xlsx
from poolplan.imports.services import people_import, timetable_import
from poolplan.roster.models import (
    Approval,
    Assistant,
    Child,
    FundingBody,
    NeedProfileEntry,
    Skill,
)
from tests.imports.conftest import LESSONS, gpu_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

CHILDREN = [["class", "display_code", "first_name", "last_name", "date_of_birth",
             "course_groups", "required_skills"],
            ["5a", "Fox 7", "Mia", "Müller", "01.03.2015", "ev", "nursing"],
            ["5b", "Owl 2", "Jörg", "Weiß", "2014-11-30", "", ""]]
NEEDS = [["display_code", "weekday", "period", "need", "room", "skills"],
         ["Fox 7", "Mon", "1", "2", "", ""],
         ["Fox 7", "1", "2", "1", "R102", "nursing"]]
ASSISTANTS = [["first_name", "last_name", "profession", "contract_minutes_per_week", "skills",
               "monday", "tuesday", "extra column"],
              ["Anna", "Bär", "", "1500", "nursing", "07:30-13:00", "07:30–12:00", "x"]]
APPROVALS = [["display_code", "funding_body", "file_number", "minutes_per_week", "valid_from",
              "valid_to", "ratio"],
             ["Fox 7", "Jugendamt Nord", "AZ-1", "900", "2026-08-01", "2027-07-31", "1:2"]]


@pytest.fixture
def ready_school(school):
    Skill.objects.get_or_create(code="nursing", defaults={"name": "Nursing"})
    FundingBody.objects.create(name="Jugendamt Nord")
    report = timetable_import(school=school, actor=None,
                              files=[("GPU001.TXT", gpu_bytes(LESSONS))], apply=True)
    assert report.applied
    return school


def csv_bytes(rows, delimiter=";", encoding="utf-8") -> bytes:
    return "\r\n".join(delimiter.join(f'"{v}"' if delimiter in v else v for v in row)
                       for row in rows).encode(encoding)


def run(school, files, apply=True):
    return people_import(school=school, actor=None, files=files, apply=apply)


def workbook(**overrides):
    sheets = {"children": CHILDREN, "need_profile": NEEDS, "assistants": ASSISTANTS,
              "approvals": APPROVALS}
    sheets.update(overrides)
    return xlsx_bytes(sheets)


def test_it_imports_a_workbook(ready_school):
    report = run(ready_school, [("people.xlsx", workbook())])
    assert report.applied, report.problem_texts()
    fox = Child.objects.get(display_code="Fox 7")
    assert (fox.school_class.name, fox.last_name, fox.date_of_birth, fox.course_groups) == (
        "5a", "Müller", dt.date(2015, 3, 1), ["ev"])
    assert [s.code for s in fox.required_skills.all()] == ["nursing"]
    needs = sorted((e.period.label, e.need, e.room.name if e.room else None)
                   for e in NeedProfileEntry.objects.filter(child=fox))
    assert needs == [("1", 2, None), ("2", 1, "R102")]
    anna = Assistant.objects.get(last_name="Bär")
    assert anna.contract_minutes_per_week == 1500 and list(anna.schools.all()) == [ready_school]
    assert [(w.weekday, w.start, w.end) for w in anna.working_times.all()] == [
        (1, dt.time(7, 30), dt.time(13, 0)), (2, dt.time(7, 30), dt.time(12, 0))]
    approval = Approval.objects.get(child=fox)
    assert (approval.minutes_per_week, approval.max_ratio) == (900, 2)


def test_it_is_idempotent(ready_school):
    assert run(ready_school, [("people.xlsx", workbook())]).applied
    report = run(ready_school, [("people.xlsx", workbook())])
    assert report.applied and report.created == [] and report.updated == []
    assert len(report.skipped) == 5


def test_it_updates_changed_rows(ready_school):
    assert run(ready_school, [("people.xlsx", workbook())]).applied
    changed = [APPROVALS[0], ["Fox 7", "Jugendamt Nord", "AZ-1", "1200", "2026-08-01",
                              "2027-07-31", "1:2"]]
    report = run(ready_school, [("approvals.csv", csv_bytes(changed))])
    assert [(c.what, c.detail) for c in report.updated] == [("approval", "minutes per week")]
    assert Approval.objects.get(file_number="AZ-1").minutes_per_week == 1200


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_it_imports_csv_files_of_each_kind(ready_school, delimiter, encoding):
    for rows in (CHILDREN, NEEDS, ASSISTANTS, APPROVALS):
        report = run(ready_school, [("list.csv", csv_bytes(rows, delimiter, encoding))])
        assert report.applied, report.problem_texts()
    assert Child.objects.get(display_code="Owl 2").first_name == "Jörg"
    assert Approval.objects.filter(file_number="AZ-1").exists()


def test_it_refuses_formulas_and_merged_cells(ready_school):
    report = run(ready_school, [("people.xlsx", xlsx_bytes({"children": CHILDREN},
                                                           formula_cell="E2"))])
    assert report.problem_texts() == [
        "people.xlsx [children], line 2, column E: cell E2 holds a formula; replace it by its "
        "value (copy, then paste values only) and upload again."]
    report = run(ready_school, [("people.xlsx", xlsx_bytes({"children": CHILDREN},
                                                           merge="A2:A3"))])
    assert "cells A2:A3 are merged" in report.problem_texts()[0]
    assert not Child.objects.filter(school=ready_school).exists()


@pytest.mark.parametrize("rows,expected", [
    ([CHILDREN[0], ["9x", "Fox 7", "Mia", "Müller", "", "", ""]],
     "people.xlsx [children], line 2, column A (class): class 9x does not exist at "
     "Grundschule Am Deich"),
    ([CHILDREN[0], CHILDREN[1], ["5a", "fox 7", "Ben", "Neu", "", "", ""]],
     "people.xlsx [children], line 3, column B (display_code): the display code fox 7 "
     "appears twice"),
    ([CHILDREN[0], CHILDREN[1], ["5b", "Cat 1", "Mia", "Müller", "2015-03-01", "", ""]],
     "people.xlsx [children], line 3: this child is listed twice (also as Fox 7)"),
    ([CHILDREN[0], ["5a", "Fox 7", "Mia", "Müller", "31.02.2015", "", ""]],
     "people.xlsx [children], line 2, column E (date_of_birth): \"31.02.2015\" is not a date"),
    ([CHILDREN[0], ["5a", "Fox 7", "", "Müller", "", "", "juggling"]],
     "people.xlsx [children], line 2, column C (first_name): first_name is empty"),
])
def test_it_explains_bad_rows_and_writes_nothing(ready_school, rows, expected):
    report = run(ready_school, [("people.xlsx", workbook(children=rows))])
    assert not report.applied
    assert report.problem_texts()[0].startswith(expected), report.problem_texts()
    assert not Child.objects.filter(school=ready_school).exists()
    assert not Assistant.objects.exists()


def test_it_refuses_a_child_already_entered_under_another_code(ready_school):
    assert run(ready_school, [("people.xlsx", workbook())]).applied
    rows = [CHILDREN[0], ["5a", "Cat 9", "Mia", "Müller", "2015-03-01", "", ""]]
    report = run(ready_school, [("children.csv", csv_bytes(rows))])
    assert "seems to be entered already, as Fox 7" in report.problem_texts()[0]


def test_it_explains_unknown_rooms_and_periods(ready_school):
    needs = [NEEDS[0], ["Fox 7", "Mon", "9", "1", "", ""], ["Fox 7", "Tue", "1", "1", "Mars", ""]]
    approvals = [APPROVALS[0], ["Fox 7", "Jugendamt Nord", "AZ-2", "900", "2026-08-01",
                                "2027-07-31", "1:4"]]
    report = run(ready_school, [("people.xlsx", workbook(need_profile=needs,
                                                          approvals=approvals))])
    texts = report.problem_texts()
    assert any("line 2, column C (period): period 9 does not exist in the bell schedule on "
               "Monday" in t for t in texts), texts
    assert any("line 3, column E (room): room Mars does not exist" in t for t in texts), texts
    assert any("column G (ratio): \"1:4\" is not a group ratio" in t for t in texts), texts
    assert not report.applied and not Child.objects.exists()


def test_it_refuses_an_unknown_funding_body_and_writes_nothing(ready_school):
    """Bad input: something that does not exist is a clear message, no partial import. A
    funding body is not created on the fly (a typo would make a second authority)."""
    approvals = [APPROVALS[0], ["Fox 7", "Sozialamt Süd", "AZ-2", "900", "2026-08-01",
                                "2027-07-31", "1:2"]]
    report = run(ready_school, [("people.xlsx", workbook(approvals=approvals))])
    assert report.problem_texts() == [
        'people.xlsx [approvals], line 2, column B (funding_body): the funding body '
        '"Sozialamt Süd" is not known; use one of: Jugendamt Nord, or ask an administrator '
        'to add it.']
    assert not report.applied
    assert not Child.objects.exists() and not Assistant.objects.exists()
    assert list(FundingBody.objects.values_list("name", flat=True)) == ["Jugendamt Nord"]
    # In a text file the column is its number.
    report = run(ready_school, [("children.csv", csv_bytes(CHILDREN)),
                                ("approvals.csv", csv_bytes(approvals))])
    assert report.problem_texts()[0].startswith(
        "approvals.csv, line 2, column 2 (funding_body): the funding body \"Sozialamt Süd\"")
    assert not Child.objects.exists()


def test_it_says_when_no_funding_body_is_entered_yet(ready_school):
    FundingBody.objects.all().delete()
    report = run(ready_school, [("people.xlsx", workbook())])
    assert any("none is entered yet; ask an administrator to add it" in t
               for t in report.problem_texts()), report.problem_texts()
    assert not report.applied and not Child.objects.exists()


def test_it_refuses_empty_and_garbage_files(ready_school):
    assert "the file is empty" in run(ready_school, [("a.csv", b"")]).problem_texts()[0]
    assert "not a text file" in run(ready_school, [("a.csv", bytes(range(256)))]
                                    ).problem_texts()[0]
    assert "cannot be opened" in run(ready_school, [("a.xlsx", b"PK\x03\x04zzzz")]
                                     ).problem_texts()[0]
    assert "does not name the columns" in run(ready_school, [("a.csv", b"x;y\n1;2\n")]
                                              ).problem_texts()[0]


def test_the_templates_import_as_they_are(ready_school):
    data = parse_people([("t.xlsx", template_xlsx())])
    assert data.problems == []
    assert (len(data.children), len(data.needs), len(data.assistants), len(data.approvals)) == (
        1, 1, 1, 1)
    for kind in ("children", "need_profile", "assistants", "approvals"):
        parsed = parse_people([(f"{kind}.csv", template_csv(kind))])
        assert parsed.problems == [], kind

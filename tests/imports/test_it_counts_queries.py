"""Imports read what they compare with once, not once per row (no N+1): a file of many rows
costs about the reads of a file of few; writes are one service call per changed record."""

import pytest

from poolplan.imports.services import people_import, timetable_import
from poolplan.roster.models import FundingBody, Skill
from tests.imports.conftest import gpu_bytes

pytestmark = pytest.mark.django_db

WEEKDAYS = range(1, 6)


def lessons(class_count: int) -> list[tuple]:
    """Every class has a lesson in each of periods 1-6 on five days: 30 rows per class."""
    rows = []
    for number in range(class_count):
        name = f"{5 + number // 4}{'abcd'[number % 4]}"
        for weekday in WEEKDAYS:
            for period in range(1, 7):
                rows.append((len(rows) + 1, name, "Mül", "D", f"R{number}", weekday, period, ""))
    return rows


def people(count: int) -> list[tuple[str, bytes]]:
    def csv(rows):
        return "\r\n".join(";".join(row) for row in rows).encode()

    children = [["class", "display_code", "first_name", "last_name", "date_of_birth",
                 "required_skills"]]
    needs = [["display_code", "weekday", "period", "need", "skills"]]
    approvals = [["display_code", "funding_body", "file_number", "minutes_per_week",
                  "valid_from", "valid_to", "ratio"]]
    assistants = [["first_name", "last_name", "contract_minutes_per_week", "skills", "monday"]]
    for number in range(count):
        code = f"Fox {number}"
        children.append(["5a", code, "Mia", f"Müller {number}", "2015-03-01", "nursing"])
        for weekday in (1, 2):
            needs.append([code, str(weekday), "1", "1", "nursing"])
        approvals.append([code, "Jugendamt Nord", f"AZ-{number}", "900", "2026-08-01",
                          "2027-07-31", "1:2"])
        assistants.append(["Anna", f"Bär {number}", "1500", "nursing", "07:30-13:00"])
    return [("children.csv", csv(children)), ("needs.csv", csv(needs)),
            ("approvals.csv", csv(approvals)), ("assistants.csv", csv(assistants))]


@pytest.fixture
def ready(school):
    Skill.objects.get_or_create(code="nursing", defaults={"name": "Nursing"})
    FundingBody.objects.create(name="Jugendamt Nord")
    return school


def test_a_timetable_preview_reads_a_fixed_number_of_times(ready,
                                                           django_assert_max_num_queries):
    files = [("GPU001.TXT", gpu_bytes(lessons(16)))]  # 480 rows, 16 classes
    assert timetable_import(school=ready, actor=None, files=files, apply=True).applied
    # The same file again: every class is compared with what is stored, no row queries.
    with django_assert_max_num_queries(10):
        report = timetable_import(school=ready, actor=None, files=files, apply=False)
    assert len(report.skipped) == 16 * 3 and not report.problems


def test_a_first_timetable_import_writes_per_class_not_per_row(ready,
                                                               django_assert_max_num_queries):
    files = [("GPU001.TXT", gpu_bytes(lessons(16)))]
    # 480 rows, but writes per class: the class, its room and its timetable, each through
    # its roster service (savepoint, checks, insert, audit row): 17 queries a class.
    with django_assert_max_num_queries(20 + 16 * 18):
        assert timetable_import(school=ready, actor=None, files=files, apply=True).applied


def test_a_people_preview_reads_a_fixed_number_of_times(ready, django_assert_max_num_queries):
    assert timetable_import(school=ready, actor=None,
                            files=[("GPU001.TXT", gpu_bytes(lessons(1)))], apply=True).applied
    files = people(40)  # 40 children, 80 need rows, 40 approvals, 40 assistants
    report = people_import(school=ready, actor=None, files=files, apply=True)
    assert report.applied, report.problem_texts()
    # Twin check, skills, need profiles, approvals and assistants' details are read once.
    with django_assert_max_num_queries(20):
        report = people_import(school=ready, actor=None, files=files, apply=False)
    assert not report.problems and not report.created and not report.updated
    assert len(report.skipped) == 40 * 4

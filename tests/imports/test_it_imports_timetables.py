"""Timetable imports against a school: the plan, the problems, all or nothing, idempotency."""

import pytest

from poolplan.accounts.models import AuditEvent
from poolplan.imports.services import timetable_import
from poolplan.roster.models import Room, SchoolClass, TimetableEntry
from tests.imports.conftest import LESSONS, gpu_bytes

pytestmark = pytest.mark.django_db


def run(school, files, apply=True):
    return timetable_import(school=school, actor=None, files=files, apply=apply)


def actions(report):
    return sorted((c.action, c.what, c.name) for c in report.changes)


def test_it_previews_without_writing(school):
    report = run(school, [("GPU001.TXT", gpu_bytes(LESSONS))], apply=False)
    assert report.problems == [] and not report.applied
    assert ("create", "class", "5a") in actions(report)
    assert ("create", "room", "Halle") in actions(report)
    assert ("create", "subject", "Eth") in actions(report)
    assert ("create", "timetable", "5b") in actions(report)
    assert not SchoolClass.objects.filter(school=school).exists()
    assert not Room.objects.filter(school=school).exists()
    assert not AuditEvent.objects.exists()


def test_it_imports_classes_rooms_and_timetables(school):
    report = run(school, [("GPU001.TXT", gpu_bytes(LESSONS))])
    assert report.applied, report.problem_texts()
    class_5a = SchoolClass.objects.get(school=school, name="5a")
    assert class_5a.grade == 5
    assert set(Room.objects.filter(school=school).values_list("name", flat=True)) == {
        "R101", "R102", "Halle"}
    rows = sorted((e.period.weekday, e.period.label, e.subject, e.group,
                   e.room.name if e.room else None) for e in class_5a.timetable.all())
    assert rows == [(1, "1", "D", "", "R101"), (1, "2", "D", "", "R101"),
                    (2, "1", "M", "", "R101"), (3, "3", "Sp", "", "Halle"),
                    (4, "2", "Eth", "Eth", "R102"), (4, "2", "ev", "ev", "R101")]
    art = TimetableEntry.objects.get(school_class__name="5b", subject="Ku")
    assert art.room is None
    # Through the roster services: each creation has its audit row.
    assert AuditEvent.objects.filter(summary__startswith="Timetable of class").count() == 2


def test_it_changes_nothing_on_a_second_import(school):
    files = [("GPU001.TXT", gpu_bytes(LESSONS)), ("GPU005.TXT", gpu_bytes([("Aula", "")]))]
    assert run(school, files).applied
    audit_rows = AuditEvent.objects.count()
    entries = list(TimetableEntry.objects.values_list("pk", flat=True))
    report = run(school, files)
    assert report.applied and report.created == [] and report.updated == []
    assert {c.what for c in report.skipped} == {"room", "class", "timetable"}
    assert AuditEvent.objects.count() == audit_rows
    assert list(TimetableEntry.objects.values_list("pk", flat=True)) == entries


def test_it_updates_a_changed_timetable(school):
    assert run(school, [("GPU001.TXT", gpu_bytes(LESSONS))]).applied
    changed = [row for row in LESSONS if row[3] != "M"] + [(2, "5a", "Kög", "M", "R102", 2, 4, "")]
    report = run(school, [("GPU001.TXT", gpu_bytes(changed))])
    assert ("update", "timetable", "5a") in actions(report)
    assert [c.detail for c in report.updated] == ["1 lessons added, 1 removed"]
    maths = TimetableEntry.objects.get(school_class__name="5a", subject="M")
    assert (maths.period.label, maths.room.name) == ("4", "R102")


def test_it_reports_a_period_outside_the_bell_schedule_and_writes_nothing(school):
    rows = [*LESSONS, (9, "5c", "X", "D", "R9", 1, 11, "")]
    report = run(school, [("GPU001.TXT", gpu_bytes(rows))])
    assert not report.applied
    assert report.problem_texts() == [
        "GPU001.TXT, line 9, column 7 (period): period 11 does not exist in the bell schedule "
        "on Monday; add it to the bell schedule or correct the export."]
    assert not SchoolClass.objects.filter(school=school).exists()
    assert not TimetableEntry.objects.filter(school_class__school=school).exists()
    assert not AuditEvent.objects.exists()


def test_it_rolls_back_everything_when_one_file_is_bad(school):
    report = run(school, [("GPU001.TXT", gpu_bytes(LESSONS)),
                          ("GPU005.TXT", b"\x00\x01\x02binary")])
    assert not report.applied and "not a text file" in report.problem_texts()[0]
    assert not Room.objects.filter(school=school).exists()


def test_it_refuses_a_file_over_the_limit(school, settings):
    settings.IMPORT_MAX_BYTES = 100
    report = run(school, [("GPU001.TXT", gpu_bytes(LESSONS))])
    assert "larger than" in report.problem_texts()[0] and not report.applied


def test_it_refuses_a_file_over_20_mb(school):
    report = run(school, [("GPU001.TXT", b"1;" * (10 * 1024 * 1024 + 1))])
    assert report.problem_texts() == [
        "GPU001.TXT: the file is larger than 20 MB; split it or export only this school's data."]


def test_it_refuses_an_empty_file(school):
    report = run(school, [("GPU001.TXT", b"")])
    assert report.problem_texts() == [
        "GPU001.TXT: the file is empty; export it again and choose the file with the data."]


def test_it_leaves_classes_not_in_the_file_alone(school):
    other = SchoolClass.objects.create(school=school, name="9z")
    assert run(school, [("GPU001.TXT", gpu_bytes(LESSONS))]).applied
    other.refresh_from_db()
    assert other.name == "9z"

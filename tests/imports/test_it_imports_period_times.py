"""The bell schedule's times from the Untis XML export: new periods are created, changed times
updated, equal ones skipped; the preview writes nothing; a clash is a problem at its line."""

import datetime as dt

import pytest

from poolplan.accounts.models import AuditEvent
from poolplan.imports.services import timetable_import
from poolplan.roster.models import Period, TimetableEntry

pytestmark = pytest.mark.django_db


def untis_xml(periods: list[tuple[int, int, str, str]], lessons: str = "") -> bytes:
    """An XML export whose <timeperiods> time `periods` (day, period, start, end as HHMM),
    one <timeperiod> per line, starting on line 3."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<document xmlns="https://untis.at/untis/XmlInterface"><timeperiods>']
    for day, period, start, end in periods:
        lines.append(f'<timeperiod id="TP_{day}_{period}"><day>{day}</day>'
                     f'<period>{period}</period><starttime>{start}</starttime>'
                     f'<endtime>{end}</endtime><timegrid>G</timegrid></timeperiod>')
    lines.append(f"</timeperiods><lessons>{lessons}</lessons></document>")
    return "\n".join(lines).encode()


# The school fixture's Monday: 1 08:00, 2 08:50, break b1 09:35-09:55, 3 09:55, ...
MONDAY = [(1, 1, "0800", "0845"), (1, 2, "0850", "0935"), (1, 3, "0955", "1040"),
          (1, 4, "1045", "1130"), (1, 5, "1145", "1230"), (1, 6, "1235", "1320")]
SEVENTH = (1, 7, "1325", "1410")
LESSON_IN_7 = ('<lesson id="LS_1"><lesson_subject id="SU_Ku"/><lesson_classes id="CL_5a"/>'
               '<times><time><assigned_day>1</assigned_day><assigned_period>7'
               '</assigned_period></time></times></lesson>')


def run(school, data: bytes, apply=True):
    return timetable_import(school=school, actor=None, files=[("untis.xml", data)], apply=apply)


def changes(report, what="period"):
    return sorted((c.action, c.name, c.detail) for c in report.changes if c.what == what)


def test_it_creates_a_missing_period_before_the_lessons_in_it(school):
    data = untis_xml([*MONDAY, SEVENTH], LESSON_IN_7)
    preview = run(school, data, apply=False)
    assert preview.problems == [], preview.problem_texts()
    assert ("create", "Monday, period 7", "13:25–14:10") in changes(preview)
    assert sum(1 for c in changes(preview) if c[0] == "skip") == 6
    assert not Period.objects.filter(school=school, weekday=1, label="7").exists()

    report = run(school, data)
    assert report.applied, report.problem_texts()
    seventh = Period.objects.get(school=school, weekday=1, label="7")
    assert (seventh.start, seventh.end, seventh.kind) == (dt.time(13, 25), dt.time(14, 10),
                                                          "lesson")
    assert TimetableEntry.objects.filter(period=seventh, subject="Ku").exists()
    assert AuditEvent.objects.filter(object_type="school",
                                     summary__contains="1 periods added").exists()


def test_it_retimes_a_whole_day_shifted_by_five_minutes(school):
    """Each period moves onto its neighbour's old start: checked as a whole day, no clash."""
    shifted = [(1, 1, "0805", "0850"), (1, 2, "0850", "0935")]
    report = run(school, untis_xml(shifted))
    assert report.applied, report.problem_texts()
    assert ("update", "Monday, period 1", "08:05–08:50") in changes(report)
    assert ("skip", "Monday, period 2", "08:50–09:35") in changes(report)
    first = Period.objects.get(school=school, weekday=1, label="1")
    assert (first.start, first.end) == (dt.time(8, 5), dt.time(8, 50))


def test_it_is_idempotent(school):
    data = untis_xml([*MONDAY, SEVENTH])
    assert run(school, data).applied
    again = run(school, data)
    assert again.applied and not again.created and not again.updated
    assert AuditEvent.objects.filter(object_type="school").count() == 1


def test_it_refuses_a_period_that_overlaps_a_break_and_writes_nothing(school):
    clash = [(1, 2, "0850", "0940"), SEVENTH]  # the break b1 starts at 09:35
    report = run(school, untis_xml(clash))
    assert not report.applied
    assert report.problem_texts() == [
        "untis.xml, line 3: period 2: Monday: it overlaps break 1 (09:35–09:55); correct the "
        "times so that periods follow each other."]
    assert not Period.objects.filter(school=school, label="7").exists()
    assert Period.objects.get(school=school, weekday=1, label="2").end == dt.time(9, 35)


def test_it_says_where_two_imported_periods_overlap(school):
    report = run(school, untis_xml([(2, 7, "1325", "1410"), (2, 8, "1400", "1445")]))
    assert report.problem_texts() == [
        "untis.xml, line 4: period 8: Tuesday: it overlaps period 7 (13:25–14:10); correct the "
        "times so that periods follow each other."]


def test_it_skips_sunday_periods_with_a_word(school):
    report = run(school, untis_xml([(7, 1, "0800", "0845")]))
    assert report.applied, report.problem_texts()
    assert changes(report) == [("skip", "Sunday",
                                "1 periods: poolplan plans Monday to Saturday")]
    assert not Period.objects.filter(school=school, weekday=7).exists()


def test_a_retimed_period_names_every_plan_from_this_week_on(school):
    from poolplan.planning.models import Plan
    from poolplan.planning.weeks import iso_week_label
    from tests.dates import this_monday

    monday = this_monday()
    for offset, version in ((-7, 1), (0, 1), (7, 1)):
        day = monday + dt.timedelta(days=offset)
        Plan.objects.create(school=school, week=iso_week_label(day), monday=day,
                            version=version, instance={}, document={})
    report = run(school, untis_xml([(1, 1, "0805", "0850")]))
    assert report.applied
    assert report.affected_plans == [
        str(p) for p in Plan.objects.filter(monday__gte=monday).order_by("monday")]
    assert len(report.affected_plans) == 2

"""instance_build: a school's ISO week from the database as a poolplan-instance/1 document.

The demo schools (loaded once for the module) must come out as the example instances they
were built from; a small hand-made school covers the edge cases one at a time."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from poolplan.planner import load_instance
from poolplan.planning.services import (
    DEFAULT_MAX_RATIO,
    PlanningDataError,
    approved_minutes_compute,
    instance_build,
)
from poolplan.planning.weeks import WeekError, iso_week_label, iso_week_monday
from poolplan.roster.demo_data import COMPREHENSIVE, PRIMARY, SPECIAL, school_specs
from poolplan.roster.models import (
    Absence,
    AbsenceReason,
    Approval,
    Assistant,
    Child,
    FundingBody,
    FundingModel,
    NeedProfileEntry,
    Period,
    PeriodKind,
    Provider,
    Room,
    School,
    SchoolClass,
    Skill,
    TimetableEntry,
    WorkingTime,
)
from tests import dates

WEEK = "2026-W48"  # Monday 23 to Friday 27 November 2026
MON, TUE, WED, THU, FRI, SAT = (dt.date(2026, 11, 23) + dt.timedelta(days=i) for i in range(6))
# The demo's approvals cover the school year of the day it is loaded: its schools are built
# for a week of that school year (the small school below keeps its fixed dates).
DEMO_WEEK = dates.iso_week(dates.school_week())


# --- the demo schools ---------------------------------------------------------------------------


@pytest.fixture
def specs(demo):
    return {spec.name: spec for spec in school_specs()}


def _in_example_ids(doc: dict, school: School, spec) -> dict:
    """The built instance with database ids replaced by the example's ids (c1, a1, ...)."""
    children = {str(c.pk): next(s.ident for s in spec.children
                                if s.display_code == c.display_code)
                for c in Child.objects.filter(school=school)}
    assistants = {str(a.pk): next(s.ident for s in spec.assistants
                                  if (s.first_name, s.last_name) == (a.first_name, a.last_name))
                  for a in Assistant.objects.filter(schools=school)}
    out = dict(doc)
    out["assistants"] = [{**a, "id": assistants[a["id"]]} for a in doc["assistants"]]
    out["children"] = [{**c, "id": children[c["id"]],
                        "primary": assistants.get(c["primary"], ""),
                        "fixed": sorted(assistants[a] for a in c["fixed"])}
                       for c in doc["children"]]
    return out


@pytest.mark.parametrize("name", [COMPREHENSIVE, PRIMARY, SPECIAL])
def test_it_builds_an_instance_the_planner_accepts_for_every_demo_school(specs, name):
    school = School.objects.get(name=name)
    doc = instance_build(school=school, week=DEMO_WEEK)
    instance = load_instance(doc)
    assert doc["name"] == f"{name}, {DEMO_WEEK}"
    assert len(instance.slots) == 40
    assert len(instance.children) == school.children.count()


@pytest.mark.parametrize("name", [COMPREHENSIVE, PRIMARY])
def test_it_reproduces_the_example_instance_the_demo_was_built_from(specs, name):
    spec = specs[name]
    school = School.objects.get(name=name)
    built = _in_example_ids(instance_build(school=school, week=DEMO_WEEK), school, spec)
    example = spec.instance
    assert built["slots"] == example["slots"]
    assert built["pinned"] == built["previous"] == []

    expected_assistants = {a["id"]: a for a in example["assistants"]}
    assert {a["id"] for a in built["assistants"]} == set(expected_assistants)
    for assistant in built["assistants"]:
        expected = expected_assistants[assistant["id"]]
        assert assistant["max_minutes"] == expected["max_minutes"]
        assert assistant["unavailable"] == expected["unavailable"], assistant["id"]
        # The primary school's pool members carry one extra focus skill (demo_data).
        assert set(assistant["skills"]) >= set(expected["skills"])

    # Where the demo deliberately differs from the example (see demo_data's docstring).
    deviations = {(COMPREHENSIVE, "c1", "fixed"): ["a1", "a2"],
                  (COMPREHENSIVE, "c7", "max_assistants"): 3}
    expected_children = {c["id"]: c for c in example["children"]}
    assert {c["id"] for c in built["children"]} == set(expected_children)
    for child in built["children"]:
        expected = expected_children[child["id"]]
        key = (name, child["id"])
        for field in ("approved_minutes", "max_ratio", "needs", "location", "primary"):
            assert child[field] == expected[field], (child["id"], field)
        assert child["skills"] == sorted(expected["skills"]), child["id"]
        assert child["fixed"] == deviations.get((*key, "fixed"), expected["fixed"])
        assert child.get("max_assistants") == deviations.get(
            (*key, "max_assistants"), expected.get("max_assistants"))


def test_it_builds_the_school_budget_week_with_default_ratio_and_period_skills(specs):
    """The special school runs on a school budget: no approvals, so approved_minutes 0 and the
    default ratio; d1's tube feeding in the first break needs nursing, which becomes a skill
    of the whole week."""
    spec = specs[SPECIAL]
    school = School.objects.get(name=SPECIAL)
    built = _in_example_ids(instance_build(school=school, week=DEMO_WEEK), school, spec)
    expected_children = {c["id"]: c for c in spec.instance["children"]}
    for child in built["children"]:
        expected = expected_children[child["id"]]
        assert child["approved_minutes"] == 0
        assert child["max_ratio"] == DEFAULT_MAX_RATIO == 3
        assert child["needs"] == expected["needs"]
        assert child["location"] == expected["location"]
        extra = {"nursing"} if child["id"] == "d1" else set()
        assert set(child["skills"]) == set(expected["skills"]) | extra, child["id"]


# --- a small school for the edge cases ----------------------------------------------------------


@dataclass
class Tiny:
    school: School
    rooms: dict[str, Room]
    periods: dict[str, Period]
    school_class: SchoolClass
    child: Child
    anna: Assistant  # nursing, works Monday to Friday 07:30-13:00
    ole: Assistant  # works Monday 08:00-09:00 and Tuesday only
    youth: FundingBody
    nursing: Skill


def _approve(child: Child, youth: FundingBody, minutes: int, start: dt.date, end: dt.date,
             ratio: int = 2, number: str = "AZ-1") -> Approval:
    return Approval.objects.create(child=child, funding_body=youth, file_number=number,
                                   minutes_per_week=minutes, valid_from=start, valid_to=end,
                                   max_ratio=ratio)


@pytest.fixture
def tiny(db) -> Tiny:
    provider = Provider.objects.create(name="Provider")
    youth = FundingBody.objects.create(name="Youth office")
    nursing = Skill.objects.get_or_create(code="nursing", defaults={"name": "Physical care"})[0]
    school = School.objects.create(provider=provider, name="Tiny school")
    rooms = {name: Room.objects.create(school=school, name=name)
             for name in ("R1", "R2", "gym", "yard", "quiet")}

    def period(weekday, label, start, end, kind=PeriodKind.LESSON, default_room=None):
        return Period.objects.create(school=school, weekday=weekday, label=label, kind=kind,
                                     start=dt.time.fromisoformat(start),
                                     end=dt.time.fromisoformat(end), default_room=default_room)

    periods = {"mon-1": period(1, "1", "08:00", "08:45"),
               "mon-b1": period(1, "b1", "08:45", "09:05", PeriodKind.BREAK, rooms["yard"]),
               "mon-2": period(1, "2", "09:05", "09:50")}
    for weekday, code in ((2, "tue"), (3, "wed"), (4, "thu"), (5, "fri")):
        periods[f"{code}-1"] = period(weekday, "1", "08:00", "08:45")
    school_class = SchoolClass.objects.create(school=school, name="5a", grade=5)
    for slot, room in (("mon-1", "R1"), ("tue-1", "gym"), ("wed-1", "R1"), ("thu-1", "R1"),
                       ("fri-1", "R1")):
        TimetableEntry.objects.create(school_class=school_class, period=periods[slot],
                                      subject="Maths", room=rooms[room])
    # Monday's second lesson is split: religion in R1, ethics in R2.
    TimetableEntry.objects.create(school_class=school_class, period=periods["mon-2"],
                                  subject="Religion", room=rooms["R1"], group="religion")
    TimetableEntry.objects.create(school_class=school_class, period=periods["mon-2"],
                                  subject="Ethics", room=rooms["R2"], group="ethics")

    anna = Assistant.objects.create(provider=provider, first_name="Anna", last_name="Berg",
                                    contract_minutes_per_week=1500)
    anna.schools.set([school])
    anna.skills.set([nursing])
    for weekday in range(1, 6):
        WorkingTime.objects.create(assistant=anna, weekday=weekday, start=dt.time(7, 30),
                                   end=dt.time(13, 0))
    ole = Assistant.objects.create(provider=provider, first_name="Ole", last_name="Dahl",
                                   contract_minutes_per_week=600)
    ole.schools.set([school])
    WorkingTime.objects.create(assistant=ole, weekday=1, start=dt.time(8, 0), end=dt.time(9, 0))
    WorkingTime.objects.create(assistant=ole, weekday=2, start=dt.time(7, 30),
                               end=dt.time(12, 0))

    child = Child.objects.create(school=school, school_class=school_class, first_name="Mia",
                                 last_name="Fischer", display_code="Eule 5",
                                 course_groups=["ethics"], primary_assistant=anna)
    for slot, need in (("mon-1", 2), ("mon-b1", 1), ("mon-2", 1), ("tue-1", 1), ("wed-1", 1),
                       ("thu-1", 1), ("fri-1", 1)):
        NeedProfileEntry.objects.create(child=child, period=periods[slot], need=need)
    return Tiny(school, rooms, periods, school_class, child, anna, ole, youth, nursing)


def _child(doc: dict, child: Child) -> dict:
    return next(c for c in doc["children"] if c["id"] == str(child.pk))


def _assistant(doc: dict, assistant: Assistant) -> dict:
    return next(a for a in doc["assistants"] if a["id"] == str(assistant.pk))


def _absent(start: dt.date, end: dt.date | None = None, **who) -> Absence:
    return Absence.objects.create(start=start, end=end or start, reason=AbsenceReason.ILLNESS,
                                  **who)


def test_it_makes_one_slot_per_period_of_the_week(tiny):
    doc = instance_build(school=tiny.school, week=WEEK)
    assert doc["format"] == "poolplan-instance/1"
    assert doc["name"] == "Tiny school, 2026-W48"
    assert doc["slots"] == [
        {"id": "mon-1", "day": "mon", "start": "08:00", "end": "08:45", "kind": "lesson"},
        {"id": "mon-b1", "day": "mon", "start": "08:45", "end": "09:05", "kind": "break"},
        {"id": "mon-2", "day": "mon", "start": "09:05", "end": "09:50", "kind": "lesson"},
        *({"id": f"{day}-1", "day": day, "start": "08:00", "end": "08:45", "kind": "lesson"}
          for day in ("tue", "wed", "thu", "fri")),
    ]
    assert list(doc) == ["format", "name", "slots", "assistants", "children", "pinned",
                         "previous"]
    load_instance(doc)


def test_it_makes_no_slots_on_days_without_lessons_nor_on_saturday(tiny):
    tiny.periods["wed-1"].delete()
    Period.objects.create(school=tiny.school, weekday=6, label="1", start=dt.time(8, 0),
                          end=dt.time(8, 45))
    doc = instance_build(school=tiny.school, week=WEEK)
    assert [s["id"] for s in doc["slots"]] == ["mon-1", "mon-b1", "mon-2", "tue-1", "thu-1",
                                               "fri-1"]
    assert set(_child(doc, tiny.child)["needs"]) == {s["id"] for s in doc["slots"]}
    load_instance(doc)


def test_it_takes_needs_and_locations_from_profile_timetable_groups_and_default_rooms(tiny):
    quiet = NeedProfileEntry.objects.get(child=tiny.child, period=tiny.periods["thu-1"])
    quiet.room = tiny.rooms["quiet"]
    quiet.save()
    NeedProfileEntry.objects.filter(child=tiny.child, period=tiny.periods["fri-1"]).update(
        need=0)
    child = _child(instance_build(school=tiny.school, week=WEEK), tiny.child)
    assert child["needs"] == {"mon-1": 2, "mon-b1": 1, "mon-2": 1, "tue-1": 1, "wed-1": 1,
                              "thu-1": 1}
    assert child["location"] == {
        "mon-1": "R1",
        "mon-b1": "yard",  # a break: the period's default room
        "mon-2": "R2",  # the child's course group (ethics), not the religion group's R1
        "tue-1": "gym",  # the class changes rooms for PE
        "wed-1": "R1",
        "thu-1": "quiet",  # the need entry's own room wins over the timetable
    }


def test_it_drops_the_needs_of_days_the_child_is_absent(tiny):
    _absent(MON, TUE, child=tiny.child)
    _absent(FRI, dt.date(2026, 12, 4), child=tiny.child)
    child = _child(instance_build(school=tiny.school, week=WEEK), tiny.child)
    assert child["needs"] == {"wed-1": 1, "thu-1": 1}
    assert set(child["location"]) == {"wed-1", "thu-1"}


def test_it_leaves_out_archived_children_and_assistants(tiny):
    tiny.ole.archived_at = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    tiny.ole.save()
    gone = Child.objects.create(school=tiny.school, school_class=tiny.school_class,
                                first_name="Tom", last_name="Alt", display_code="Igel 1",
                                archived_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    NeedProfileEntry.objects.create(child=gone, period=tiny.periods["mon-1"], need=1)
    doc = instance_build(school=tiny.school, week=WEEK)
    assert [c["id"] for c in doc["children"]] == [str(tiny.child.pk)]
    assert [a["id"] for a in doc["assistants"]] == [str(tiny.anna.pk)]


def test_it_names_people_by_database_id_with_primary_fixed_and_limits(tiny):
    tiny.child.fixed_assistants.set([tiny.anna, tiny.ole])
    tiny.child.max_assistants = 2
    tiny.child.save()
    child = _child(instance_build(school=tiny.school, week=WEEK), tiny.child)
    assert child["id"] == str(tiny.child.pk)
    assert child["primary"] == str(tiny.anna.pk)
    assert child["fixed"] == sorted([str(tiny.anna.pk), str(tiny.ole.pk)], key=int)
    assert child["max_assistants"] == 2
    assert list(child) == ["id", "approved_minutes", "max_ratio", "skills", "primary", "fixed",
                           "max_assistants", "needs", "location"]


def test_it_omits_an_unset_limit_and_a_primary_outside_the_pool(tiny):
    tiny.anna.archived_at = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    tiny.anna.save()
    doc = instance_build(school=tiny.school, week=WEEK)
    child = _child(doc, tiny.child)
    assert child["primary"] == ""
    assert child["fixed"] == []
    assert "max_assistants" not in child
    load_instance(doc)


def test_it_refuses_a_child_whose_fixed_persons_all_left_the_pool(tiny):
    tiny.child.fixed_assistants.set([tiny.ole])
    tiny.ole.archived_at = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    tiny.ole.save()
    with pytest.raises(PlanningDataError, match="Eule 5: none of the fixed persons"):
        instance_build(school=tiny.school, week=WEEK)


def test_it_adds_the_skills_of_needed_periods_to_the_childs_skills(tiny):
    behaviour = Skill.objects.get_or_create(code="behaviour")[0]
    motor = Skill.objects.get_or_create(code="motor")[0]
    tiny.child.required_skills.set([behaviour])
    NeedProfileEntry.objects.get(child=tiny.child, period=tiny.periods["mon-b1"]).skills.set(
        [tiny.nursing])
    NeedProfileEntry.objects.get(child=tiny.child, period=tiny.periods["fri-1"]).skills.set(
        [motor])
    assert _child(instance_build(school=tiny.school, week=WEEK), tiny.child)["skills"] == [
        "behaviour", "motor", "nursing"]
    # Absent on Friday: the Friday-only skill does not restrict the rest of the week.
    _absent(FRI, child=tiny.child)
    assert _child(instance_build(school=tiny.school, week=WEEK), tiny.child)["skills"] == [
        "behaviour", "nursing"]


@pytest.mark.parametrize(("start", "end", "absent", "expected"), [
    (dt.date(2026, 8, 1), dt.date(2027, 7, 31), [], 900),  # the whole week
    (WED, dt.date(2027, 7, 31), [], 540),  # starts on Wednesday: 3/5
    (WED, dt.date(2027, 7, 31), [THU], 360),  # ... and absent on Thursday: 2/5
    (dt.date(2026, 8, 1), TUE, [], 360),  # ends on Tuesday: 2/5
    (dt.date(2026, 8, 1), dt.date(2027, 7, 31), [MON, TUE, WED, THU, FRI], 0),
    (SAT, dt.date(2027, 7, 31), [], 0),  # starts on Saturday: none of this week
], ids=["whole-week", "from-wednesday", "from-wednesday-absent-thursday", "until-tuesday",
        "absent-all-week", "from-saturday"])
def test_it_prorates_approved_minutes_by_school_days_net_of_absences(tiny, start, end,
                                                                     absent, expected):
    _approve(tiny.child, tiny.youth, 900, start, end)
    for day in absent:
        _absent(day, child=tiny.child)
    child = _child(instance_build(school=tiny.school, week=WEEK), tiny.child)
    assert child["approved_minutes"] == expected


def test_it_adds_successive_approvals_and_takes_the_stricter_ratio(tiny):
    _approve(tiny.child, tiny.youth, 900, dt.date(2026, 8, 1), TUE, ratio=3, number="old")
    _approve(tiny.child, tiny.youth, 1200, WED, dt.date(2027, 7, 31), ratio=1, number="new")
    # An approval outside the week changes nothing.
    _approve(tiny.child, tiny.youth, 3000, dt.date(2027, 8, 1), dt.date(2028, 7, 31),
             ratio=1, number="future")
    child = _child(instance_build(school=tiny.school, week=WEEK), tiny.child)
    assert child["approved_minutes"] == 360 + 720
    assert child["max_ratio"] == 1


def test_it_counts_only_the_schools_lesson_days_as_the_week(tiny):
    """With lessons Monday to Thursday only, an approval valid Monday and Tuesday is half the
    week; 901/2 = 450.5 is rounded half up."""
    tiny.periods["fri-1"].delete()
    _approve(tiny.child, tiny.youth, 901, dt.date(2026, 8, 1), TUE)
    child = _child(instance_build(school=tiny.school, week=WEEK), tiny.child)
    assert child["approved_minutes"] == 451


@pytest.mark.parametrize(("minutes", "days", "expected"), [
    (900, 3, 540), (1001, 3, 601), (1003, 1, 201), (1002, 1, 200), (0, 5, 0)])
def test_it_rounds_approved_minutes_half_up(minutes, days, expected):
    week = [MON, TUE, WED, THU, FRI]
    approval = Approval(minutes_per_week=minutes, valid_from=week[5 - days], valid_to=FRI)
    assert approved_minutes_compute(approvals=[approval], school_days=week,
                                    absent_days=set()) == expected


def test_it_gives_children_without_an_approval_nothing_and_the_default_ratio(tiny):
    tiny.school.funding_model = FundingModel.SCHOOL_BUDGET
    tiny.school.budget_minutes_per_week = 3000
    tiny.school.save()
    doc = instance_build(school=tiny.school, week=WEEK)
    assert (_child(doc, tiny.child)["approved_minutes"],
            _child(doc, tiny.child)["max_ratio"]) == (0, 3)
    doc = instance_build(school=tiny.school, week=WEEK, default_max_ratio=2)
    assert _child(doc, tiny.child)["max_ratio"] == 2


def test_it_marks_slots_outside_working_times_and_on_absent_days_unavailable(tiny):
    _absent(WED, assistant=tiny.anna)
    doc = instance_build(school=tiny.school, week=WEEK)
    anna, ole = _assistant(doc, tiny.anna), _assistant(doc, tiny.ole)
    assert anna == {"id": str(tiny.anna.pk), "skills": ["nursing"], "max_minutes": 1500,
                    "unavailable": ["wed-1"]}
    # Ole works Monday 08:00-09:00 (mon-b1 ends 09:05, so only mon-1) and all Tuesday morning;
    # the contract is not prorated by the days he works.
    assert ole == {"id": str(tiny.ole.pk), "skills": [], "max_minutes": 600,
                   "unavailable": ["mon-b1", "mon-2", "wed-1", "thu-1", "fri-1"]}


def test_it_passes_pinned_and_previous_assignments_through(tiny):
    pinned = [("mon-1", tiny.anna.pk, tiny.child.pk)]
    previous = [("mon-1", str(tiny.anna.pk), str(tiny.child.pk)),
                ("tue-1", tiny.ole.pk, tiny.child.pk)]
    doc = instance_build(school=tiny.school, week=WEEK, pinned=pinned, previous=previous)
    a, o, c = str(tiny.anna.pk), str(tiny.ole.pk), str(tiny.child.pk)
    assert doc["pinned"] == [{"slot": "mon-1", "assistant": a, "child": c}]
    assert doc["previous"] == [{"slot": "mon-1", "assistant": a, "child": c},
                               {"slot": "tue-1", "assistant": o, "child": c}]
    load_instance(doc)


def test_it_refuses_pinned_assignments_the_instance_does_not_know(tiny):
    with pytest.raises(PlanningDataError, match=r"pinned\[0\]\.slot: unknown slot 'sat-1'"):
        instance_build(school=tiny.school, week=WEEK,
                       pinned=[("sat-1", tiny.anna.pk, tiny.child.pk)])


def test_it_refuses_a_needed_period_without_a_room(tiny):
    TimetableEntry.objects.filter(period=tiny.periods["tue-1"]).delete()
    with pytest.raises(PlanningDataError) as raised:
        instance_build(school=tiny.school, week=WEEK)
    assert raised.value.problems == [
        "Eule 5, Tuesday, period 1: no room — add a timetable entry for class 5a or choose a "
        "room in the need profile."]


def test_it_accepts_a_date_inside_the_week(tiny):
    by_date = instance_build(school=tiny.school, week=THU)
    assert by_date == instance_build(school=tiny.school, week=WEEK)


def test_it_reads_the_database_in_a_fixed_number_of_queries(tiny):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            instance_build(school=tiny.school, week=WEEK)
        return len(captured)

    one = queries()
    for number in range(3):
        other = Child.objects.create(school=tiny.school, school_class=tiny.school_class,
                                     first_name="Kid", last_name=str(number),
                                     display_code=f"Kid {number}")
        NeedProfileEntry.objects.create(child=other, period=tiny.periods["mon-1"], need=1)
        _approve(other, tiny.youth, 600, dt.date(2026, 8, 1), dt.date(2027, 7, 31),
                 number=f"AZ-{number}")
    assert queries() == one


# --- ISO weeks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "monday", "label"), [
    ("2026-W48", dt.date(2026, 11, 23), "2026-W48"),
    ("2026w48", dt.date(2026, 11, 23), "2026-W48"),
    (" 2026-W1 ", dt.date(2025, 12, 29), "2026-W01"),  # week 1 of 2026 starts in 2025
    ("2026-W53", dt.date(2026, 12, 28), "2026-W53"),  # 2026 has 53 ISO weeks
    ("2027-W52", dt.date(2027, 12, 27), "2027-W52"),
])
def test_it_reads_iso_weeks(text, monday, label):
    assert iso_week_monday(text) == monday
    assert iso_week_label(monday) == label
    assert iso_week_monday(monday + dt.timedelta(days=4)) == monday


@pytest.mark.parametrize(("text", "message"), [
    ("2026-W54", "2026 has 53 ISO weeks; choose a week from 2026-W01 to 2026-W53"),
    ("2027-W53", "2027 has 52 ISO weeks; choose a week from 2027-W01 to 2027-W52"),
    ("2026-W00", "2026 has 53 ISO weeks"),
    ("48", "is not an ISO week; write the year, W and the week number, e.g. 2026-W48"),
    ("2026-48", "is not an ISO week"),
    ("", "is not an ISO week"),
])
def test_it_explains_bad_weeks(text, message):
    with pytest.raises(WeekError, match=message):
        iso_week_monday(text)

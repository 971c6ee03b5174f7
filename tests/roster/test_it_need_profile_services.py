import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from poolplan.accounts.models import AuditEvent
from poolplan.roster import services
from poolplan.roster.models import NeedProfileEntry

from .conftest import audit_count

pytestmark = pytest.mark.django_db


def test_it_sets_the_grid_with_one_audit_row(small):
    before = audit_count()
    services.need_profile_set(actor=small.actor, child=small.child, entries=[
        {"period": small.lesson1, "need": 2, "room": None, "skills": [small.nursing]},
        {"period": small.brk, "need": 1, "room": None, "skills": []},
        {"period": small.lesson3, "need": 0, "room": None, "skills": []},
    ])
    assert audit_count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.child == small.child
    assert event.changes == {"mon-1": [0, 2], "mon-b1": [0, 1]}
    rows = {e.period.slot_id: e for e in small.child.need_profile.all()}
    assert set(rows) == {"mon-1", "mon-b1"}  # need 0 means no entry
    assert list(rows["mon-1"].skills.all()) == [small.nursing]


def test_it_resolves_rooms_from_timetable_default_room_and_entry(small):
    assert services.need_room_resolve(child=small.child, period=small.lesson1) == small.r1
    assert services.need_room_resolve(child=small.child, period=small.brk) == small.yard
    assert services.need_room_resolve(child=small.child, period=small.lesson3) is None
    assert services.need_room_resolve(child=small.child, period=small.lesson3,
                                      room=small.gym) == small.gym


def test_it_refuses_a_need_without_a_room_naming_day_and_period(small):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.need_profile_set(actor=small.actor, child=small.child, entries=[
            {"period": small.lesson3, "need": 1, "room": None, "skills": []}])
    assert error.value.message_dict["entries"] == [
        "Tuesday, period 3: no room — add a timetable entry or choose a room."]


def test_it_accepts_a_need_with_its_own_room(small):
    services.need_profile_set(actor=small.actor, child=small.child, entries=[
        {"period": small.lesson3, "need": 1, "room": small.gym, "skills": []}])
    assert small.child.need_profile.get().room == small.gym


def test_it_respects_course_groups(small):
    services.timetable_entry_create(actor=small.actor, school_class=small.school_class,
                                    period=small.lesson3, subject="Religion", room=small.r1,
                                    group="religion")
    services.timetable_entry_create(actor=small.actor, school_class=small.school_class,
                                    period=small.lesson3, subject="Ethics", room=small.gym,
                                    group="ethics")
    entry = [{"period": small.lesson3, "need": 1, "room": None, "skills": []}]
    with pytest.raises(ValidationError):  # the child is in neither group
        services.need_profile_set(actor=small.actor, child=small.child, entries=entry)
    services.child_update(actor=small.actor, child=small.child, course_groups=["ethics"])
    services.need_profile_set(actor=small.actor, child=small.child, entries=entry)
    assert services.need_room_resolve(child=small.child, period=small.lesson3) == small.gym


def test_it_leaves_the_old_grid_intact_when_one_entry_is_bad(small):
    services.need_profile_set(actor=small.actor, child=small.child, entries=[
        {"period": small.lesson1, "need": 1, "room": None, "skills": []}])
    before = audit_count()
    with pytest.raises(ValidationError):
        services.need_profile_set(actor=small.actor, child=small.child, entries=[
            {"period": small.lesson1, "need": 2, "room": None, "skills": []},
            {"period": small.lesson3, "need": 1, "room": None, "skills": []},
        ])
    assert list(NeedProfileEntry.objects.values_list("period__label", "need")) == [("1", 1)]
    assert audit_count() == before


def test_it_refuses_periods_of_another_school_and_duplicates(small):
    other = services.school_create(actor=small.actor, provider=small.provider, name="Other")
    foreign = services.period_create(actor=small.actor, school=other, weekday=1, label="1",
                                     start=small.lesson1.start, end=small.lesson1.end)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.need_profile_set(actor=small.actor, child=small.child, entries=[
            {"period": foreign, "need": 1, "room": None, "skills": []},
            {"period": small.lesson1, "need": 1, "room": None, "skills": []},
            {"period": small.lesson1, "need": 2, "room": None, "skills": []},
        ])
    problems = error.value.message_dict["entries"]
    assert len(problems) == 2
    assert "another school" in problems[0] and "twice" in problems[1]


def test_it_refuses_an_unknown_need_level(small):
    with pytest.raises(ValidationError):
        services.need_profile_set(actor=small.actor, child=small.child, entries=[
            {"period": small.lesson1, "need": 3, "room": None, "skills": []}])

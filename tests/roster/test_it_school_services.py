import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from poolplan.accounts.models import AuditEvent, Role
from poolplan.roster import services
from poolplan.roster.models import FundingModel, TimetableEntry

from .conftest import audit_count

pytestmark = pytest.mark.django_db


def test_it_creates_and_updates_a_school_with_audit_rows(small):
    before = audit_count()
    school = services.school_create(actor=small.actor, provider=small.provider, name="New")
    services.school_update(actor=small.actor, school=school,
                           funding_model=FundingModel.SCHOOL_BUDGET,
                           budget_minutes_per_week=6000)
    assert audit_count() == before + 2
    assert AuditEvent.objects.latest("id").changes["budget_minutes_per_week"] == [None, 6000]


def test_it_needs_a_budget_for_a_school_budget_pool(small):
    with pytest.raises(ValidationError) as error:
        services.school_create(actor=small.actor, provider=small.provider, name="New",
                               funding_model=FundingModel.SCHOOL_BUDGET)
    assert "budget_minutes_per_week" in error.value.message_dict


def test_it_refuses_overlapping_periods(small):
    with pytest.raises(ValidationError):
        services.period_create(actor=small.actor, school=small.school, weekday=1, label="2",
                               start=dt.time(8, 30), end=dt.time(9, 15))


def test_it_refuses_a_timetable_room_of_another_school(small):
    other = services.school_create(actor=small.actor, provider=small.provider, name="Other")
    room = services.room_create(actor=small.actor, school=other, name="X")
    with pytest.raises(ValidationError):
        services.timetable_entry_create(actor=small.actor, school_class=small.school_class,
                                        period=small.lesson3, subject="Art", room=room)


def test_it_replaces_a_class_timetable_with_one_audit_row(small):
    before = audit_count()
    services.timetable_set(actor=small.actor, school_class=small.school_class, entries=[
        {"period": small.lesson3, "subject": "Art", "room": small.r1, "group": ""}])
    assert audit_count() == before + 1
    assert list(TimetableEntry.objects.values_list("subject", flat=True)) == ["Art"]
    with pytest.raises(ValidationError):
        services.timetable_set(actor=small.actor, school_class=small.school_class, entries=[
            {"period": small.lesson3, "subject": "Art", "room": small.r1, "group": ""},
            {"period": small.lesson3, "subject": "Music", "room": small.r1, "group": ""}])
    assert list(TimetableEntry.objects.values_list("subject", flat=True)) == ["Art"]


def test_it_creates_logins_following_the_role_rules(small):
    before = audit_count()
    teacher = services.user_create(actor=small.actor, username="t", password="pw-long-enough",
                                   role=Role.TEACHER, schools=[small.school],
                                   classes=[small.school_class])
    assert teacher.check_password("pw-long-enough")
    assert teacher.provider == small.provider
    assert audit_count() == before + 1
    with pytest.raises(ValidationError) as error:
        services.user_create(actor=small.actor, username="t2", password="x", role=Role.TEACHER,
                             schools=[small.school])
    assert "classes" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.user_create(actor=small.actor, username="r", password="x", role=Role.REVIEWER)
    assert "funding_body" in error.value.message_dict
    reviewer = services.user_create(actor=small.actor, username="r", password="x",
                                    role=Role.REVIEWER, funding_body=small.youth_office)
    assert reviewer.funding_body == small.youth_office


def test_each_small_create_writes_exactly_one_audit_row(small):
    calls = [
        lambda: services.room_create(actor=small.actor, school=small.school, name="R2"),
        lambda: services.period_create(actor=small.actor, school=small.school, weekday=3,
                                       label="1", start=dt.time(8, 0), end=dt.time(8, 45)),
        lambda: services.class_create(actor=small.actor, school=small.school, name="6b"),
        lambda: services.timetable_entry_create(actor=small.actor,
                                                school_class=small.school_class,
                                                period=small.lesson3, subject="Art"),
    ]
    for call in calls:
        before = audit_count()
        obj = call()
        assert audit_count() == before + 1
        event = AuditEvent.objects.latest("id")
        assert (event.object_type, event.object_id) == (obj._meta.model_name, str(obj.pk))
        assert event.actor == small.actor

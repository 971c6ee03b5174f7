"""A tiny school set up through the real services: two weekdays' worth of periods, two rooms,
one class with a timetable, two pool members and one child."""

import datetime as dt
from dataclasses import dataclass

import pytest

from poolplan.accounts.models import AuditEvent, Role, User
from poolplan.roster import services
from poolplan.roster.models import (
    Assistant,
    Child,
    FundingBody,
    Period,
    PeriodKind,
    Provider,
    Room,
    School,
    SchoolClass,
    Skill,
)


@dataclass
class Small:
    actor: User
    provider: Provider
    school: School
    youth_office: FundingBody
    r1: Room
    gym: Room
    yard: Room
    lesson1: Period  # Monday 1, timetable in R1
    brk: Period  # Monday break b1, default room yard
    lesson3: Period  # Tuesday 3, no timetable entry
    school_class: SchoolClass
    nursing: Skill
    assistant: Assistant
    nurse: Assistant
    child: Child


def audit_count() -> int:
    return AuditEvent.objects.count()


@pytest.fixture
def small(db) -> Small:
    actor = User.objects.create_user(username="coord", password="x", role=Role.COORDINATOR)
    provider = Provider.objects.create(name="Provider")
    youth = FundingBody.objects.create(name="Youth office")
    nursing = Skill.objects.create(code="nursing", name="Physical care")
    school = services.school_create(actor=actor, provider=provider, name="School")
    r1 = services.room_create(actor=actor, school=school, name="R1")
    gym = services.room_create(actor=actor, school=school, name="gym")
    yard = services.room_create(actor=actor, school=school, name="yard")
    lesson1 = services.period_create(actor=actor, school=school, weekday=1, label="1",
                                     start=dt.time(8, 0), end=dt.time(8, 45))
    brk = services.period_create(actor=actor, school=school, weekday=1, label="b1",
                                 start=dt.time(8, 45), end=dt.time(9, 5),
                                 kind=PeriodKind.BREAK, default_room=yard)
    lesson3 = services.period_create(actor=actor, school=school, weekday=2, label="3",
                                     start=dt.time(9, 55), end=dt.time(10, 40))
    school_class = services.class_create(actor=actor, school=school, name="5a", grade=5)
    services.timetable_entry_create(actor=actor, school_class=school_class, period=lesson1,
                                    subject="Maths", room=r1)
    assistant = services.assistant_create(actor=actor, provider=provider, first_name="Anna",
                                          last_name="Lehmann", contract_minutes_per_week=1200,
                                          schools=[school])
    nurse = services.assistant_create(actor=actor, provider=provider, first_name="Tom",
                                      last_name="Lange", contract_minutes_per_week=1500,
                                      schools=[school], skills=[nursing])
    child = services.child_create(actor=actor, school=school, school_class=school_class,
                                  first_name="Mia", last_name="Fischer", display_code="Eule 5",
                                  primary_assistant=assistant)
    return Small(actor, provider, school, youth, r1, gym, yard, lesson1, brk, lesson3,
                 school_class, nursing, assistant, nurse, child)

"""A small world for permission tests: two schools of one provider plus a school of another
provider, with one user of every role inside school A and outsiders elsewhere
(healthchecks' owner / member / outsider pattern)."""

import datetime as dt
from dataclasses import dataclass, field

from poolplan.accounts.models import Role, User
from poolplan.roster.models import (
    Approval,
    Assistant,
    Child,
    FundingBody,
    NeedProfileEntry,
    Period,
    PeriodKind,
    Provider,
    Room,
    School,
    SchoolClass,
    Skill,
    TimetableEntry,
)
from tests import dates


@dataclass
class World:
    provider: Provider
    other_provider: Provider
    school: School
    other_school: School
    foreign_school: School
    youth_office: FundingBody
    welfare_office: FundingBody
    class_5a: SchoolClass
    class_6b: SchoolClass
    child: Child  # in 5a, approval from the youth office, parent linked
    child_6b: Child  # in 6b, approval from the welfare office
    other_child: Child  # in other_school
    assistant: Assistant
    other_assistant: Assistant
    users: dict[str, User] = field(default_factory=dict)

    def user(self, key: str) -> User:
        return self.users[key]


def make_user(username: str, role: str, **extra) -> User:
    schools = extra.pop("schools", ())
    classes = extra.pop("classes", ())
    user = User.objects.create_user(username=username, password="pw-" + username, role=role,
                                    **extra)
    user.schools.set(schools)
    user.classes.set(classes)
    return user


def _school(provider: Provider, name: str) -> tuple[School, SchoolClass, SchoolClass, Period]:
    school = School.objects.create(provider=provider, name=name)
    room = Room.objects.create(school=school, name="R1")
    Room.objects.create(school=school, name="yard")
    period = Period.objects.create(school=school, weekday=1, label="1", kind=PeriodKind.LESSON,
                                   start=dt.time(8, 0), end=dt.time(8, 45))
    c1 = SchoolClass.objects.create(school=school, name="5a", grade=5)
    c2 = SchoolClass.objects.create(school=school, name="6b", grade=6)
    for cls in (c1, c2):
        TimetableEntry.objects.create(school_class=cls, period=period, subject="Maths", room=room)
    return school, c1, c2, period


def make_world() -> World:
    provider = Provider.objects.create(name="Provider A")
    other_provider = Provider.objects.create(name="Provider B")
    youth = FundingBody.objects.create(name="Youth office")
    welfare = FundingBody.objects.create(name="Welfare office")
    nursing, _ = Skill.objects.get_or_create(code="nursing", defaults={"name": "Nursing"})

    school, c5a, c6b, period = _school(provider, "School A")
    other_school, o5a, _o6b, _p = _school(provider, "School A2")
    foreign_school, f5a, _f6b, _fp = _school(other_provider, "School B")

    # Approvals for the school year containing today, so that they are current whenever the
    # tests run.
    year_start, year_end = dates.school_year()

    def child(school, cls, code, funding):
        c = Child.objects.create(school=school, school_class=cls, first_name="Mia",
                                 last_name=f"Muster {code}", display_code=code,
                                 notes="Sensitive: epilepsy, emergency plan in the office.")
        NeedProfileEntry.objects.create(child=c, period=school.periods.first(), need=1)
        Approval.objects.create(child=c, funding_body=funding, file_number=f"AZ-{code}",
                                minutes_per_week=900, valid_from=year_start,
                                valid_to=year_end, max_ratio=2)
        return c

    kid = child(school, c5a, "Fox 1", youth)
    kid_6b = child(school, c6b, "Owl 2", welfare)
    other_kid = child(other_school, o5a, "Bee 3", youth)
    child(foreign_school, f5a, "Elk 4", youth)

    assistant = Assistant.objects.create(provider=provider, first_name="Anna", last_name="Berg",
                                         contract_minutes_per_week=1500)
    assistant.schools.set([school])
    assistant.skills.set([nursing])
    other_assistant = Assistant.objects.create(provider=provider, first_name="Ole",
                                               last_name="Dahl", contract_minutes_per_week=1200)
    other_assistant.schools.set([other_school])
    kid.primary_assistant = assistant
    kid.save()

    w = World(provider, other_provider, school, other_school, foreign_school, youth, welfare,
              c5a, c6b, kid, kid_6b, other_kid, assistant, other_assistant)
    w.users = {
        "coordinator": make_user("coord", Role.COORDINATOR, provider=provider, schools=[school]),
        "other_coordinator": make_user("coord2", Role.COORDINATOR, provider=provider,
                                       schools=[other_school]),
        "assistant": make_user("assist", Role.ASSISTANT, provider=provider, schools=[school]),
        "other_assistant": make_user("assist2", Role.ASSISTANT, provider=provider,
                                     schools=[other_school]),
        "teacher": make_user("teach", Role.TEACHER, provider=provider, schools=[school],
                             classes=[c5a]),
        "parent": make_user("parent", Role.PARENT),
        "other_parent": make_user("parent2", Role.PARENT),
        "provider": make_user("prov", Role.PROVIDER, provider=provider),
        "other_provider": make_user("prov2", Role.PROVIDER, provider=other_provider),
        "reviewer": make_user("review", Role.REVIEWER, funding_body=youth),
        "other_reviewer": make_user("review2", Role.REVIEWER, funding_body=welfare),
    }
    assistant.user = w.users["assistant"]
    assistant.save()
    from poolplan.roster.models import ParentLink

    ParentLink.objects.create(user=w.users["parent"], child=kid)
    ParentLink.objects.create(user=w.users["other_parent"], child=other_kid)
    return w

"""The demo command: idempotent, the schools the product story promises, and weeks that turn
into sensible planner instances."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count
from django.test import override_settings

from poolplan.accounts.models import ApiToken, AuditEvent, Role, User
from poolplan.roster import services
from poolplan.roster.demo_data import (
    COMPREHENSIVE,
    HERE,
    PRIMARY,
    SPECIAL,
    demo_load,
    demo_logins,
)
from poolplan.roster.demo_data import school_specs as demo_school_specs
from poolplan.roster.models import (
    Approval,
    Assistant,
    Child,
    FundingModel,
    NeedProfileEntry,
    Period,
    Room,
    School,
    TimetableEntry,
)
from tests import dates

pytestmark = pytest.mark.django_db

MODELS = [School, Room, Period, TimetableEntry, Assistant, Child, NeedProfileEntry, Approval,
          User, AuditEvent, ApiToken]


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    """Load the demo once per module inside a transaction that is rolled back at the end;
    each test's own transaction nests in it as a savepoint. Loading takes seconds."""
    out = io.StringIO()
    # Same fast hasher as the function-scoped fixture in tests/conftest.py.
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        call_command("demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded, db):
    return _demo_loaded


def test_it_is_idempotent(demo):
    before = _counts()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert _counts() == before
    assert "nothing changed" in out.getvalue() or "nichts" in out.getvalue()


def test_its_approvals_are_current_and_a_new_school_year_adds_the_next(demo):
    """Approvals cover the school year of the day the demo is loaded; loading it again in the
    next school year adds that year's approvals once and keeps the earlier ones."""
    first, last = dates.school_year()
    funded = Approval.objects.count()
    assert funded and Approval.objects.filter(valid_from=first, valid_to=last).count() == funded
    next_year = last + dt.timedelta(days=1)
    assert demo_load(today=next_year) == funded
    assert Approval.objects.filter(valid_from=next_year).count() == funded
    assert Approval.objects.filter(valid_from=first, valid_to=last).count() == funded
    assert demo_load(today=next_year + dt.timedelta(days=100)) == 0


def test_it_prints_every_login(demo):
    for username, _role, _what in demo_logins():
        assert f"  {username} " in demo


def test_it_refuses_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    before = _counts()
    with pytest.raises(CommandError, match="POOLPLAN_DEMO"):
        call_command("demo", stdout=io.StringIO())
    assert _counts() == before


def test_the_comprehensive_school_matches_the_story(demo):
    school = School.objects.get(name=COMPREHENSIVE)
    children = Child.objects.filter(school=school)
    assert children.count() == 15
    assert Assistant.objects.filter(schools=school).count() == 7
    assert not children.filter(primary_assistant__isnull=True).exists()
    with_fixed = children.annotate(n=Count("fixed_assistants")).filter(n__gt=0)
    assert with_fixed.count() == 1
    assert children.filter(max_assistants=3).count() == 2
    grades = set(children.values_list("school_class__grade", flat=True))
    assert grades == {5, 6, 7, 8, 9, 10}
    skills = {a.user.username: {s.code for s in a.skills.all()}
              for a in Assistant.objects.filter(schools=school)}
    assert "nursing" in skills["assistant2"]
    assert sum("nursing" in s for s in skills.values()) == 2
    assert sum("behaviour" in s for s in skills.values()) == 3
    assert sum("learning" in s for s in skills.values()) == 2


def test_the_logins_see_what_the_story_says(demo):
    coordinator = User.objects.get(username="coordinator")
    assert coordinator.check_password("demo")
    assert [s.name for s in coordinator.schools.all()] == [COMPREHENSIVE]
    teacher = User.objects.get(username="teacher")
    assert sorted(c.name for c in teacher.classes.all()) == ["6a", "6b"]
    parent = User.objects.get(username="parent")
    assert [link.child.school.name for link in parent.parent_links.all()] == [COMPREHENSIVE]
    reviewer = User.objects.get(username="reviewer")
    funded = Approval.objects.filter(child__school__name=COMPREHENSIVE)
    assert funded.filter(funding_body=reviewer.funding_body).count() > funded.count() / 2
    assert User.objects.get(username="provider").role == Role.PROVIDER
    assert Assistant.objects.filter(user__username__startswith="assistant").count() == 15


def test_the_primary_and_special_schools(demo):
    primary = School.objects.get(name=PRIMARY)
    assert primary.children.count() == 6
    assert primary.assistants.count() == 3
    assert primary.children.values("school_class__grade").distinct().count() == 2
    special = School.objects.get(name=SPECIAL)
    assert special.funding_model == FundingModel.SCHOOL_BUDGET
    assert special.budget_minutes_per_week
    assert special.children.count() == 8
    assert not Approval.objects.filter(child__school=special).exists()
    professions = set(special.assistants.values_list("profession", flat=True))
    assert professions == {"assistant", "special_ed_teacher", "social_pedagogue"}


def test_approvals_cover_the_range_and_ratios(demo):
    approvals = Approval.objects.all()
    assert {a.max_ratio for a in approvals} == {1, 2, 3}
    assert all(450 <= a.minutes_per_week <= 1350 for a in approvals)


def test_every_need_resolves_to_a_room_as_in_the_example_instances(demo):
    """Each demo school's week, read back from the database, is the week of its instance:
    same needs, and every need's room resolves to the instance's location."""
    for spec in demo_school_specs():
        school = School.objects.get(name=spec.name)
        for child_spec in spec.children:
            child = Child.objects.get(school=school, display_code=child_spec.display_code)
            timetable = services.class_timetable(child.school_class_id)
            expected = next(c for c in spec.instance["children"] if c["id"] == child_spec.ident)
            needs, locations = {}, {}
            for entry in child.need_profile.select_related("period", "room"):
                needs[entry.period.slot_id] = entry.need
                room = services.need_room_resolve(child=child, period=entry.period,
                                                  room=entry.room, timetable=timetable)
                assert room is not None, (spec.name, child.display_code, entry.period)
                locations[entry.period.slot_id] = room.name
            assert needs == expected["needs"], (spec.name, child_spec.ident)
            assert locations == expected["location"], (spec.name, child_spec.ident)


@pytest.mark.parametrize("name", ["primary-school", "comprehensive-school"])
def test_the_bundled_instances_are_the_shared_examples(examples_dir, name):
    bundled = json.loads((HERE / f"demo-{name}.json").read_text(encoding="utf-8"))
    assert bundled == json.loads((examples_dir / f"{name}.json").read_text(encoding="utf-8"))


# Where the demo deliberately differs from the example files (see demo_data's docstring).
DEVIATIONS = {(COMPREHENSIVE, "c1", "fixed"): ["a1", "a2"],
              (COMPREHENSIVE, "c7", "max_assistants"): 3}


def test_people_match_the_example_instances(demo):
    """Approvals, skills, primary and fixed persons, limits, contracts and working times read
    back from the database are the instances' — so an instance built from the demo is the
    example week."""
    for spec in demo_school_specs():
        school = School.objects.get(name=spec.name)
        idents = {}
        for a_spec in spec.assistants:
            assistant = Assistant.objects.get(schools=school, first_name=a_spec.first_name,
                                              last_name=a_spec.last_name)
            idents[assistant.pk] = a_spec.ident
            expected = next(a for a in spec.instance["assistants"] if a["id"] == a_spec.ident)
            assert assistant.contract_minutes_per_week == expected["max_minutes"]
            assert {s.code for s in assistant.skills.all()} >= set(expected["skills"])
            unavailable = {
                p.slot_id for p in school.periods.all()
                if not any(w.weekday == p.weekday and w.start <= p.start and p.end <= w.end
                           for w in assistant.working_times.all())}
            assert unavailable == set(expected["unavailable"]), (spec.name, a_spec.ident)
        for c_spec in spec.children:
            child = Child.objects.get(school=school, display_code=c_spec.display_code)
            expected = next(c for c in spec.instance["children"] if c["id"] == c_spec.ident)
            key = (spec.name, c_spec.ident)
            assert {s.code for s in child.required_skills.all()} == set(expected["skills"])
            assert idents[child.primary_assistant_id] == expected["primary"]
            assert sorted(idents[a.pk] for a in child.fixed_assistants.all()) == \
                DEVIATIONS.get((*key, "fixed"), expected["fixed"])
            assert child.max_assistants == DEVIATIONS.get((*key, "max_assistants"),
                                                          expected.get("max_assistants"))
            approvals = list(child.approvals.all())
            if "approved_minutes" in expected:
                assert [(a.minutes_per_week, a.max_ratio) for a in approvals] == [
                    (expected["approved_minutes"], expected["max_ratio"])]
                assert (approvals[0].valid_from,
                        approvals[0].valid_to) == dates.school_year()
            else:
                assert approvals == []

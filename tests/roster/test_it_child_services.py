import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from poolplan.accounts.models import AuditAction, AuditEvent, Role, User
from poolplan.roster import services
from poolplan.roster.models import Child
from tests import dates

from .conftest import audit_count

pytestmark = pytest.mark.django_db

# Days of next week: an absence in it is never refused as past, whatever day the tests
# run (tests/dates.py).
TUE = dates.next_monday() + dt.timedelta(days=1)


def _child(small, **extra):
    data = {"actor": small.actor, "school": small.school, "school_class": small.school_class,
            "first_name": "Ben", "last_name": "Neumann", "display_code": "Robbe 7"} | extra
    return services.child_create(**data)


def test_it_creates_a_child_with_one_audit_row(small):
    before = audit_count()
    child = _child(small, required_skills=[small.nursing], fixed_assistants=[small.nurse],
                   primary_assistant=small.nurse, max_assistants=3)
    assert audit_count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.object_type, event.object_id, event.action) == ("child", str(child.pk),
                                                                  AuditAction.CREATE)
    assert list(child.fixed_assistants.all()) == [small.nurse]


def test_it_refuses_a_duplicate_display_code(small):
    with pytest.raises(ValidationError):
        _child(small, display_code="Eule 5")


def test_it_refuses_a_class_of_another_school(small):
    other = services.school_create(actor=small.actor, provider=small.provider, name="Other")
    other_class = services.class_create(actor=small.actor, school=other, name="7c")
    with pytest.raises(ValidationError) as error:
        _child(small, school_class=other_class)
    assert "school_class" in error.value.message_dict
    assert not Child.objects.filter(display_code="Robbe 7").exists()


def test_it_refuses_a_fixed_person_without_the_required_skill(small):
    with pytest.raises(ValidationError) as error:
        _child(small, required_skills=[small.nursing], fixed_assistants=[small.assistant])
    assert "fixed_assistants" in error.value.message_dict


def test_it_refuses_a_primary_person_outside_the_fixed_persons(small):
    with pytest.raises(ValidationError) as error:
        _child(small, fixed_assistants=[small.nurse], primary_assistant=small.assistant)
    assert "primary_assistant" in error.value.message_dict


def test_it_refuses_a_primary_person_from_another_pool(small):
    other = services.school_create(actor=small.actor, provider=small.provider, name="Other")
    stranger = services.assistant_create(actor=small.actor, provider=small.provider,
                                         first_name="X", last_name="Y",
                                         contract_minutes_per_week=600, schools=[other])
    with pytest.raises(ValidationError) as error:
        _child(small, primary_assistant=stranger)
    assert "primary_assistant" in error.value.message_dict


def test_it_audits_changes_but_not_the_content_of_notes(small):
    before = audit_count()
    services.child_update(actor=small.actor, child=small.child, notes="Epilepsy, see care plan",
                          max_assistants=2, fixed_assistants=[small.assistant])
    assert audit_count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.child == small.child
    assert event.changes["max_assistants"] == [None, 2]
    assert event.changes["fixed_assistants"] == [[], ["Anna Lehmann"]]
    assert "Epilepsy" not in str(event.changes)
    assert "notes" in event.changes


def test_it_refuses_unknown_fields(small):
    with pytest.raises(TypeError):
        services.child_update(actor=small.actor, child=small.child, school=small.school)


def test_it_deletes_a_child_without_history(small):
    child = _child(small)
    before = audit_count()
    services.child_delete(actor=small.actor, child=child)
    assert not Child.objects.filter(pk=child.pk).exists()
    assert audit_count() == before + 1
    assert AuditEvent.objects.latest("id").action == AuditAction.DELETE


def test_it_deletes_a_child_with_a_parent_link_only(small):
    child = _child(small)
    parent = User.objects.create_user(username="p", password="x", role=Role.PARENT)
    services.parent_link_create(actor=small.actor, user=parent, child=child)
    # The link's audit row names the child: that is history, so archive instead.
    with pytest.raises(ValidationError):
        services.child_delete(actor=small.actor, child=child)


def test_it_refuses_to_delete_a_child_with_history_and_archives_instead(small):
    services.approval_create(actor=small.actor, child=small.child,
                             funding_body=small.youth_office, file_number="A-1",
                             minutes_per_week=600, valid_from=dt.date(2026, 8, 1),
                             valid_to=dt.date(2027, 7, 31), max_ratio=1)
    before = audit_count()
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.child_delete(actor=small.actor, child=small.child)
    assert "archive" in error.value.message_dict["__all__"][0]
    assert Child.objects.filter(pk=small.child.pk).exists()
    assert audit_count() == before
    services.child_archive(actor=small.actor, child=small.child)
    small.child.refresh_from_db()
    assert small.child.archived_at is not None
    assert AuditEvent.objects.latest("id").action == AuditAction.ARCHIVE
    with pytest.raises(ValidationError):
        services.child_archive(actor=small.actor, child=small.child)


@pytest.mark.parametrize("history", ["absence", "need_profile"])
def test_it_counts_absences_and_need_profiles_as_history(small, history):
    child = _child(small)
    if history == "absence":
        services.absence_create(actor=None, child=child, start=TUE,
                                end=TUE, reason="illness")
    else:
        services.need_profile_set(actor=None, child=child, entries=[
            {"period": small.lesson1, "need": 1, "room": None, "skills": []}])
    with pytest.raises(ValidationError):
        services.child_delete(actor=small.actor, child=child)


def test_it_links_only_parent_logins(small):
    teacher = User.objects.create_user(username="t", password="x", role=Role.TEACHER)
    with pytest.raises(ValidationError):
        services.parent_link_create(actor=small.actor, user=teacher, child=small.child)

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from poolplan.accounts.models import AuditAction, AuditEvent
from poolplan.roster import services
from poolplan.roster.models import Assistant
from tests import dates

from .conftest import audit_count

pytestmark = pytest.mark.django_db

# Days of next week: an absence in it is never refused as past, whatever day the tests
# run (tests/dates.py).
TUE = dates.next_monday() + dt.timedelta(days=1)


def _assistant(small, **extra):
    data = {"actor": small.actor, "provider": small.provider, "first_name": "Jan",
            "last_name": "Kaiser", "contract_minutes_per_week": 900,
            "schools": [small.school]} | extra
    return services.assistant_create(**data)


def test_it_creates_a_pool_member_with_one_audit_row(small):
    before = audit_count()
    assistant = _assistant(small, profession="social_pedagogue", skills=[small.nursing])
    assert audit_count() == before + 1
    assert list(assistant.skills.all()) == [small.nursing]


def test_it_needs_a_school_of_the_provider(small):
    with pytest.raises(ValidationError) as error:
        _assistant(small, schools=[])
    assert "schools" in error.value.message_dict
    assert not Assistant.objects.filter(last_name="Kaiser").exists()


def test_it_updates_with_changes_in_the_audit_row(small):
    assistant = _assistant(small)
    services.assistant_update(actor=small.actor, assistant=assistant,
                              contract_minutes_per_week=1200, skills=[small.nursing])
    assert AuditEvent.objects.latest("id").changes == {
        "contract_minutes_per_week": [900, 1200], "skills": [[], ["Physical care"]]}


def test_it_sets_working_times_replacing_the_old_ones(small):
    assistant = _assistant(small)
    services.assistant_set_working_times(actor=small.actor, assistant=assistant, times=[
        (1, dt.time(7, 30), dt.time(13, 30)), (2, dt.time(7, 30), dt.time(12, 0))])
    before = audit_count()
    services.assistant_set_working_times(actor=small.actor, assistant=assistant, times=[
        (3, dt.time(8, 0), dt.time(12, 0))])
    assert [w.weekday for w in assistant.working_times.all()] == [3]
    assert audit_count() == before + 1


@pytest.mark.parametrize("times", [
    [(1, dt.time(9, 0), dt.time(8, 0))],
    [(1, dt.time(8, 0), dt.time(10, 0)), (1, dt.time(9, 0), dt.time(11, 0))],
])
def test_it_refuses_bad_working_times_and_keeps_the_old_ones(small, times):
    assistant = _assistant(small)
    services.assistant_set_working_times(actor=small.actor, assistant=assistant,
                                         times=[(1, dt.time(7, 30), dt.time(13, 30))])
    with pytest.raises(ValidationError):
        services.assistant_set_working_times(actor=small.actor, assistant=assistant,
                                             times=times)
    assert assistant.working_times.count() == 1


def test_it_deletes_a_pool_member_without_history(small):
    assistant = _assistant(small)
    services.assistant_set_working_times(actor=small.actor, assistant=assistant,
                                         times=[(1, dt.time(7, 30), dt.time(13, 30))])
    services.assistant_delete(actor=small.actor, assistant=assistant)
    assert not Assistant.objects.filter(pk=assistant.pk).exists()
    assert AuditEvent.objects.latest("id").action == AuditAction.DELETE


@pytest.mark.parametrize("history", ["primary", "fixed", "absence"])
def test_it_refuses_to_delete_with_history_and_archives_instead(small, history):
    assistant = _assistant(small)
    if history == "primary":
        services.child_update(actor=small.actor, child=small.child,
                              primary_assistant=assistant)
    elif history == "fixed":
        services.child_update(actor=small.actor, child=small.child,
                              fixed_assistants=[assistant], primary_assistant=None)
    else:
        services.absence_create(actor=small.actor, assistant=assistant,
                                start=TUE, end=TUE,
                                reason="illness")
    with pytest.raises(ValidationError):
        services.assistant_delete(actor=small.actor, assistant=assistant)
    assert Assistant.objects.filter(pk=assistant.pk).exists()
    services.assistant_archive(actor=small.actor, assistant=assistant)
    assistant.refresh_from_db()
    assert assistant.archived_at is not None

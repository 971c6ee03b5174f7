import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from poolplan.accounts.models import AuditEvent
from poolplan.roster import services
from poolplan.roster.models import Absence, AbsenceReason
from tests import dates

from .conftest import audit_count

pytestmark = pytest.mark.django_db

# Days of next week: an absence in it is never refused as past, whatever day the tests
# run (tests/dates.py).
TUE = dates.next_monday() + dt.timedelta(days=1)
WED = TUE + dt.timedelta(days=1)
THU = TUE + dt.timedelta(days=2)
FRI = TUE + dt.timedelta(days=3)
SAT = TUE + dt.timedelta(days=4)
TUE_AFTER = TUE + dt.timedelta(days=7)


def test_it_enters_an_absence_with_one_audit_row(small):
    before = audit_count()
    absence = services.absence_create(actor=small.actor, assistant=small.nurse,
                                      start=TUE, end=WED,
                                      reason=AbsenceReason.ILLNESS, reason_text="flu")
    assert audit_count() == before + 1
    assert absence.created_by == small.actor
    assert "flu" not in AuditEvent.objects.latest("id").summary


def test_it_records_a_child_absence_in_the_childs_trail(small):
    services.absence_create(actor=small.actor, child=small.child, start=TUE,
                            end=TUE, reason=AbsenceReason.ILLNESS)
    assert AuditEvent.objects.latest("id").child == small.child


@pytest.mark.parametrize("who", ["both", "none"])
def test_it_needs_exactly_one_person(small, who):
    people = ({"assistant": small.nurse, "child": small.child} if who == "both" else {})
    with pytest.raises(ValidationError) as error:
        services.absence_create(actor=small.actor, start=TUE,
                                end=TUE, reason=AbsenceReason.OTHER, **people)
    assert "assistant" in error.value.message_dict


def test_it_refuses_an_end_before_the_start(small):
    with pytest.raises(ValidationError) as error:
        services.absence_create(actor=small.actor, assistant=small.nurse,
                                start=WED, end=TUE,
                                reason=AbsenceReason.ILLNESS)
    assert "end" in error.value.message_dict


def test_it_refuses_an_overlap_naming_the_existing_absence(small):
    services.absence_create(actor=small.actor, assistant=small.nurse, start=TUE,
                            end=FRI, reason=AbsenceReason.LEAVE)
    before = audit_count()
    with pytest.raises(ValidationError) as error:
        services.absence_create(actor=small.actor, assistant=small.nurse,
                                start=FRI, end=SAT,
                                reason=AbsenceReason.ILLNESS)
    message = error.value.message_dict["start"][0]
    assert TUE.isoformat() in message and FRI.isoformat() in message
    assert Absence.objects.count() == 1 and audit_count() == before


def test_it_allows_the_same_days_for_another_person(small):
    for assistant in (small.nurse, small.assistant):
        services.absence_create(actor=small.actor, assistant=assistant,
                                start=TUE, end=TUE,
                                reason=AbsenceReason.TRAINING)
    assert Absence.objects.count() == 2


def test_it_updates_without_recording_the_reason_text(small):
    absence = services.absence_create(actor=small.actor, assistant=small.nurse,
                                      start=TUE, end=TUE,
                                      reason=AbsenceReason.ILLNESS)
    before = audit_count()
    services.absence_update(actor=small.actor, absence=absence, end=THU,
                            reason_text="doctor's note: migraine")
    changes = AuditEvent.objects.latest("id").changes
    assert changes["end"] == [TUE.isoformat(), THU.isoformat()]
    assert "migraine" not in str(changes)
    services.absence_delete(actor=small.actor, absence=absence)
    assert audit_count() == before + 2 and not Absence.objects.exists()


def test_it_refuses_an_update_into_an_overlap(small):
    services.absence_create(actor=small.actor, assistant=small.nurse, start=TUE,
                            end=TUE, reason=AbsenceReason.ILLNESS)
    later = services.absence_create(actor=small.actor, assistant=small.nurse,
                                    start=TUE_AFTER, end=TUE_AFTER,
                                    reason=AbsenceReason.ILLNESS)
    with pytest.raises(ValidationError):
        services.absence_update(actor=small.actor, absence=later, start=TUE)
    later.refresh_from_db()
    assert later.start == TUE_AFTER

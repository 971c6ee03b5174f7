import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from poolplan.accounts.models import AuditEvent
from poolplan.roster import services
from poolplan.roster.models import Absence, AbsenceReason

from .conftest import audit_count

pytestmark = pytest.mark.django_db


def test_it_enters_an_absence_with_one_audit_row(small):
    before = audit_count()
    absence = services.absence_create(actor=small.actor, assistant=small.nurse,
                                      start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 2),
                                      reason=AbsenceReason.ILLNESS, reason_text="flu")
    assert audit_count() == before + 1
    assert absence.created_by == small.actor
    assert "flu" not in AuditEvent.objects.latest("id").summary


def test_it_records_a_child_absence_in_the_childs_trail(small):
    services.absence_create(actor=small.actor, child=small.child, start=dt.date(2026, 12, 1),
                            end=dt.date(2026, 12, 1), reason=AbsenceReason.ILLNESS)
    assert AuditEvent.objects.latest("id").child == small.child


@pytest.mark.parametrize("who", ["both", "none"])
def test_it_needs_exactly_one_person(small, who):
    people = ({"assistant": small.nurse, "child": small.child} if who == "both" else {})
    with pytest.raises(ValidationError) as error:
        services.absence_create(actor=small.actor, start=dt.date(2026, 12, 1),
                                end=dt.date(2026, 12, 1), reason=AbsenceReason.OTHER, **people)
    assert "assistant" in error.value.message_dict


def test_it_refuses_an_end_before_the_start(small):
    with pytest.raises(ValidationError) as error:
        services.absence_create(actor=small.actor, assistant=small.nurse,
                                start=dt.date(2026, 12, 2), end=dt.date(2026, 12, 1),
                                reason=AbsenceReason.ILLNESS)
    assert "end" in error.value.message_dict


def test_it_refuses_an_overlap_naming_the_existing_absence(small):
    services.absence_create(actor=small.actor, assistant=small.nurse, start=dt.date(2026, 12, 1),
                            end=dt.date(2026, 12, 4), reason=AbsenceReason.LEAVE)
    before = audit_count()
    with pytest.raises(ValidationError) as error:
        services.absence_create(actor=small.actor, assistant=small.nurse,
                                start=dt.date(2026, 12, 4), end=dt.date(2026, 12, 5),
                                reason=AbsenceReason.ILLNESS)
    message = error.value.message_dict["start"][0]
    assert "2026-12-01" in message and "2026-12-04" in message
    assert Absence.objects.count() == 1 and audit_count() == before


def test_it_allows_the_same_days_for_another_person(small):
    for assistant in (small.nurse, small.assistant):
        services.absence_create(actor=small.actor, assistant=assistant,
                                start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 1),
                                reason=AbsenceReason.TRAINING)
    assert Absence.objects.count() == 2


def test_it_updates_without_recording_the_reason_text(small):
    absence = services.absence_create(actor=small.actor, assistant=small.nurse,
                                      start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 1),
                                      reason=AbsenceReason.ILLNESS)
    before = audit_count()
    services.absence_update(actor=small.actor, absence=absence, end=dt.date(2026, 12, 3),
                            reason_text="doctor's note: migraine")
    changes = AuditEvent.objects.latest("id").changes
    assert changes["end"] == ["2026-12-01", "2026-12-03"]
    assert "migraine" not in str(changes)
    services.absence_delete(actor=small.actor, absence=absence)
    assert audit_count() == before + 2 and not Absence.objects.exists()


def test_it_refuses_an_update_into_an_overlap(small):
    services.absence_create(actor=small.actor, assistant=small.nurse, start=dt.date(2026, 12, 1),
                            end=dt.date(2026, 12, 1), reason=AbsenceReason.ILLNESS)
    later = services.absence_create(actor=small.actor, assistant=small.nurse,
                                    start=dt.date(2026, 12, 8), end=dt.date(2026, 12, 8),
                                    reason=AbsenceReason.ILLNESS)
    with pytest.raises(ValidationError):
        services.absence_update(actor=small.actor, absence=later, start=dt.date(2026, 12, 1))
    later.refresh_from_db()
    assert later.start == dt.date(2026, 12, 8)

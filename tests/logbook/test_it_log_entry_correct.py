import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from poolplan.accounts.models import AuditEvent
from poolplan.logbook import selectors, services
from poolplan.logbook.models import LogEntry
from tests.logbook.conftest import MONDAYS, NOVEMBER

TODAY = dt.date(2026, 11, 30)


def test_it_edits_in_place_before_signing(lb, log):
    entry = log()
    services.log_entry_update(actor=lb.user("coordinator"), entry=entry, end=dt.time(8, 30))
    entry.refresh_from_db()
    assert entry.duration_minutes == 30
    assert LogEntry.objects.count() == 1


def test_it_locks_key_fields_after_signing(lb, log):
    entry = log()
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=NOVEMBER)
    with pytest.raises(ValidationError) as error:
        services.log_entry_update(actor=lb.user("coordinator"), entry=entry,
                                  end=dt.time(8, 30))
    assert "Add a correction with a reason" in str(error.value)
    # The note is no key field: the proof does not show it.
    services.log_entry_update(actor=lb.user("coordinator"), entry=entry, note="Fixed typo.")


def test_it_corrects_with_a_new_audited_entry(lb, log):
    entry = log()
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=NOVEMBER)
    correction = services.log_entry_correct(actor=lb.user("coordinator"), entry=entry,
                                            reason="Ended early for a fire drill.",
                                            end=dt.time(8, 30))
    entry.refresh_from_db()
    assert entry.duration_minutes == 45  # the old entry is unchanged
    assert correction.supersedes == entry and correction.duration_minutes == 30
    assert AuditEvent.objects.filter(object_type="logentry", object_id=str(correction.pk),
                                     summary__contains="fire drill").exists()

    ledger = selectors.month_ledger(user=lb.user("coordinator"), child=lb.child,
                                    month=NOVEMBER, today=TODAY)
    [session] = ledger.sessions
    assert session.entry == correction and session.corrected_after_signing
    assert ledger.superseded == [entry]
    assert ledger.changed_since_signing
    assert ledger.total.delivered == 30


def test_it_refuses_a_correction_without_reason(lb, log):
    with pytest.raises(ValidationError):
        services.log_entry_correct(actor=lb.user("coordinator"), entry=log(), reason=" ")


def test_it_refuses_correcting_twice(lb, log):
    entry = log()
    services.log_entry_correct(actor=lb.user("coordinator"), entry=entry, reason="a",
                               end=dt.time(8, 30))
    with pytest.raises(ValidationError):
        services.log_entry_correct(actor=lb.user("coordinator"), entry=entry, reason="b",
                                   end=dt.time(8, 40))


def test_it_is_not_marked_when_corrected_before_signing(lb, log):
    services.log_entry_correct(actor=lb.user("coordinator"), entry=log(), reason="typo",
                               end=dt.time(8, 30))
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONDAYS[0])
    ledger = selectors.month_ledger(user=lb.user("coordinator"), child=lb.child,
                                    month=NOVEMBER, today=TODAY)
    assert not ledger.sessions[0].corrected_after_signing
    assert not ledger.changed_since_signing

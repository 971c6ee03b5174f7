import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from poolplan.accounts.models import AuditEvent
from poolplan.logbook import selectors, services
from poolplan.logbook.models import LogEntry
from tests.logbook.conftest import MONTH


def test_it_edits_in_place_before_signing(lb, log):
    entry = log()
    services.log_entry_update(actor=lb.user("coordinator"), entry=entry, end=dt.time(8, 30))
    entry.refresh_from_db()
    assert entry.duration_minutes == 30
    assert LogEntry.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="logentry", object_id=str(entry.pk),
                                     summary__startswith="Changed").exists()


def test_it_refuses_an_edit_made_on_an_older_version(lb, log):
    entry = log()
    version = services.log_entry_version(entry)
    services.log_entry_update(actor=lb.user("assistant"), entry=entry, version=version,
                              note="First.")
    with pytest.raises(services.EntryChanged):
        services.log_entry_update(actor=lb.user("coordinator"), entry=entry, version=version,
                                  end=dt.time(8, 30))
    entry.refresh_from_db()
    assert entry.duration_minutes == 45 and entry.note == "First."


def test_it_locks_key_fields_after_signing(lb, log):
    entry = log()
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    with pytest.raises(ValidationError) as error:
        services.log_entry_update(actor=lb.user("coordinator"), entry=entry,
                                  end=dt.time(8, 30))
    assert "Add a correction with a reason" in str(error.value)
    # The note is no key field: the proof does not show it.
    services.log_entry_update(actor=lb.user("coordinator"), entry=entry, note="Fixed typo.")


def test_it_refuses_moving_an_entry_into_a_signed_month(lb, log):
    entry = log()
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    later = log(MONTH + dt.timedelta(days=40))  # the month after: not signed
    with pytest.raises(ValidationError, match="is signed"):
        services.log_entry_update(actor=lb.user("coordinator"), entry=later, date=entry.date)


def test_it_corrects_with_a_new_audited_entry(lb, log):
    entry = log()
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    correction, created = services.log_entry_correct(
        actor=lb.user("coordinator"), entry=entry, reason="Ended early for a fire drill.",
        end=dt.time(8, 30))
    entry.refresh_from_db()
    assert created
    assert entry.duration_minutes == 45  # the old entry is unchanged
    assert correction.supersedes == entry and correction.duration_minutes == 30
    assert AuditEvent.objects.filter(object_type="logentry", object_id=str(correction.pk),
                                     summary__contains="fire drill").exists()

    ledger = selectors.month_ledger(user=lb.user("coordinator"), child=lb.child, month=MONTH)
    [session] = ledger.sessions
    assert session.entry == correction and session.corrected_after_signing
    assert ledger.superseded == [entry]
    assert ledger.changed_since_signing
    assert ledger.total.delivered == 30


def test_it_returns_the_first_correction_for_a_repeated_key(lb, log):
    entry = log()
    first, created = services.log_entry_correct(
        actor=lb.user("coordinator"), entry=entry, reason="Late start", idempotency_key="c-1",
        start=dt.time(8, 10))
    again, created_again = services.log_entry_correct(
        actor=lb.user("coordinator"), entry=entry, reason="Late start", idempotency_key="c-1",
        start=dt.time(8, 10))
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(services.IdempotencyConflict):
        services.log_entry_correct(actor=lb.user("coordinator"), entry=entry,
                                   reason="Other", idempotency_key="c-1", start=dt.time(8, 20))


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
    with pytest.raises(ValidationError):
        services.log_entry_update(actor=lb.user("coordinator"), entry=entry, note="c")


def test_it_is_not_marked_when_corrected_before_signing(lb, log):
    services.log_entry_correct(actor=lb.user("coordinator"), entry=log(), reason="typo",
                               end=dt.time(8, 30))
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    ledger = selectors.month_ledger(user=lb.user("coordinator"), child=lb.child, month=MONTH)
    assert not ledger.sessions[0].corrected_after_signing
    assert not ledger.changed_since_signing

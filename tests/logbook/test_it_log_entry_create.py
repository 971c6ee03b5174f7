import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from poolplan.accounts.models import AuditEvent
from poolplan.logbook import services
from poolplan.logbook.models import LogEntry, Presence, SupportKind
from tests.logbook.conftest import MONTH, MONTH_MONDAYS


def _create(lb, key="k-1", **changes):
    args = dict(actor=lb.user("assistant"), child=lb.child, assistant=lb.assistant,
                date=MONTH_MONDAYS[0], start=dt.time(8, 0), end=dt.time(8, 45),
                kind=SupportKind.LEARNING, idempotency_key=key)
    args.update(changes)
    return services.log_entry_create(**args)


def test_it_works(lb):
    entry, created = _create(lb, note="Worked on fractions.")
    assert created
    assert entry.delivered_minutes == 45
    assert entry.start.utcoffset() is not None
    assert AuditEvent.objects.filter(object_type="logentry", object_id=str(entry.pk)).exists()


def test_it_returns_the_first_entry_for_the_same_key(lb):
    first, created = _create(lb)
    again, created_again = _create(lb)
    assert created and not created_again
    assert again.pk == first.pk
    assert LogEntry.objects.count() == 1


def test_it_refuses_other_content_with_the_same_key(lb):
    _create(lb)
    with pytest.raises(services.IdempotencyConflict):
        _create(lb, end=dt.time(9, 0))
    assert LogEntry.objects.count() == 1


def test_it_survives_many_retries(lb):
    for _ in range(50):
        _create(lb, key="retry")
    assert LogEntry.objects.filter(idempotency_key="retry").count() == 1


def test_it_refuses_end_before_start(lb):
    with pytest.raises(ValidationError) as error:
        _create(lb, start=dt.time(9, 0), end=dt.time(8, 0))
    assert "end" in error.value.message_dict


def test_it_refuses_overlap_for_the_same_assistant(lb, log):
    log(start="08:00", end="08:45")
    with pytest.raises(ValidationError) as error:
        log(start="08:30", end="09:00", child=lb.child_6b)
    assert "two sessions at once" in str(error.value)


def test_it_allows_one_group_session_logged_per_child(lb, log):
    log(start="08:00", end="08:45", group=[lb.child_6b])
    log(start="08:00", end="08:45", child=lb.child_6b, group=[lb.child])
    assert LogEntry.objects.count() == 2


def test_it_allows_back_to_back_sessions(lb, log):
    log(start="08:00", end="08:45")
    log(start="08:45", end="09:30", child=lb.child_6b)


def test_it_ignores_overlap_of_absences(lb, log):
    log(start="08:00", end="08:45", presence=Presence.CHILD_ABSENT)
    log(start="08:00", end="08:45", child=lb.child_6b)


def test_it_refuses_an_assistant_outside_the_pool(lb):
    with pytest.raises(ValidationError) as error:
        _create(lb, assistant=lb.other_assistant)
    assert "assistant" in error.value.message_dict


def test_it_refuses_more_minutes_away_than_the_session(lb):
    with pytest.raises(ValidationError) as error:
        _create(lb, minutes_away=60)
    assert "minutes_away" in error.value.message_dict


def test_it_counts_real_minutes_across_the_dst_change(lb):
    # 25 Oct 2026, 01:30 to 03:30 local: clocks go back at 03:00, so 3 real hours pass.
    entry, _ = _create(lb, date=dt.date(2026, 10, 25), start=dt.time(1, 30),
                       end=dt.time(3, 30))
    assert entry.duration_minutes == 180


def test_it_refuses_new_entries_in_a_signed_month(lb):
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    with pytest.raises(ValidationError) as error:
        _create(lb)
    assert "correction" in str(error.value)

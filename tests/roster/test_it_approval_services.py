import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from poolplan.accounts.models import AuditEvent
from poolplan.roster import services
from poolplan.roster.models import Approval

from .conftest import audit_count

pytestmark = pytest.mark.django_db


def _approval(small, *, start, end, file_number="51-1"):
    return services.approval_create(actor=small.actor, child=small.child,
                                    funding_body=small.youth_office, file_number=file_number,
                                    minutes_per_week=900, valid_from=start, valid_to=end,
                                    max_ratio=2)


def test_it_creates_an_approval_with_one_audit_row(small):
    before = audit_count()
    approval = _approval(small, start=dt.date(2026, 8, 1), end=dt.date(2027, 7, 31))
    assert audit_count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.child == small.child
    assert event.object_id == str(approval.pk)
    assert event.changes["minutes_per_week"] == [None, 900]


def test_it_refuses_overlapping_approvals_naming_the_other(small):
    _approval(small, start=dt.date(2026, 8, 1), end=dt.date(2027, 1, 31), file_number="A-1")
    before = audit_count()
    with pytest.raises(ValidationError) as error:
        _approval(small, start=dt.date(2027, 1, 31), end=dt.date(2027, 7, 31),
                  file_number="A-2")
    message = error.value.message_dict["valid_from"][0]
    assert "A-1" in message and "2026-08-01" in message and "2027-01-31" in message
    assert Approval.objects.count() == 1
    assert audit_count() == before


def test_it_allows_successive_approvals(small):
    _approval(small, start=dt.date(2026, 8, 1), end=dt.date(2027, 1, 31), file_number="A-1")
    _approval(small, start=dt.date(2027, 2, 1), end=dt.date(2027, 7, 31), file_number="A-2")
    assert small.child.approvals.count() == 2


def test_it_refuses_an_end_before_the_start(small):
    with pytest.raises(ValidationError) as error:
        _approval(small, start=dt.date(2027, 1, 1), end=dt.date(2026, 12, 31))
    assert "valid_to" in error.value.message_dict


def test_it_refuses_an_update_into_an_overlap_and_keeps_the_old_dates(small):
    _approval(small, start=dt.date(2026, 8, 1), end=dt.date(2027, 1, 31), file_number="A-1")
    second = _approval(small, start=dt.date(2027, 2, 1), end=dt.date(2027, 7, 31),
                       file_number="A-2")
    with pytest.raises(ValidationError):
        services.approval_update(actor=small.actor, approval=second,
                                 valid_from=dt.date(2027, 1, 1))
    second.refresh_from_db()
    assert second.valid_from == dt.date(2027, 2, 1)


def test_it_updates_and_deletes_with_audit_rows(small):
    approval = _approval(small, start=dt.date(2026, 8, 1), end=dt.date(2027, 7, 31))
    before = audit_count()
    services.approval_update(actor=small.actor, approval=approval, minutes_per_week=1000)
    assert AuditEvent.objects.latest("id").changes == {"minutes_per_week": [900, 1000]}
    services.approval_delete(actor=small.actor, approval=approval)
    assert audit_count() == before + 2
    assert AuditEvent.objects.latest("id").child == small.child
    assert not Approval.objects.exists()


def test_it_writes_no_audit_row_for_an_update_that_changes_nothing(small):
    approval = _approval(small, start=dt.date(2026, 8, 1), end=dt.date(2027, 7, 31))
    before = audit_count()
    services.approval_update(actor=small.actor, approval=approval, minutes_per_week=900)
    assert audit_count() == before

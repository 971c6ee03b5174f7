import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from poolplan.accounts.models import AuditEvent
from poolplan.logbook import services
from poolplan.logbook.models import MonthSignature
from tests.logbook.conftest import MONTH


def test_it_signs_with_signer_time_and_hash(lb, log):
    entry = log()
    signature = services.month_sign(actor=lb.user("coordinator"), child=lb.child,
                                    month=MONTH + dt.timedelta(days=16))
    assert signature.month == MONTH and signature.signed_by == lb.user("coordinator")
    assert signature.content_hash == services.entries_content_hash([entry])
    assert AuditEvent.objects.filter(object_type="monthsignature").exists()


def test_it_refuses_signing_twice(lb):
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    with pytest.raises(ValidationError, match="already signed"):
        services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    assert MonthSignature.objects.count() == 1


def test_it_refuses_a_month_that_has_not_begun(lb):
    with pytest.raises(ValidationError, match="has not begun"):
        services.month_sign(actor=lb.user("coordinator"), child=lb.child,
                            month=dt.date(2099, 1, 1))

"""The permission world of tests/factories.py, set up for the log book: the school has lessons
on Monday only (so a week's approval is due on its Monday), the child's approval of 900
minutes a week (ratio up to 1:2) covers November 2026 and the month before today, and `log`
logs through the real service.

Two calendars: NOVEMBER and MONDAYS are fixed (November 2026: five Mondays, a Sunday week part
on the 1st) for the ledger's date arithmetic, whose tests pass `today=`. Signing needs a month
that has begun, so tests that sign, or go through pages and the API, which use the real
today, take MONTH and MONTH_MONDAYS: the month before today, whatever day the suite runs."""

import datetime as dt
import itertools

import pytest

from poolplan.logbook import services
from poolplan.logbook.models import Presence, SupportKind
from poolplan.roster.models import Assistant
from tests import dates
from tests.api.conftest import ApiClient, api, assert_error, assert_refused, world  # noqa: F401

NOVEMBER = dt.date(2026, 11, 1)
# The Mondays of November 2026: 2, 9, 16, 23, 30.
MONDAYS = [dt.date(2026, 11, d) for d in (2, 9, 16, 23, 30)]
MONTH = dates.previous_month()
MONTH_MONDAYS = dates.mondays_of(MONTH)
MONTH_TEXT = f"{MONTH:%Y-%m}"
_keys = itertools.count(1)


@pytest.fixture
def lb(world):  # noqa: F811 - the fixture imported above
    approval = world.child.approvals.get()
    approval.valid_from = min(NOVEMBER, MONTH)
    approval.valid_to = max(approval.valid_to, dt.date(2027, 7, 31))
    approval.save()
    world.child.first_name, world.child.last_name = "Jürgen", "Müßig-Öztürk"
    world.child.save()
    world.colleague = Assistant.objects.create(provider=world.provider, first_name="Özlem",
                                               last_name="Şahin", contract_minutes_per_week=1200)
    world.colleague.schools.set([world.school])
    return world


@pytest.fixture
def log(lb):
    def make(day=MONTH_MONDAYS[0], start="08:00", end="08:45", *, child=None, assistant=None,
             actor=None, presence=Presence.PRESENT, kind=SupportKind.LEARNING, group=(),
             key=None, **extra):
        entry, _created = services.log_entry_create(
            actor=actor or lb.user("assistant"), child=child or lb.child,
            assistant=assistant or lb.assistant, date=day,
            start=dt.time.fromisoformat(start), end=dt.time.fromisoformat(end), kind=kind,
            presence=presence, group=group, idempotency_key=key or f"key-{next(_keys)}",
            **extra)
        return entry

    return make

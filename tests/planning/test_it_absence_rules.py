"""absence_create refuses what issue 4 names: overlapping, ending before it starts, and lying
in the past beyond the current week (service and POST /api/absences)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from poolplan.roster.services import absence_check_not_past, absence_create
from tests.api.conftest import assert_error


def test_the_current_week_is_allowed_and_earlier_weeks_are_refused():
    today = dt.date(2026, 11, 25)  # a Wednesday
    absence_check_not_past(end=dt.date(2026, 11, 23), today=today)  # this week's Monday
    with pytest.raises(ValidationError, match="past"):
        absence_check_not_past(end=dt.date(2026, 11, 22), today=today)


def test_it_refuses_past_absences(world):
    last_week = timezone.localdate() - dt.timedelta(days=8)
    with pytest.raises(ValidationError) as error:
        absence_create(actor=None, assistant=world.assistant, start=last_week, end=last_week)
    assert "end" in error.value.message_dict


def test_it_refuses_overlaps_and_reversed_dates(world):
    today = timezone.localdate()
    absence_create(actor=None, assistant=world.assistant, start=today, end=today)
    with pytest.raises(ValidationError, match="overlaps"):
        absence_create(actor=None, assistant=world.assistant, start=today, end=today)
    with pytest.raises(ValidationError, match="end on or after"):
        absence_create(actor=None, assistant=world.assistant, start=today,
                       end=today - dt.timedelta(days=1))


def test_the_api_refuses_past_absences(api, world):
    last_week = (timezone.localdate() - dt.timedelta(days=8)).isoformat()
    response = api("coordinator").post("/absences", {"assistant": world.assistant.pk,
                                                     "start": last_week, "end": last_week})
    assert "end" in assert_error(response, 422)["details"]

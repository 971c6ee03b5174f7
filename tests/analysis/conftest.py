"""Fixtures of the needs-analysis tests: the permission world of tests/factories.py, tasks run
at once (Django's ImmediateBackend), and parameters small enough to simulate in a moment."""

import pytest
from django.test import Client

from tests import dates
from tests.factories import make_world


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture(autouse=True)
def _runs_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SIMULATION_SIZING_RUNS = 10


def week() -> str:
    """A week of the current school year: the world's approvals cover it."""
    return dates.iso_week(dates.school_week())


def small(**changes) -> dict:
    """Run parameters of a quick simulation (shares as fractions, as the form gives them)."""
    return {"runs": 20, "days": 10, "absence": 0.15, "child_absence": 0.07, "extra": None,
            "hourly_rate": 35.0, "target": 0.9, "seed": 1, **changes}


def form_data(**changes) -> dict:
    """The page's form as a person fills it (per cent)."""
    return {"week": week(), "runs": "20", "days": "10", "absence": "15", "child_absence": "7",
            "extra": "", "hourly_rate": "35", "target": "90", "seed": "1", **changes}


def client_for(user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    if user is not None:
        client.force_login(user)
    return client

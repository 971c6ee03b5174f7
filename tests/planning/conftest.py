import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import translation

# The API tests of planning use the permission world and token clients of tests/api.
from tests.api.conftest import api, world  # noqa: F401


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    """The demo schools, loaded once per module (it takes seconds) inside a transaction that
    is rolled back at the end; each test's own transaction nests in it as a savepoint. Tests
    of the same module that make their own rows must not clash with the demo's (skills are
    shared: get_or_create them)."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                             DEMO_MODE=True)
    with django_db_blocker.unblock(), fast, transaction.atomic():
        call_command("demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded, db):
    """The demo schools (module-scoped load, rolled back after the module)."""


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the site default (LANGUAGE_CODE) is German."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _solves_run_at_once(settings):
    """Solves run inside the request (Django's ImmediateBackend), with small time limits: tests
    assert validity and properties, never objective values that depend on the limits."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.PLANNER_TIME_LIMIT = 4
    settings.PLANNER_PROPOSAL_TIME_LIMIT = 4

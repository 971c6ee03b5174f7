"""Fixtures shared by all tests.

Databases: pytest-django takes DATABASES from poolplan.settings. The test runner
(scripts/run_tests.py, `make test`) runs the suite on SQLite (in memory) and again with
DATABASE_URL pointing at PostgreSQL, where the test database is named by POOLPLAN_TEST_DB_NAME
(unique per run); pytest-django appends the xdist worker id (..._gw0, _gw1), so `-n 2` works
on PostgreSQL too.
"""

import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_EXAMPLES_DIR = PROJECT_DIR.parent / "shared" / "examples"

# A 2-core machine running two xdist workers beside a solver cannot promise hypothesis's
# 200 ms deadline; in CI the examples are derandomized so that a run can be repeated exactly.
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.register_profile(
    "ci", deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile(
    os.getenv("HYPOTHESIS_PROFILE") or ("ci" if os.getenv("CI") else "dev")
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's real iteration count costs ~0.3 s per user on this machine; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_unless_asked(settings, monkeypatch):
    """Tests assert the English source sentences; the site's default language is German.
    A request that sends Accept-Language (every browser test does: de-DE) or the language
    cookie still gets its language, so the German pages are tested where a test asks for them.
    Subprocesses (manage.py commands, uvicorn servers) inherit English through the environment."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    monkeypatch.setenv("LANGUAGE_CODE", "en")
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _keep_the_test_transactions_connection():
    """A test runs inside a transaction on one database connection. Django's request signals
    close a connection that is not in autocommit mode, which ends that transaction: Django's
    test Client switches them off around each of its requests (and on again after it), but
    callers of the WSGI app itself (schemathesis) do not. On SQLite in memory the close is a
    no-op; on PostgreSQL it killed the test's connection ("the connection is closed"). So each
    test starts with them off."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The shared example instances (../shared/examples beside the repository)."""
    if not SHARED_EXAMPLES_DIR.is_dir():
        pytest.fail(f"The shared examples are missing: expected {SHARED_EXAMPLES_DIR} "
                    "(the shared/ folder beside the repository).")
    return SHARED_EXAMPLES_DIR


@pytest.fixture
def demo_data(db):
    """The demo schools, children and logins (password "demo"), loaded through the real
    `manage.py demo` command. (tests/browser overrides it for the live server's database.)"""
    from django.core.management import call_command

    call_command("demo", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the live board keeps its dispatch suggestions
    there, keyed by card versions that repeat from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

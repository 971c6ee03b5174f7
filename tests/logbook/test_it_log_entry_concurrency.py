"""Concurrent retries of the same idempotency key never create duplicates (PostgreSQL).

Real transactions on real connections: threads (each its own database connection) submit
the same new entries at the same moment, then 10,000 retries in random order. Every entry
must exist exactly once and every submit of it must return that one row. SQLite serialises
writers, so this runs in the PostgreSQL part of `make test` (marker `postgresql`).
"""

import datetime as dt
import random
import threading

import pytest
from django.db import connection, connections

from poolplan.logbook import services
from poolplan.logbook.models import LogEntry, SupportKind
from tests.logbook.conftest import MONTH

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

THREADS = 8
ENTRIES = 40
RETRIES = 10_000


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the postgresql part of `make test`)")


def _entry(i: int) -> dict:
    start = dt.time(7 + (i % 10), 0)
    return {"date": MONTH + dt.timedelta(days=i // 10), "start": start,
            "end": dt.time(start.hour, 45), "kind": SupportKind.LEARNING,
            "idempotency_key": f"offline-{i}", "note": f"Session {i}"}


def _run_threads(work) -> list:
    errors = []

    def target(number):
        try:
            work(number)
        except Exception as error:  # reported below, not swallowed
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def test_concurrent_retries_of_a_key_leave_one_row(lb, monkeypatch):
    actor, child, assistant = lb.user("assistant"), lb.child, lb.assistant
    inserts = []
    save = LogEntry.save

    def counted_save(self, *args, **kwargs):
        if self.pk is None:
            inserts.append(self.idempotency_key)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(LogEntry, "save", counted_save)
    results: dict[int, set[int]] = {i: set() for i in range(ENTRIES)}
    created: dict[int, int] = {i: 0 for i in range(ENTRIES)}
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def submit(i: int) -> None:
        entry, was_created = services.log_entry_create(actor=actor, child=child,
                                                       assistant=assistant, **_entry(i))
        with lock:
            results[i].add(entry.pk)
            created[i] += was_created

    def first_submits(_number):
        # Every thread sends every entry at the same moment (the offline phone's re-send
        # racing the original request).
        for i in range(ENTRIES):
            barrier.wait(timeout=60)
            submit(i)

    assert _run_threads(first_submits) == []
    # The race happened: more inserts were tried than rows exist (the unique index refused
    # the losers, who returned the winner's row).
    assert len(inserts) > ENTRIES

    rng = random.Random(20261123)
    order = [rng.randrange(ENTRIES) for _ in range(RETRIES)]

    def retries(number):
        for i in order[number::THREADS]:
            submit(i)

    assert _run_threads(retries) == []
    assert LogEntry.objects.count() == ENTRIES
    for i in range(ENTRIES):
        assert len(results[i]) == 1, f"entry {i} answered with rows {results[i]}"
        assert created[i] == 1, f"entry {i} was created {created[i]} times"
        assert LogEntry.objects.filter(idempotency_key=f"offline-{i}").count() == 1

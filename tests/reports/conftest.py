"""The permission world of tests/factories.py with what the exports read: a published plan of
next week (and a newer draft that must not leak into exports), log entries of last month, card
events, and names with umlauts that must survive every format."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import timezone

from poolplan.board.models import CardColour, CardEvent, CardEventKind, CardSource
from poolplan.logbook import services as logbook_services
from poolplan.logbook.models import Presence, SupportKind
from poolplan.planning.models import Assignment, Plan, PlanStatus
from poolplan.planning.weeks import iso_week_label
from poolplan.roster.models import Period
from tests import dates
from tests.api.conftest import ApiClient, api, assert_error, assert_refused, world  # noqa: F401

WEEK_MONDAY = dates.next_monday()
WEEK = iso_week_label(WEEK_MONDAY)
LAST_MONTH = (dates.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
LAST_MONTH_TEXT = f"{LAST_MONTH:%Y-%m}"


def first_monday(month: dt.date) -> dt.date:
    return month + dt.timedelta(days=(7 - month.weekday()) % 7)


@pytest.fixture
def rx(world):  # noqa: F811 - the fixture imported above
    """The world with umlauts, a published plan of WEEK and a log entry of LAST_MONTH."""
    world.assistant.first_name, world.assistant.last_name = "Jörg", "Weiß-Özdemir"
    world.assistant.save()
    world.child.first_name, world.child.last_name = "Jürgen", "Müßig"
    world.child.save()
    approval = world.child.approvals.get()
    approval.valid_from = min(approval.valid_from, LAST_MONTH)
    approval.save()
    period = Period.objects.get(school=world.school, weekday=1, label="1")
    instance = {"children": [{"id": str(world.child.pk), "location": {"mon-1": "Raum Ü1"}},
                             {"id": str(world.child_6b.pk), "location": {"mon-1": "Raum Ü1"}}]}
    world.plan = Plan.objects.create(
        school=world.school, week=WEEK, monday=WEEK_MONDAY, version=1,
        status=PlanStatus.PUBLISHED, instance=instance, document={}, published_at=timezone.now())
    for child in (world.child, world.child_6b):
        Assignment.objects.create(plan=world.plan, slot="mon-1", date=WEEK_MONDAY,
                                  period=period, assistant=world.assistant, child=child)
    draft = Plan.objects.create(school=world.school, week=WEEK, monday=WEEK_MONDAY, version=2,
                                instance=instance, document={})
    Assignment.objects.create(plan=draft, slot="mon-1", date=WEEK_MONDAY, period=period,
                              assistant=world.other_assistant, child=world.child)
    world.entry, _created = logbook_services.log_entry_create(
        actor=world.user("assistant"), child=world.child, assistant=world.assistant,
        date=first_monday(LAST_MONTH), start=dt.time(8, 0), end=dt.time(8, 45),
        kind=SupportKind.LEARNING, presence=Presence.PRESENT, group=[world.child_6b],
        note="Hat die Übung allein gelöst.", idempotency_key="reports-1")
    CardEvent.objects.create(child=world.child, school=world.school, kind=CardEventKind.SET,
                             colour=CardColour.RED, previous_colour=CardColour.GREEN,
                             at=timezone.now(), source=CardSource.TEACHER,
                             actor=world.user("teacher"))
    return world


def pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    path = tmp_path / "export.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def read_csv(content: bytes) -> list[list[str]]:
    """As German Excel reads it: a UTF-8 byte order mark, then `;`-separated rows."""
    import csv
    import io

    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline=""),
                           delimiter=";"))


def read_xlsx(content: bytes) -> list[list]:
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]

"""`manage.py export_instance`: a school's week as a poolplan-instance/1 document on standard
output or in a file; a one-line error for an unknown school or a bad week."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from poolplan.planner import load_instance
from poolplan.planning.services import instance_build
from poolplan.roster.demo_data import COMPREHENSIVE
from poolplan.roster.models import School
from tests.dates import iso_week, school_week

pytestmark = pytest.mark.django_db

# A week of the current school year, whole: the demo's approvals cover it (tests/dates.py).
WEEK = iso_week(school_week())


@pytest.fixture
def school(demo) -> School:
    return School.objects.get(name=COMPREHENSIVE)


def _export(*args) -> str:
    out = io.StringIO()
    call_command("export_instance", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_instance_to_standard_output(school):
    text = _export("--school", str(school.pk), "--week", WEEK)
    assert text.startswith('{\n  "format": "poolplan-instance/1",\n  "name": "Gesamtschule')
    doc = json.loads(text)
    assert doc == instance_build(school=school, week=WEEK)
    # Keys in the order of spec/planning.md, the same on every run: exports diff cleanly.
    assert list(doc) == ["format", "name", "slots", "assistants", "children", "pinned",
                         "previous"]
    assert text == _export("--school", str(school.pk), "--week", WEEK)
    instance = load_instance(doc)
    assert (len(instance.slots), len(instance.children), len(instance.assistants)) == (40, 15, 7)


def test_it_writes_a_file_with_out(school, tmp_path):
    target = tmp_path / "week48.json"
    message = _export("--school", str(school.pk), "--week", WEEK, "--out", str(target))
    assert message.strip() == f"Wrote {target}: 40 slots, 15 children, 7 assistants."
    assert json.loads(target.read_text(encoding="utf-8")) == instance_build(
        school=school, week=WEEK)


def test_it_rejects_an_unknown_school_in_one_line(school):
    with pytest.raises(CommandError) as raised:
        _export("--school", "999999", "--week", WEEK)
    message = str(raised.value)
    assert message.startswith("There is no school with id 999999; choose one of: ")
    assert f"{school.pk} ({COMPREHENSIVE})" in message
    assert "\n" not in message


@pytest.mark.parametrize(("week", "message"), [
    ("2026-W54", "2026 has 53 ISO weeks"),
    ("48", "is not an ISO week"),
])
def test_it_rejects_a_bad_week_in_one_line(school, week, message):
    with pytest.raises(CommandError, match=message) as raised:
        _export("--school", str(school.pk), "--week", week)
    assert "\n" not in str(raised.value)


def test_it_reports_a_file_it_cannot_write(school, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        _export("--school", str(school.pk), "--week", WEEK,
                "--out", str(tmp_path / "missing-folder" / "week.json"))

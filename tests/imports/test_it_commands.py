"""`import_timetable` and `import_people`: summary and problems, exit 1 writing nothing."""

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from poolplan.roster.models import Child, FundingBody, SchoolClass, TimetableEntry
from tests.imports.conftest import LESSONS, gpu_bytes
from tests.imports.test_it_imports_people import CHILDREN, csv_bytes

pytestmark = pytest.mark.django_db


def call(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_timetable(school, tmp_path):
    gpu001 = tmp_path / "GPU001.TXT"
    gpu001.write_bytes(gpu_bytes(LESSONS, encoding="cp1252", crlf=True))
    gpu005 = tmp_path / "GPU005.TXT"
    gpu005.write_bytes(gpu_bytes([("Aula", "Aula")]))
    out, _err = call("import_timetable", "--school", str(school.pk), str(gpu001), str(gpu005))
    assert "create  class 5a: new class" in out
    assert "Imported." in out
    assert TimetableEntry.objects.filter(school_class__school=school).count() == 8
    out, _err = call("import_timetable", "--school", str(school.pk), str(gpu001), str(gpu005))
    assert "0 created, 0 updated" in out


def test_it_writes_nothing_in_a_dry_run(school, tmp_path):
    gpu001 = tmp_path / "GPU001.TXT"
    gpu001.write_bytes(gpu_bytes(LESSONS))
    out, _err = call("import_timetable", "--school", str(school.pk), str(gpu001), "--dry-run")
    assert "Dry run: nothing was written." in out
    assert not SchoolClass.objects.filter(school=school).exists()


def test_it_fails_with_problems_and_writes_nothing(school, tmp_path):
    gpu001 = tmp_path / "GPU001.TXT"
    gpu001.write_bytes(gpu_bytes([*LESSONS, (9, "5a", "X", "D", "R1", 2, 11, "")]))
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_timetable", "--school", str(school.pk), str(gpu001),
                     stdout=out, stderr=err)
    assert ("problem: GPU001.TXT, line 9, column 7 (period): period 11 does not exist in the "
            "bell schedule on Tuesday") in err.getvalue()
    assert not SchoolClass.objects.filter(school=school).exists()


def test_it_imports_people(school, tmp_path):
    SchoolClass.objects.create(school=school, name="5a")
    SchoolClass.objects.create(school=school, name="5b")
    FundingBody.objects.create(name="Jugendamt Nord")
    path = tmp_path / "children.csv"
    rows = [[c for i, c in enumerate(row) if i != 6] for row in CHILDREN]  # no skills column
    path.write_bytes(csv_bytes(rows))
    out, _err = call("import_people", "--school", str(school.pk), str(path))
    assert "Imported." in out and Child.objects.count() == 2
    path.write_bytes(csv_bytes([rows[0], ["9z", *rows[1][1:]]]))
    with pytest.raises(CommandError):
        call("import_people", "--school", str(school.pk), str(path))


def test_it_refuses_an_unknown_school_or_file(school, tmp_path):
    with pytest.raises(CommandError, match="No school has the id"):
        call("import_people", "--school", "999999", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="no such file"):
        call("import_people", "--school", str(school.pk), str(tmp_path / "x.csv"))


def test_it_exits_1_from_the_shell(tmp_path):
    """Exit codes as a script sees them: a real process on a database of its own."""
    import os

    env = {**os.environ, "POOLPLAN_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    path = tmp_path / "GPU001.TXT"
    path.write_bytes(gpu_bytes(LESSONS))
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    subprocess.run([*manage, "shell", "-c",
                    "from poolplan.roster.models import *; import datetime as d; "
                    "p = Provider.objects.create(name='P'); "
                    "s = School.objects.create(pk=7, provider=p, name='S'); "
                    "Period.objects.create(school=s, weekday=1, label='1', "
                    "start=d.time(8), end=d.time(9))"], env=env, check=True, timeout=120)
    command = [*manage, "import_timetable", "--school", "7", str(path)]
    failed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1, failed.stderr
    assert "does not exist in the bell schedule" in failed.stderr
    dry = subprocess.run([*manage, "import_timetable", "--school", "7", "--dry-run", str(path)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert dry.returncode == 1
    path.write_bytes(gpu_bytes([LESSONS[0]]))
    ok = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr

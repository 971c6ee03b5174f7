"""The test runner behind `make test` (scripts/run_tests.py): a part that cannot run is named
at the end, and fails the run under POOLPLAN_REQUIRE_ALL=1; pytest's "no tests" is a failure."""

import importlib.util
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).resolve().parent.parent / "scripts" / "run_tests.py"


@pytest.fixture
def runner(monkeypatch):
    spec = importlib.util.spec_from_file_location("poolplan_run_tests", RUNNER)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


def fake_part(runner, name, status, counts=None, reason=""):
    def run(extra):
        return runner.Part(name, status=status, detail=f"{name} detail",
                           counts=counts or {}, skip_reason=reason)
    return run


@pytest.fixture
def parts(runner, monkeypatch):
    def set_parts(sqlite="passed", postgresql="passed", browser="passed"):
        monkeypatch.setattr(runner, "part_sqlite", fake_part(
            runner, "sqlite", sqlite, {"passed": 10, "skipped": 1}))
        monkeypatch.setattr(runner, "part_postgresql", fake_part(
            runner, "postgresql", postgresql, {"passed": 8}))
        monkeypatch.setattr(runner, "part_browser", fake_part(
            runner, "browser", browser, {} if browser == "skipped" else {"passed": 3},
            reason="browser tests — install Debian's chromium (apt-get install chromium)"))
    return set_parts


def test_it_passes_when_every_part_passes(runner, parts, monkeypatch, capsys):
    monkeypatch.delenv("POOLPLAN_REQUIRE_ALL", raising=False)
    parts()
    assert runner.main(["run_tests.py"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        "tests: 21 passed, 0 failed, 1 skipped")


def test_it_names_a_skipped_part_at_the_end(runner, parts, monkeypatch, capsys):
    monkeypatch.delenv("POOLPLAN_REQUIRE_ALL", raising=False)
    parts(browser="skipped")
    assert runner.main(["run_tests.py"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "SKIPPED: browser tests — install Debian's chromium (apt-get install chromium)" in (
        lines[-3:])


def test_it_fails_a_skipped_part_when_all_are_required(runner, parts, monkeypatch, capsys):
    monkeypatch.setenv("POOLPLAN_REQUIRE_ALL", "1")
    parts(browser="skipped")
    assert runner.main(["run_tests.py"]) == 1
    assert "POOLPLAN_REQUIRE_ALL=1" in capsys.readouterr().out


def test_it_fails_when_one_part_fails(runner, parts, monkeypatch):
    monkeypatch.delenv("POOLPLAN_REQUIRE_ALL", raising=False)
    parts(postgresql="failed")
    assert runner.main(["run_tests.py"]) == 1


def test_it_treats_no_collected_tests_as_a_failure(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "ROOT", tmp_path)
    (tmp_path / "test_nothing.py").write_text("x = 1\n")
    part = runner.Part("empty")
    runner.run_pytest(part, ["-p", "no:django", "-p", "no:cacheprovider", "-q",
                             str(tmp_path)], {"PATH": "/usr/bin:/bin"})
    assert part.status == "failed"
    assert "no tests were collected" in part.detail


def test_it_reads_the_counts_from_pytests_closing_line(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "ROOT", tmp_path)
    (tmp_path / "test_some.py").write_text(
        "import pytest\n"
        "def test_a(): pass\n"
        "def test_b(): assert False\n"
        "@pytest.mark.skip(reason='x')\n"
        "def test_c(): pass\n"
    )
    part = runner.Part("some")
    runner.run_pytest(part, ["-p", "no:django", "-p", "no:cacheprovider", "-q",
                             str(tmp_path)], {"PATH": "/usr/bin:/bin"})
    assert part.status == "failed"
    assert part.counts == {"passed": 1, "failed": 1, "skipped": 1}


def test_it_finds_a_python_of_at_least_3_12():
    import subprocess

    result = subprocess.run(["bash", str(RUNNER.parent / "find_python.sh")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    found = result.stdout.strip()
    version = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2] >= (3, 12))"],
                             capture_output=True, text=True, timeout=60)
    assert version.stdout.strip() == "True"
    assert sys.version_info >= (3, 12)

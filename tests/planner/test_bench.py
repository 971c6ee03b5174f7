"""bench/planner.py's output formats (the issue fixes the --json keys). Its figures depend on
the machine and are never asserted; a short time limit keeps the run to a few seconds."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "planner.py"
SCHOOLS = [
    "primary-school",
    "comprehensive-school",
    "comprehensive-school-sick-tuesday",
    "generated 6/3",
    "generated 15/7",
    "generated 26/12",
]
LEVELS = ["individual_need_gap", "entitlement_shortfall", "changes"]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_planner", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(bench, monkeypatch, capsys, *args):
    monkeypatch.setattr(
        sys,
        "argv",
        ["planner.py", "--skip-district", "--time-limit", "0.5", "--workers", "2"] + list(args),
    )
    assert bench.main() == 0
    return capsys.readouterr().out.splitlines()


def test_it_prints_one_json_object_per_row_for_the_planner_and_the_baseline(
    bench, monkeypatch, capsys
):
    rows = [json.loads(line) for line in run(bench, monkeypatch, capsys, "--json")]
    assert [(r["instance"], r["method"]) for r in rows] == [
        (name, method) for name in SCHOOLS for method in ("cpsat", "greedy")
    ]
    for ours, greedy in zip(rows[::2], rows[1::2], strict=True):
        for row in (ours, greedy):
            assert set(row) == {"instance", "method", "status", "levels", "bounds", "seconds"}
            assert list(row["levels"]) == LEVELS
        assert list(ours["bounds"]) == LEVELS
        assert all(ours["bounds"][k] <= ours["levels"][k] for k in LEVELS)
        assert greedy["bounds"] is None  # the baseline proves nothing
        # The greedy plan is the planner's first incumbent: never worse, lexicographically.
        assert [ours["levels"][k] for k in LEVELS] <= [greedy["levels"][k] for k in LEVELS]


def test_it_prints_a_table_with_levels_bounds_and_the_baseline(bench, monkeypatch, capsys):
    lines = run(bench, monkeypatch, capsys)
    assert lines[0].split() == [
        "instance",
        "status",
        "L1",
        "(bound)",
        "L2",
        "(bound)",
        "L3",
        "(bound)",
        "gap",
        "s",
        "s",
        "L1-3",
        "greedy",
        "L1/L2/L3",
    ]
    assert set(lines[1]) == {"-"}
    assert [line[:62].rstrip() for line in lines[2:]] == SCHOOLS
    sick = lines[2 + SCHOOLS.index("comprehensive-school-sick-tuesday")].split()
    # L1 (bound) L2 (bound) L3 (bound), a gap in per cent, and the greedy levels a/b/c.
    assert sick[2].isdigit() and sick[3].startswith("(") and sick[-4].endswith("%")
    assert len(sick[-1].split("/")) == 3

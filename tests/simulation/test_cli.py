"""`poolplan simulate` and `poolplan size`: tables, JSON rows, and bad input (exit 2, one
line per problem naming its JSON path or option, never a traceback)."""

import json

from poolplan.cli import main

from .conftest import EXAMPLES

PRIMARY = str(EXAMPLES / "primary-school.json")


def test_simulate_prints_the_comparison(capsys):
    assert main(["simulate", PRIMARY, "--runs", "20", "--days", "30", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Primary school (6 children, 3 assistants): 20 school years of 30 "
                          "days, seed 1")
    header = next(line for line in out.splitlines() if "one-to-one" in line)
    assert header.split() == ["one-to-one", "pool", "pool+k"]
    for label in ("child-days with support", "approved minutes delivered on the day",
                  "make-up debt at year end (hours, all children)",
                  "idle assistant minutes per week (all assistants)",
                  "distinct assistants per child over the year",
                  "cost per hour of support delivered (EUR)"):
        assert label in out


def test_simulate_prints_one_json_row_per_policy(capsys):
    assert main(["simulate", PRIMARY, "--runs", "10", "--days", "20", "--json",
                 "--policy", "pool", "--policy", "one-to-one", "--rate", "30",
                 "--rate", "nursing=40"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["policy"] for r in rows] == ["one-to-one", "pool"]
    for row in rows:
        assert {"instance", "policy", "runs", "seconds", "approved_delivered",
                "child_days_supported", "debt_hours", "cost_per_hour"} <= set(row)
        assert row["runs"] == 10
        assert set(row["approved_delivered"]) == {"mean", "low", "high"}
    # a2 is the primary school's only nursing assistant: 40 EUR; a1 and a3 30 EUR.
    pool = rows[1]
    assert pool["cost_per_year"] == round((1500 * 30 + 1550 * 40 + 1200 * 30) / 60 * 4, 2)


def test_the_same_seed_prints_the_same_figures(capsys):
    args = ["simulate", PRIMARY, "--runs", "10", "--days", "20", "--json", "--seed", "4"]
    main(args)
    first = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    main(args)
    again = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    strip = lambda rows: [{k: v for k, v in r.items() if k != "seconds"} for r in rows]  # noqa
    assert strip(first) == strip(again)


def test_size_prints_the_smallest_pool_and_the_fixed_persons(capsys):
    assert main(["size", PRIMARY, "--runs", "15", "--days", "30", "--target", "0.8"]) == 0
    out = capsys.readouterr().out
    assert "smallest pool with every approval met in at least 80 % of the weeks" in out
    assert "Smallest pool:" in out
    assert "Children who should keep a fixed person:" in out and "c3: fixed persons" in out


def test_size_prints_json(capsys):
    assert main(["size", PRIMARY, "--runs", "10", "--days", "20", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["instance"].startswith("Primary school") and "answer" in doc and "fixed" in doc


def test_bad_input_exits_2_with_one_line_per_problem(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({
        "format": "poolplan-instance/1",
        "slots": [{"id": "mon-1", "day": "mon", "start": "08:00", "end": "08:45"}],
        "assistants": [],
        "children": [{"id": "c1", "max_ratio": 1, "needs": {"mon-9": 1}}],
    }))
    code = main(["simulate", str(bad), "--runs", "0", "--absence", "1.5", "--rate", "x=y"])
    assert code == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{bad}: children[0].needs.mon-9: unknown slot",
        "--rate[0]: must be EUR per hour or SKILL=EUR, got 'x=y'",
        "--runs: must be at least 1, got 0",
        "--absence: must be at least 0 and below 1, got 1.5",
    ]


def test_unreadable_and_empty_instances_exit_2(tmp_path, capsys):
    assert main(["size", str(tmp_path / "missing.json")]) == 2
    assert "missing.json: cannot read file" in capsys.readouterr().err
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"format": "poolplan-instance/1", "slots": [],
                                 "assistants": [], "children": []}))
    assert main(["simulate", str(empty)]) == 2
    assert capsys.readouterr().err == (
        f"{empty}: slots: the instance has no slots, so there is no school day to simulate\n")
    assert main(["size", str(empty), "--target", "0"]) == 2
    assert "--target: must be above 0 and at most 1, got 0" in capsys.readouterr().err

import json

import pytest

from poolplan.cli import main

from .conftest import EXAMPLES, tiny


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def test_it_plans_and_checks_the_primary_school(tmp_path, capsys):
    instance = str(EXAMPLES / "primary-school.json")
    out = str(tmp_path / "plan.json")
    assert (
        main(
            ["plan", instance, "--out", out, "--time-limit", "10", "--workers", "2", "--seed", "3"]
        )
        == 0
    )
    assert main(["check", instance, out]) == 0
    assert capsys.readouterr().out.startswith("valid: individual_need_gap=0")


def test_it_prints_the_plan_as_json_on_stdout(tmp_path, capsys):
    instance = write(tmp_path, "i.json", tiny())
    assert main(["plan", instance, "--method", "greedy"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "poolplan-plan/1"


def test_it_exits_1_with_violations_for_an_invalid_plan(tmp_path, capsys):
    doc = tiny(assistants=[{"id": "a1", "skills": [], "max_minutes": 0}])
    plan = {
        "format": "poolplan-plan/1",
        "status": "feasible",
        "assignments": [{"slot": "mon-1", "assistant": "a1", "children": ["c1"]}],
        "objective": {
            "individual_need_gap": 0,
            "entitlement_shortfall": 0,
            "changes": 0,
            "shared_need_gap": 0,
            "non_primary_minutes": 0,
            "distinct_pairs": 1,
        },
    }
    assert main(["check", write(tmp_path, "i.json", doc), write(tmp_path, "p.json", plan)]) == 1
    assert (
        capsys.readouterr().out == "Contract minutes exceeded: a1 works 45 min, contract allows 0\n"
    )


@pytest.mark.parametrize(
    "doc, line",
    [
        ("{not json", "malformed JSON at line 1, column 2"),
        (
            tiny(children=[{"id": "c1", "max_ratio": 1, "needs": {"mon-1": 1}}]),
            "children[0].location.mon-1: missing",
        ),
        (
            tiny(assistants=[{"id": "a1", "max_minutes": -1}]),
            "assistants[0].max_minutes: must not be negative, got -1",
        ),
        (
            tiny(pinned=[{"slot": "mon-1", "assistant": "a9", "child": "c1"}]),
            "pinned[0].assistant: unknown assistant 'a9'",
        ),
        (
            tiny(children=[{"id": "c1", "needs": {"mon-1": 1}, "location": {"mon-1": "R1"}}]),
            "children[0].max_ratio: missing field",
        ),
    ],
)
def test_it_exits_2_with_one_line_per_problem_for_bad_input(tmp_path, capsys, doc, line):
    path = write(tmp_path, "bad.json", doc)
    assert main(["plan", path]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"{path}: ") and line in err[0]


def test_it_generates_an_instance_with_an_absence(tmp_path, capsys):
    out = str(tmp_path / "g.json")
    assert (
        main(
            [
                "generate",
                "--children",
                "6",
                "--assistants",
                "3",
                "--classes",
                "2",
                "--seed",
                "4",
                "--absent",
                "a3:tue,wed",
                "--out",
                out,
            ]
        )
        == 0
    )
    doc = json.loads(open(out).read())
    assert {"tue-1", "wed-6"} <= set(doc["assistants"][2]["unavailable"])
    assert (
        main(
            [
                "generate",
                "--children",
                "6",
                "--assistants",
                "3",
                "--classes",
                "2",
                "--absent",
                "a9:mon",
            ]
        )
        == 2
    )
    assert "unknown assistant 'a9'" in capsys.readouterr().err

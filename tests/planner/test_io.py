import pytest

from poolplan.planner import InstanceError, load_instance
from poolplan.planner.io import PlanError, instance_to_json, parse_assignments

from .conftest import EXAMPLE_NAMES, child, example_doc, tiny


def problems_of(doc) -> list[str]:
    with pytest.raises(InstanceError) as exc:
        load_instance(doc)
    return exc.value.problems


def test_it_reads_the_tiny_instance():
    instance = load_instance(tiny())
    assert instance.minutes("mon-1") == 45
    assert instance.child_by_id["c1"].needs == {"mon-1": 1}


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_it_reads_the_shared_examples_and_writes_them_back(name):
    instance = load_instance(example_doc(name))
    assert load_instance(instance_to_json(instance)) == instance


def test_it_names_the_json_path_of_an_unknown_slot():
    doc = tiny(children=[child("c1", {"mon-1": 1, "mon-9": 2}, location={"mon-1": "R1"})])
    assert problems_of(doc) == ["children[0].needs.mon-9: unknown slot"]


def test_it_reports_every_problem_at_once():
    doc = tiny(
        assistants=[{"id": "a1", "skills": [], "max_minutes": -5}],
        children=[child("c1", {"mon-1": 1}, location={}, primary="a7")],
        pinned=[{"slot": "mon-1", "assistant": "a2", "child": "c1"}],
    )
    assert problems_of(doc) == [
        "assistants[0].max_minutes: must not be negative, got -5",
        "children[0].primary: unknown assistant 'a7'",
        "children[0].location.mon-1: missing: "
        "the child needs support in this slot, so it needs a location",
        "pinned[0].assistant: unknown assistant 'a2'",
    ]


def test_it_rejects_missing_fields_and_duplicates():
    doc = tiny()
    del doc["children"][0]["max_ratio"]
    doc["assistants"].append({"id": "a1", "max_minutes": 10})
    del doc["slots"][0]["end"]
    assert problems_of(doc) == [
        "slots[0].end: missing field",
        "assistants[1].id: duplicate id 'a1'",
        "children[0].max_ratio: missing field",
    ]


def test_it_rejects_a_boolean_as_minutes_and_a_wrong_format():
    doc = tiny(format="poolplan-instance/2")
    doc["assistants"][0]["max_minutes"] = True
    assert problems_of(doc) == [
        "format: must be 'poolplan-instance/1', got 'poolplan-instance/2'",
        "assistants[0].max_minutes: must be a whole number, got True",
    ]


def test_it_rejects_a_slot_that_ends_before_it_starts():
    doc = tiny()
    doc["slots"][0]["end"] = "07:00"
    assert problems_of(doc) == ["slots[0].end: must be after start (a slot has positive minutes)"]


def test_it_treats_need_zero_as_no_need():
    doc = tiny(children=[child("c1", {"mon-1": 0}, location={})])
    assert load_instance(doc).child_by_id["c1"].needs == {}


def test_it_reads_plan_assignments_and_names_unknown_ids():
    instance = load_instance(tiny())
    plan = {
        "format": "poolplan-plan/1",
        "assignments": [{"slot": "mon-1", "assistant": "a1", "children": ["c1"]}],
    }
    assert [a.children for a in parse_assignments(plan, instance)] == [("c1",)]
    plan["assignments"].append({"slot": "mon-2", "assistant": "a1", "children": ["c9"]})
    with pytest.raises(PlanError) as exc:
        parse_assignments(plan, instance)
    assert exc.value.problems == [
        "assignments[1].slot: unknown slot 'mon-2'",
        "assignments[1].children[0]: unknown child 'c9'",
    ]

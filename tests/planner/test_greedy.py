import pytest

from poolplan.planner import load_instance
from poolplan.planner.check import check_assignments
from poolplan.planner.domain import Assignment
from poolplan.planner.greedy import greedy_plan

from .conftest import EXAMPLE_NAMES, assistant, child, example_doc, slot, tiny


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_it_returns_a_valid_plan_for_the_shared_examples(name):
    instance = load_instance(example_doc(name))
    assert check_assignments(instance, greedy_plan(instance)).violations == []


def test_it_prefers_the_primary_person():
    doc = tiny(
        assistants=[assistant("a1"), assistant("a2")],
        children=[child("c1", {"mon-1": 1}, primary="a2")],
    )
    assert [(a.assistant, a.children) for a in greedy_plan(load_instance(doc))] == [("a2", ("c1",))]


def test_it_falls_back_to_a_qualified_free_assistant():
    doc = tiny(
        assistants=[
            assistant("a1"),
            assistant("a2", skills=["nursing"]),
            assistant("a3", unavailable=["mon-1"], skills=["nursing"]),
        ],
        children=[child("c1", {"mon-1": 1}, primary="a3", skills=["nursing"])],
    )
    assert [a.assistant for a in greedy_plan(load_instance(doc))] == ["a2"]


def test_it_serves_need_2_before_need_1():
    doc = tiny(children=[child("c1", {"mon-1": 1}), child("c2", {"mon-1": 2})])
    assert [a.children for a in greedy_plan(load_instance(doc))] == [("c2",)]


def test_it_keeps_the_previous_assignment_when_it_still_holds():
    doc = tiny(
        slots=[slot("mon-1")],
        assistants=[assistant("a1"), assistant("a2")],
        children=[child("c1", {"mon-1": 1}, primary="a1")],
        previous=[{"slot": "mon-1", "assistant": "a2", "child": "c1"}],
    )
    assert [a.assistant for a in greedy_plan(load_instance(doc))] == ["a2"]


def test_it_builds_around_rows_it_is_asked_to_keep():
    doc = tiny(
        assistants=[assistant("a1"), assistant("a2")],
        children=[child("c1", {"mon-1": 1}, primary="a1")],
    )
    keep = [Assignment("mon-1", "a2", ("c1",))]
    assert greedy_plan(load_instance(doc), keep=keep) == keep

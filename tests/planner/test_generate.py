from poolplan.planner import load_instance
from poolplan.planner.generate import generate_instance
from poolplan.planner.io import instance_to_json


def test_it_generates_a_valid_instance_that_round_trips():
    instance = generate_instance(children=15, assistants=7, classes=4, seed=3)
    assert load_instance(instance_to_json(instance)) == instance
    assert len(instance.children) == 15 and len(instance.assistants) == 7


def test_it_is_reproducible_from_the_seed():
    a = generate_instance(children=8, assistants=4, classes=2, seed=5)
    b = generate_instance(children=8, assistants=4, classes=2, seed=5)
    c = generate_instance(children=8, assistants=4, classes=2, seed=6)
    assert instance_to_json(a) == instance_to_json(b) != instance_to_json(c)


def test_it_has_gym_lab_and_yard_locations():
    instance = generate_instance(children=26, assistants=12, classes=6, seed=1)
    places = {p for c in instance.children for p in c.location.values()}
    assert {"gym", "yard"} <= places and places & {"lab1", "lab2"}


def test_it_marks_an_absent_assistant_for_whole_days():
    instance = generate_instance(
        children=6, assistants=3, classes=2, seed=1, absent={"a3": ["tue", "wed"]}
    )
    a3 = instance.assistant_by_id["a3"]
    assert {s.id for s in instance.slots if s.day in ("tue", "wed")} <= a3.unavailable

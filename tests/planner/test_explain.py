from poolplan.planner import load_instance
from poolplan.planner.domain import Assignment
from poolplan.planner.explain import explain

from .conftest import assistant, child, slot, tiny


def test_it_names_the_absent_only_qualified_assistant():
    doc = tiny(
        slots=[slot("tue-1"), slot("tue-2", "08:50", "09:35")],
        assistants=[
            assistant("a1"),
            assistant("a2", skills=["nursing"], unavailable=["tue-1", "tue-2"]),
        ],
        children=[child("c7", {"tue-1": 2, "tue-2": 1}, skills=["nursing"], approved_minutes=90)],
    )
    lines = explain(load_instance(doc), [])
    assert lines == [
        "c7 has no adult of its own for 45 min on Tuesday (tue-1): "
        "a2, the only assistant with nursing, is absent",
        "c7 is 90 min short of 90 approved (credited 0): 90 min on Tuesday (tue-1, tue-2): "
        "a2, the only assistant with nursing, is absent",
    ]


def test_it_names_who_is_busy_and_whose_contract_is_used_up():
    doc = tiny(
        slots=[slot("mon-1"), slot("mon-2", "08:50", "09:35")],
        assistants=[assistant("a1", max_minutes=45)],
        children=[child("c1", {"mon-1": 2}), child("c2", {"mon-1": 2, "mon-2": 2})],
    )
    lines = explain(load_instance(doc), [Assignment("mon-1", "a1", ("c1",))])
    assert lines == [
        "c2 has no adult of its own for 45 min on Monday (mon-1): a1 was supporting other children",
        "c2 has no adult of its own for 45 min on Monday (mon-2): "
        "a1 had used up its contract minutes",
    ]


def test_it_explains_a_need_profile_smaller_than_the_approval():
    doc = tiny(children=[child("c1", {"mon-1": 1}, approved_minutes=100)])
    assert explain(load_instance(doc), [Assignment("mon-1", "a1", ("c1",))]) == [
        "c1 is 55 min short of 100 approved (credited 45): "
        "its need profile holds only 45 min this week, 55 min less than approved"
    ]

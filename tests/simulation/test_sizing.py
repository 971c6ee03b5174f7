"""Pool sizing and the fixed-person advice."""

import pytest

from poolplan.simulation import Parameters, Week, size_pool
from poolplan.simulation.model import ParameterError
from poolplan.simulation.sizing import cover, fixed_person_advice


def test_cover_adds_people_until_the_peak_is_there_all_week():
    assert cover(0, 0.15, 0.95, 5) == 0
    assert cover(2, 0.0, 0.95, 5) == 2
    # Two needed each day, each person away 15 % of days: 4 people reach 95 % of weeks.
    assert cover(2, 0.15, 0.95, 5) == 5 or cover(2, 0.15, 0.95, 5) == 4
    assert cover(2, 0.15, 0.50, 5) < cover(2, 0.15, 0.99, 5)


def test_it_finds_the_smallest_pool_that_meets_the_target(primary):
    params = Parameters(runs=30, days=60)
    sizing = size_pool(primary, params, 1, target=0.9)
    assert sizing.answer is not None
    n = sizing.answer.assistants
    assert sizing.answer.weeks_all_met.mean >= 0.9
    tried = {c.assistants: c for c in sizing.tried}
    # The pool one smaller was tried and missed (or the floor was already enough).
    assert n - 1 not in tried or tried[n - 1].weeks_all_met.mean < 0.9
    assert sum(count for _, count in sizing.answer.mix) == n
    # Every required skill set is in the mix.
    skills = {frozenset(s) for s, _ in sizing.answer.mix}
    assert {frozenset({"nursing"}), frozenset({"behaviour"})} <= skills
    assert sizing.current.assistants == len(primary.assistants)
    assert sizing.as_dict()["answer"]["assistants"] == n


def test_combined_skills_need_no_more_people(primary):
    params = Parameters(runs=20, days=40)
    single = size_pool(primary, params, 2, target=0.8)
    combined = size_pool(primary, params, 2, target=0.8, combined=True)
    assert combined.answer.assistants <= single.answer.assistants
    assert any(set(s) == {"behaviour", "nursing"} for s, _ in combined.answer.mix)


def test_it_says_when_no_pool_can_meet_an_approval(primary):
    import dataclasses

    greedy_child = dataclasses.replace(primary.children[0], approved_minutes=99_999)
    instance = dataclasses.replace(primary, children=(greedy_child, *primary.children[1:]))
    sizing = size_pool(instance, Parameters(runs=5, days=10), 1)
    assert sizing.impossible == [greedy_child.id] and sizing.answer is None


def test_it_refuses_a_bad_target(primary):
    with pytest.raises(ParameterError, match="--target"):
        size_pool(primary, Parameters(runs=5, days=10), 1, target=1.5)


def test_fixed_persons_for_medical_needs_few_people_and_named_fixed_persons(primary,
                                                                              comprehensive):
    advice = {f.child: f for f in fixed_person_advice(Week(primary))}
    assert set(advice) == {"c1", "c2", "c3", "c5"}
    assert advice["c3"].reasons() == ["fixed persons named: a1, a3"]
    assert advice["c3"].fixed == ("a1", "a3")
    assert advice["c1"].reasons() == ["medical care: needs nursing",
                                      "tolerates at most 3 assistants"]
    assert (advice["c1"].medical, advice["c1"].few_people) == (("nursing",), 3)
    assert advice["c1"].suggested == ("a2",)  # the only nursing assistant
    comp = {f.child: f for f in fixed_person_advice(Week(comprehensive))}
    assert comp["c7"].reasons() == ["tolerates at most 2 assistants"]
    assert comp["c7"].suggested[0] == "a4"  # its primary person first
    assert "c9" not in comp

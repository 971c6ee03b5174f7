"""The school year as arrays: owed minutes, day budgets, one-to-one schedules, staff of the
policies, parameter checks, and a day as a planner instance."""

import numpy as np
import pytest

from poolplan.planner.domain import NEED_OWN
from poolplan.simulation import Parameters, Week, staffs
from poolplan.simulation.model import (
    allocate_skills,
    day_instance,
    extra_assistants,
    one_to_one_schedule,
    skill_peaks,
)


def test_it_shares_each_approval_over_the_days_by_need_minutes(comprehensive):
    week = Week(comprehensive)
    assert np.allclose(week.owed.sum(axis=0), week.approved)
    # c1 needs no support on Wednesday (it is not at school then): it owes nothing that day.
    c1 = [c.id for c in week.children].index("c1")
    assert week.need_minutes[week.days.index("wed"), c1] == 0
    assert week.owed[week.days.index("wed"), c1] == 0
    assert (week.owed <= week.need_minutes + 1e-9).all()


def test_it_orders_each_days_slots_by_time(comprehensive):
    week = Week(comprehensive)
    for w, ids in enumerate(week.day_slots):
        slots = [comprehensive.slots[s] for s in ids]
        assert {s.day for s in slots} == {week.days[w]}
        assert [s.start for s in slots] == sorted(s.start for s in slots)


def test_it_gives_each_assistant_a_day_budget_within_contract_and_availability(comprehensive):
    week = Week(comprehensive)
    pool = staffs(week, Parameters())["pool"]
    available = np.stack([(week.minutes[ids, None] * pool.available[ids]).sum(axis=0)
                          for ids in week.day_slots])
    assert (pool.budget <= available).all()
    assert (pool.budget.sum(axis=0) <= pool.contract).all()
    # a1 (1500 min) is away on Wednesdays: no budget then, and on the other days the whole
    # day, as its contract is more than it can work. a4 (1200 min, every day): 240 a day.
    assert list(pool.budget[:, 0]) == [310, 310, 0, 310, 310]
    assert list(pool.budget[:, 3]) == [240] * 5


def test_a_one_to_one_schedule_covers_every_own_adult_slot_and_the_days_share(comprehensive):
    week = Week(comprehensive)
    schedule = one_to_one_schedule(week)
    assert (schedule[week.need == NEED_OWN]).all()
    assert not (schedule & (week.need == 0)).any()
    for w, ids in enumerate(week.day_slots):
        given = (schedule[ids] * week.minutes[ids, None]).sum(axis=0)
        assert (given >= week.owed[w] - 1e-9).all()


def test_one_to_one_has_one_fixed_assistant_per_approved_child(primary):
    week = Week(primary)
    one = staffs(week, Parameters())["one-to-one"]
    assert one.size == sum(c.approved_minutes > 0 for c in primary.children)
    assert (one.eligible.sum(axis=1) == 1).all() and (one.eligible.sum(axis=0) == 1).all()
    # The contract is the schedule's minutes: at least the approval, at most one slot more a day.
    approved = week.approved[list(one.fixed_to)]
    assert (one.contract >= approved).all()
    assert (one.contract <= approved + 5 * 45).all()


def test_pool_plus_k_defaults_to_the_staff_minutes_of_one_to_one(comprehensive):
    team = staffs(Week(comprehensive), Parameters())
    assert team["pool+k"].contract.sum() == pytest.approx(team["one-to-one"].contract.sum(),
                                                          abs=5)
    assert team["pool+k"].size > team["pool"].size
    assert [a.id for a in team["pool+k"].assistants[:7]] == [a.id for a in
                                                             comprehensive.assistants]


def test_pool_plus_k_takes_k_extra_assistants_of_the_given_contract(comprehensive):
    week = Week(comprehensive)
    extra = extra_assistants(week, Parameters(extra=3, extra_contract=900), 0.0)
    assert [(a.id, a.max_minutes) for a in extra] == [("x1", 900), ("x2", 900), ("x3", 900)]


def test_new_assistants_get_skills_by_demand_with_minimums(comprehensive):
    week = Week(comprehensive)
    peaks = skill_peaks(week)
    assert peaks == {frozenset({"nursing"}): 2, frozenset({"behaviour"}): 2}
    mix = allocate_skills(week, 10, minimum={frozenset({"nursing"}): 3})
    assert len(mix) == 10
    assert mix.count(frozenset({"nursing"})) >= 3
    # Most adult minutes are needed by children requiring no special skill.
    assert mix.count(frozenset()) == max(mix.count(s) for s in set(mix))


@pytest.mark.parametrize(("fields", "line"), [
    ({"runs": 0}, "--runs: must be at least 1, got 0"),
    ({"days": 0}, "--days: must be at least 1, got 0"),
    ({"absence": 1.0}, "--absence: must be at least 0 and below 1, got 1"),
    ({"child_absence": -0.1}, "--child-absence: must be at least 0 and below 1, got -0.1"),
    ({"absence_spell": 0.5}, "--absence-spell: must be at least 1 day, got 0.5"),
    ({"absence": 0.8, "absence_spell": 2},
     "--absence-spell: with --absence 0.8 spells must last at least 4.00 days, got 2"),
    ({"leave_days": 300}, "--leave-days: must be between 0 and --days (190), got 300"),
    ({"extra": -1}, "--extra: must not be negative, got -1"),
    ({"hourly_rate": -3.0}, "--rate: must not be negative, got -3"),
    ({"colours": ((1.0, 0.0, 0.0), (0.5, 0.5, 0.5), (0, 0, 1))},
     "colours[1]: three chances (green, yellow, red) adding up to 1"),
])
def test_it_names_every_bad_parameter(fields, line):
    assert line in Parameters(**fields).problems()


def test_default_parameters_are_valid():
    assert Parameters().problems() == []


def test_a_day_is_a_valid_planner_instance(comprehensive):
    week = Week(comprehensive)
    pool = staffs(week, Parameters())["pool"]
    present_a = np.array([a.id != "a2" for a in comprehensive.assistants])
    present_c = np.array([c.id != "c3" for c in comprehensive.children])
    day = day_instance(week, pool, 1, present_a, present_c)
    assert {s.day for s in day.slots} == {"tue"}
    assert "c3" not in {c.id for c in day.children}
    a2 = day.assistant_by_id["a2"]
    assert a2.unavailable == {s.id for s in day.slots}
    assert sum(a.max_minutes for a in day.assistants) == pool.budget[1].sum()

"""Absences with spells, planned leave, and the traffic light's colours."""

import numpy as np
import pytest

from poolplan.simulation.events import absences, colours, start_chance


def streams(n, seed=1):
    return np.random.default_rng(seed).spawn(n)


def spell_lengths(absent: np.ndarray) -> np.ndarray:
    """Lengths of the spells in rows of days (days on the last axis; spells cut by a row's
    end are left out)."""
    lengths = []
    for row in absent.reshape(-1, absent.shape[-1]):
        run = 0
        for day in row:
            if day:
                run += 1
            elif run:
                lengths.append(run)
                run = 0
    return np.array(lengths)


def test_it_is_absent_at_the_asked_rate_in_spells_of_the_asked_length():
    absent = absences(streams(4), 500, 190, rate=0.15, spell=4.0)
    assert absent.shape == (500, 190, 4)
    assert absent.mean() == pytest.approx(0.15, abs=0.01)
    # Spells cut by the year's end are a little shorter; the mean is close to 4.
    assert spell_lengths(absent.transpose(0, 2, 1)).mean() == pytest.approx(4.0, abs=0.3)


def test_a_person_draws_only_from_their_own_stream():
    """Person 0 is absent on the same days whether 2 or 5 people are counted."""
    a = absences(np.random.default_rng(7).spawn(2), 10, 50, rate=0.2, spell=3, leave_days=4)
    b = absences(np.random.default_rng(7).spawn(5), 10, 50, rate=0.2, spell=3, leave_days=4)
    assert (a[:, :, 0] == b[:, :, 0]).all()


def test_planned_leave_is_one_block_of_the_given_days():
    absent = absences(streams(3), 100, 60, rate=0.0, spell=1.0, leave_days=5)
    assert (absent.sum(axis=1) == 5).all()
    assert (spell_lengths(absent.transpose(0, 2, 1)) == 5).all()


def test_no_absence_rate_and_no_leave_means_always_present():
    assert not absences(streams(3), 10, 20, rate=0.0, spell=4.0).any()


def test_the_chain_starts_spells_to_reach_the_rate():
    alpha, beta = start_chance(0.15, 4.0), 1 / 4.0
    assert alpha / (alpha + beta) == pytest.approx(0.15)


def test_colours_follow_the_chances_of_the_profile_value():
    profile = np.array([[0, 1, 2]] * 4, dtype=np.int8)
    chances = ((0.9, 0.1, 0.0), (0.2, 0.5, 0.3), (0.0, 0.0, 1.0))
    needy, red = colours(np.random.default_rng(2), profile, 20_000, chances)
    assert needy.shape == red.shape == (4, 3, 20_000)
    assert not (red & ~needy).any()  # red is needy too
    drawn = needy.astype(int) + red
    for need, row in enumerate(chances):
        share = np.bincount(drawn[:, need].ravel(), minlength=3) / drawn[:, need].size
        assert share == pytest.approx(row, abs=0.01)

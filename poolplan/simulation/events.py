"""What happens in a simulated year: who is absent on which day, and how the traffic light
goes within a day. Every draw comes from the Generator passed in.

Absences are a two-state chain per person over school days: a present person falls ill with
chance `alpha`, an ill person is back the next day with chance `beta = 1 / mean spell`. Its
long-run share of absent days is alpha / (alpha + beta), so alpha is chosen to give the asked
rate with spells of the asked mean length (lengths are geometric: many short, a few long).
The first day starts from that long-run share. Planned leave is one block of days per person,
placed uniformly in the year.
"""

from __future__ import annotations

import numpy as np


def start_chance(rate: float, spell: float) -> float:
    """alpha such that the chain is absent `rate` of the days with mean spell `spell`."""
    if rate <= 0.0:
        return 0.0
    return rate / ((1.0 - rate) * spell)


def absences(streams: list[np.random.Generator], runs: int, days: int, *, rate: float,
             spell: float, leave_days: int = 0) -> np.ndarray:
    """absent[r, d, p] over `days` school days in `runs` years, person p drawing only from
    streams[p] (so a person's days do not depend on who else is counted)."""
    people = len(streams)
    absent = np.zeros((runs, days, people), dtype=bool)
    if people == 0:
        return absent
    draws = [stream.random((runs, days), dtype=np.float32) if rate > 0.0 else None
             for stream in streams]
    if rate > 0.0:
        alpha = min(1.0, start_chance(rate, spell))
        beta = 1.0 / spell
        u = np.stack(draws, axis=2)
        state = u[:, 0] < rate
        absent[:, 0] = state
        for d in range(1, days):
            state = np.where(state, u[:, d] >= beta, u[:, d] < alpha)
            absent[:, d] = state
    if leave_days > 0:
        start = np.stack([stream.integers(0, days - leave_days + 1, size=runs)
                          for stream in streams], axis=1)[:, None, :]
        day = np.arange(days)[None, :, None]
        absent |= (day >= start) & (day < start + leave_days)
    return absent


def colours(rng: np.random.Generator, profile: np.ndarray, rows: int,
            chances: tuple[tuple[float, float, float], ...]) -> tuple[np.ndarray, np.ndarray]:
    """The traffic light of `rows` days around the need profile `profile[s, c]` (0, 1, 2),
    with the chances (green, yellow, red) of the profile value: (needy, red), each [s, c, n];
    needy = yellow or red."""
    table = np.asarray(chances, dtype=np.float32)
    green = table[:, 0][profile][:, :, None]
    yellow = green + table[:, 1][profile][:, :, None]
    u = rng.random((*profile.shape, rows), dtype=np.float32)
    return u >= green, u >= yellow

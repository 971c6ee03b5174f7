"""Fixtures of the simulator tests: the shared examples and small generated schools."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
# Like the planner, the simulator runs without Django: the tests also run from a bare checkout.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from poolplan.planner.io import load_instance_file  # noqa: E402
from poolplan.simulation import Parameters  # noqa: E402

EXAMPLES = REPO / ".." / "shared" / "examples"


def example(name: str):
    return load_instance_file(EXAMPLES / f"{name}.json")


@pytest.fixture(scope="session")
def comprehensive():
    return example("comprehensive-school")


@pytest.fixture(scope="session")
def primary():
    return example("primary-school")


def few(**fields) -> Parameters:
    """Parameters for a quick run: 20 school years of 40 days."""
    return Parameters(**{"runs": 20, "days": 40, **fields})


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)

"""Fixtures for the planner tests: tiny instances from plain dicts, and the shared examples."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The planner is importable without installing the project (it has no Django settings to
# load), so the tests also run from a bare checkout.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

EXAMPLES = REPO / ".." / "shared" / "examples"
EXAMPLE_NAMES = ("primary-school", "comprehensive-school", "comprehensive-school-sick-tuesday")


def slot(sid: str, start: str = "08:00", end: str = "08:45", kind: str = "lesson") -> dict:
    return {"id": sid, "day": sid.split("-")[0], "start": start, "end": end, "kind": kind}


def tiny(**overrides) -> dict:
    """One 45-minute lesson, one assistant a1, one child c1 with need 1 in room R1."""
    doc = {
        "format": "poolplan-instance/1",
        "name": "tiny",
        "slots": [slot("mon-1")],
        "assistants": [{"id": "a1", "skills": [], "max_minutes": 1000, "unavailable": []}],
        "children": [
            {
                "id": "c1",
                "approved_minutes": 0,
                "max_ratio": 1,
                "skills": [],
                "primary": "",
                "fixed": [],
                "needs": {"mon-1": 1},
                "location": {"mon-1": "R1"},
            }
        ],
        "pinned": [],
        "previous": [],
    }
    doc.update(copy.deepcopy(overrides))
    return doc


def child(cid: str, needs: dict, location: dict | str = "R1", **fields) -> dict:
    if isinstance(location, str):
        location = {s: location for s in needs}
    base = {
        "id": cid,
        "approved_minutes": 0,
        "max_ratio": 1,
        "skills": [],
        "primary": "",
        "fixed": [],
        "needs": needs,
        "location": location,
    }
    base.update(fields)
    return base


def assistant(aid: str, **fields) -> dict:
    base = {"id": aid, "skills": [], "max_minutes": 1000, "unavailable": []}
    base.update(fields)
    return base


def example_doc(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES

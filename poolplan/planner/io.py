"""Reading and writing `poolplan-instance/1` and `poolplan-plan/1` documents.

Validation collects every problem it finds instead of stopping at the first, and names each
by its JSON path (`children[3].needs.mon-9: unknown slot`), because the person fixing an
exported instance wants the whole list at once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from poolplan.planner.domain import Assignment, Assistant, Child, Instance, Slot, Triple

INSTANCE_FORMAT = "poolplan-instance/1"
PLAN_FORMAT = "poolplan-plan/1"
SLOT_KINDS = ("lesson", "break", "other")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class InputError(ValueError):
    """A document that cannot be used; `problems` holds one `"path: message"` line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class InstanceError(InputError):
    """An instance document that breaks the format of spec/planning.md."""


class PlanError(InputError):
    """A plan document that cannot be read against its instance."""


def read_json(path: str | Path, error: type[InputError] = InputError) -> Any:
    """Read a JSON file, turning unreadable or malformed files into an InputError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error([f"{path}: cannot read file ({exc.strerror})"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            [f"{path}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from None


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")


def _is_int(value: Any) -> bool:
    # bool is an int in Python, but `true` is never a number of minutes.
    return isinstance(value, int) and not isinstance(value, bool)


def _str_list(raw: Any, path: str, p: _Problems) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        p.add(path, "must be a list of strings")
        return []
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, str) or not item:
            p.add(f"{path}[{i}]", "must be a non-empty string")
        else:
            out.append(item)
    return out


def _minutes_of(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _required(obj: dict, key: str, path: str, p: _Problems) -> Any:
    if key not in obj:
        p.add(f"{path}.{key}", "missing field")
        return None
    return obj[key]


def _read_id(obj: dict, path: str, seen: set[str], p: _Problems) -> str | None:
    raw = _required(obj, "id", path, p)
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw:
        p.add(f"{path}.id", "must be a non-empty string")
        return None
    if raw in seen:
        p.add(f"{path}.id", f"duplicate id {raw!r}")
        return None
    seen.add(raw)
    return raw


def _list_field(doc: dict, key: str, p: _Problems, *, required: bool) -> list:
    if key not in doc:
        if required:
            p.add(key, "missing field")
        return []
    raw = doc[key]
    if not isinstance(raw, list):
        p.add(key, "must be a list")
        return []
    return raw


def _read_slots(doc: dict, p: _Problems) -> list[Slot]:
    slots, seen = [], set()
    for i, raw in enumerate(_list_field(doc, "slots", p, required=True)):
        path = f"slots[{i}]"
        if not isinstance(raw, dict):
            p.add(path, "must be an object")
            continue
        before = len(p.items)
        sid = _read_id(raw, path, seen, p)
        day = _required(raw, "day", path, p)
        if day is not None and (not isinstance(day, str) or not day):
            p.add(f"{path}.day", "must be a non-empty string")
        times = {}
        for key in ("start", "end"):
            value = _required(raw, key, path, p)
            if value is None:
                continue
            if not isinstance(value, str) or not _TIME.match(value):
                p.add(f"{path}.{key}", f"must be a time HH:MM, got {value!r}")
            else:
                times[key] = _minutes_of(value)
        if len(times) == 2 and times["end"] <= times["start"]:
            p.add(f"{path}.end", "must be after start (a slot has positive minutes)")
        kind = raw.get("kind", "other")
        if kind not in SLOT_KINDS:
            p.add(f"{path}.kind", f"must be one of {', '.join(SLOT_KINDS)}, got {kind!r}")
        if len(p.items) == before:
            slots.append(
                Slot(sid, day, raw["start"], raw["end"], kind, times["end"] - times["start"])
            )
    return slots


def _non_negative_int(
    raw: dict, key: str, path: str, p: _Problems, default: int | None
) -> int | None:
    if key not in raw or raw[key] is None:
        if default is None:
            p.add(f"{path}.{key}", "missing field")
        return default
    value = raw[key]
    if not _is_int(value):
        p.add(f"{path}.{key}", f"must be a whole number, got {value!r}")
        return default
    if value < 0:
        p.add(f"{path}.{key}", f"must not be negative, got {value}")
        return default
    return value


def _read_assistants(doc: dict, slot_ids: set[str], p: _Problems) -> list[Assistant]:
    out, seen = [], set()
    for i, raw in enumerate(_list_field(doc, "assistants", p, required=True)):
        path = f"assistants[{i}]"
        if not isinstance(raw, dict):
            p.add(path, "must be an object")
            continue
        aid = _read_id(raw, path, seen, p)
        skills = _str_list(raw.get("skills"), f"{path}.skills", p)
        max_minutes = _non_negative_int(raw, "max_minutes", path, p, default=None)
        unavailable = _str_list(raw.get("unavailable"), f"{path}.unavailable", p)
        for j, sid in enumerate(unavailable):
            if sid not in slot_ids:
                p.add(f"{path}.unavailable[{j}]", f"unknown slot {sid!r}")
        if aid is not None:
            out.append(Assistant(aid, frozenset(skills), max_minutes or 0, frozenset(unavailable)))
    return out


def _read_children(
    doc: dict, slot_ids: set[str], assistant_ids: set[str], p: _Problems
) -> list[Child]:
    out, seen = [], set()
    for i, raw in enumerate(_list_field(doc, "children", p, required=True)):
        path = f"children[{i}]"
        if not isinstance(raw, dict):
            p.add(path, "must be an object")
            continue
        cid = _read_id(raw, path, seen, p)
        approved = _non_negative_int(raw, "approved_minutes", path, p, default=0)
        max_ratio = _non_negative_int(raw, "max_ratio", path, p, default=None)
        if max_ratio == 0:
            p.add(f"{path}.max_ratio", "must be at least 1")
        skills = _str_list(raw.get("skills"), f"{path}.skills", p)
        primary = raw.get("primary") or None
        if primary is not None and (not isinstance(primary, str) or primary not in assistant_ids):
            p.add(f"{path}.primary", f"unknown assistant {primary!r}")
        fixed = _str_list(raw.get("fixed"), f"{path}.fixed", p)
        for j, aid in enumerate(fixed):
            if aid not in assistant_ids:
                p.add(f"{path}.fixed[{j}]", f"unknown assistant {aid!r}")
        max_assistants = None
        if raw.get("max_assistants") is not None:
            max_assistants = _non_negative_int(raw, "max_assistants", path, p, default=None)
        needs: dict[str, int] = {}
        raw_needs = _required(raw, "needs", path, p)
        if raw_needs is not None and not isinstance(raw_needs, dict):
            p.add(f"{path}.needs", "must be an object mapping slot ids to 0, 1 or 2")
            raw_needs = None
        for sid, need in (raw_needs or {}).items():
            if sid not in slot_ids:
                p.add(f"{path}.needs.{sid}", "unknown slot")
            elif not _is_int(need) or need not in (0, 1, 2):
                p.add(f"{path}.needs.{sid}", f"must be 0, 1 or 2, got {need!r}")
            elif need > 0:
                needs[sid] = need
        raw_location = raw.get("location") or {}
        if not isinstance(raw_location, dict):
            p.add(f"{path}.location", "must be an object mapping slot ids to locations")
            raw_location = {}
        for sid, loc in raw_location.items():
            if sid not in slot_ids:
                p.add(f"{path}.location.{sid}", "unknown slot")
            elif not isinstance(loc, str) or not loc:
                p.add(f"{path}.location.{sid}", "must be a non-empty string")
        location = {}
        for sid in needs:
            loc = raw_location.get(sid)
            if loc is None:
                p.add(
                    f"{path}.location.{sid}",
                    "missing: the child needs support in this slot, so it needs a location",
                )
            elif isinstance(loc, str) and loc:
                location[sid] = loc
        if cid is not None and max_ratio:
            out.append(
                Child(
                    id=cid,
                    approved_minutes=approved or 0,
                    max_ratio=max_ratio,
                    skills=frozenset(skills),
                    primary=primary,
                    fixed=tuple(fixed),
                    max_assistants=max_assistants,
                    needs=needs,
                    location=location,
                )
            )
    return out


def _read_triples(doc: dict, key: str, ids: dict[str, set[str]], p: _Problems) -> list[Triple]:
    out = []
    for i, raw in enumerate(_list_field(doc, key, p, required=False)):
        path = f"{key}[{i}]"
        if not isinstance(raw, dict):
            p.add(path, "must be an object with slot, assistant and child")
            continue
        ok = True
        for field_name, kind in (("slot", "slot"), ("assistant", "assistant"), ("child", "child")):
            value = _required(raw, field_name, path, p)
            if value is None:
                ok = False
            elif value not in ids[kind]:
                p.add(f"{path}.{field_name}", f"unknown {kind} {value!r}")
                ok = False
        if ok:
            out.append(Triple(raw["slot"], raw["assistant"], raw["child"]))
    return out


def load_instance(doc: Any) -> Instance:
    """Validate a `poolplan-instance/1` document and return the Instance.

    Raises:
        InstanceError: with one `"json.path: message"` line per problem.
    """
    p = _Problems()
    if not isinstance(doc, dict):
        raise InstanceError(["$: an instance must be a JSON object"])
    fmt = doc.get("format")
    if fmt != INSTANCE_FORMAT:
        p.add("format", f"must be {INSTANCE_FORMAT!r}, got {fmt!r}")
    name = doc.get("name", "")
    if not isinstance(name, str):
        p.add("name", "must be a string")
        name = ""
    slots = _read_slots(doc, p)
    slot_ids = {s.id for s in slots}
    # Ids of slots that failed validation still count as known, so one broken slot does not
    # produce a cascade of "unknown slot" lines elsewhere.
    slot_ids |= {
        raw.get("id")
        for raw in doc.get("slots", [])
        if isinstance(raw, dict) and isinstance(raw.get("id"), str)
    }
    assistants = _read_assistants(doc, slot_ids, p)
    assistant_ids = {a.id for a in assistants}
    children = _read_children(doc, slot_ids, assistant_ids, p)
    ids = {"slot": slot_ids, "assistant": assistant_ids, "child": {c.id for c in children}}
    pinned = _read_triples(doc, "pinned", ids, p)
    previous = _read_triples(doc, "previous", ids, p)
    if p.items:
        raise InstanceError(p.items)
    return Instance(
        name, tuple(slots), tuple(assistants), tuple(children), tuple(pinned), tuple(previous)
    )


def load_instance_file(path: str | Path) -> Instance:
    return load_instance(read_json(path, InstanceError))


def parse_assignments(plan: Any, instance: Instance) -> list[Assignment]:
    """Read the `assignments` of a plan document, checking shape and ids only.

    Whether the assignments obey the hard rules is the checker's business, not this one's.

    Raises:
        PlanError: with one `"json.path: message"` line per problem.
    """
    p = _Problems()
    if not isinstance(plan, dict):
        raise PlanError(["$: a plan must be a JSON object"])
    if plan.get("format") != PLAN_FORMAT:
        p.add("format", f"must be {PLAN_FORMAT!r}, got {plan.get('format')!r}")
    rows = _list_field(plan, "assignments", p, required=True)
    out = []
    for i, raw in enumerate(rows):
        path = f"assignments[{i}]"
        if not isinstance(raw, dict):
            p.add(path, "must be an object with slot, assistant and children")
            continue
        before = len(p.items)
        slot = _required(raw, "slot", path, p)
        if slot is not None and slot not in instance.slot_by_id:
            p.add(f"{path}.slot", f"unknown slot {slot!r}")
        assistant = _required(raw, "assistant", path, p)
        if assistant is not None and assistant not in instance.assistant_by_id:
            p.add(f"{path}.assistant", f"unknown assistant {assistant!r}")
        children = _required(raw, "children", path, p)
        if children is not None:
            if not isinstance(children, list) or not children:
                p.add(f"{path}.children", "must be a non-empty list of child ids")
            else:
                for j, cid in enumerate(children):
                    if cid not in instance.child_by_id:
                        p.add(f"{path}.children[{j}]", f"unknown child {cid!r}")
        if len(p.items) == before:
            out.append(Assignment(slot, assistant, tuple(children)))
    if p.items:
        raise PlanError(p.items)
    return out


def triples_to_json(triples: tuple[Triple, ...] | list[Triple]) -> list[dict[str, str]]:
    return [{"slot": t.slot, "assistant": t.assistant, "child": t.child} for t in triples]


def instance_to_json(instance: Instance) -> dict[str, Any]:
    """The inverse of load_instance (used by the generator and by tests)."""
    return {
        "format": INSTANCE_FORMAT,
        "name": instance.name,
        "slots": [
            {"id": s.id, "day": s.day, "start": s.start, "end": s.end, "kind": s.kind}
            for s in instance.slots
        ],
        "assistants": [
            {
                "id": a.id,
                "skills": sorted(a.skills),
                "max_minutes": a.max_minutes,
                "unavailable": [s.id for s in instance.slots if s.id in a.unavailable],
            }
            for a in instance.assistants
        ],
        "children": [
            {
                "id": c.id,
                "approved_minutes": c.approved_minutes,
                "max_ratio": c.max_ratio,
                "skills": sorted(c.skills),
                "primary": c.primary or "",
                "fixed": list(c.fixed),
                **({"max_assistants": c.max_assistants} if c.max_assistants is not None else {}),
                "needs": dict(c.needs),
                "location": dict(c.location),
            }
            for c in instance.children
        ],
        "pinned": triples_to_json(instance.pinned),
        "previous": triples_to_json(instance.previous),
    }


def plan_document(
    instance: Instance,
    assignments: list[Assignment],
    *,
    status: str,
    objective: dict[str, int],
    explanations: list[str],
    solver: dict[str, Any],
) -> dict[str, Any]:
    """Assemble a `poolplan-plan/1` document; per-child and per-assistant figures are derived
    from the assignments so they always agree with them."""
    credited: dict[str, int] = {c.id: 0 for c in instance.children}
    helpers: dict[str, set[str]] = {c.id: set() for c in instance.children}
    busy: dict[str, set[str]] = {a.id: set() for a in instance.assistants}
    for row in assignments:
        busy[row.assistant].add(row.slot)
        for cid in row.children:
            credited[cid] += instance.minutes(row.slot)
            helpers[cid].add(row.assistant)
    return {
        "format": PLAN_FORMAT,
        "instance": instance.name,
        "status": status,
        "assignments": [
            {"slot": r.slot, "assistant": r.assistant, "children": list(r.children)}
            for r in assignments
        ],
        "objective": objective,
        "children": [
            {
                "id": c.id,
                "approved": c.approved_minutes,
                "credited": credited[c.id],
                "shortfall": max(0, c.approved_minutes - credited[c.id]),
                "assistants": sorted(helpers[c.id], key=instance.assistant_order.__getitem__),
            }
            for c in instance.children
        ],
        "assistants": [
            {
                "id": a.id,
                "minutes": sum(instance.minutes(s) for s in busy[a.id]),
                "max_minutes": a.max_minutes,
            }
            for a in instance.assistants
        ],
        "explanations": explanations,
        "solver": solver,
    }

"""planning/explanations.py: the planner's reasons as short translated sentences, and the
checker's rule names as translated labels (the Django-free planner stays English)."""

import pytest
from django.utils import translation

from poolplan.planner import load_instance
from poolplan.planner.domain import Assignment
from poolplan.planner.rules import HARD_RULES, PlanView
from poolplan.planning import explanations

# Two slots; a1 (nursing) and a2; child c1 needs nursing in both, c2 needs anyone in s1.
INSTANCE = {
    "format": "poolplan-instance/1", "name": "tiny",
    "slots": [{"id": "mon-1", "day": "mon", "start": "08:00", "end": "08:45", "kind": "lesson"},
              {"id": "mon-2", "day": "mon", "start": "08:45", "end": "09:30",
               "kind": "lesson"}],
    "assistants": [
        {"id": "1", "skills": ["nursing"], "max_minutes": 600, "unavailable": ["mon-2"]},
        {"id": "2", "skills": [], "max_minutes": 600, "unavailable": []}],
    "children": [
        {"id": "10", "approved_minutes": 90, "max_ratio": 1, "skills": ["nursing"],
         "primary": "", "fixed": [], "needs": {"mon-1": 1, "mon-2": 1},
         "location": {"mon-1": "A", "mon-2": "A"}},
        {"id": "20", "approved_minutes": 45, "max_ratio": 1, "skills": [], "primary": "",
         "fixed": [], "needs": {"mon-1": 1}, "location": {"mon-1": "B"}}],
    "pinned": [], "previous": [],
}
NAMES = {"1": "Anna Nurse", "2": "Ben Helper"}
CODES = {"10": "Fox 1", "20": "Owl 2"}


def view(rows) -> PlanView:
    return PlanView(load_instance(INSTANCE), tuple(Assignment(*row) for row in rows))


def test_every_hard_rule_has_a_translated_label():
    assert {rule.name for rule in HARD_RULES} == set(explanations.RULE_LABELS)
    with translation.override("de"):
        assert explanations.rule_label("assistant_available") == "Poolmitglied nicht verfügbar"
        for rule in HARD_RULES:
            assert explanations.rule_label(rule.name) != rule.label, rule.name
    with translation.override("en"):
        for rule in HARD_RULES:
            assert explanations.rule_label(rule.name) == rule.label
    assert explanations.rule_label("new_rule", "New rule") == "New rule"


def test_names_are_listed_in_words():
    with translation.override("en"):
        assert explanations.names_text(["A"]) == "A"
        assert explanations.names_text(["A", "B", "C"]) == "A, B and C"
        assert explanations.names_text(["A", "B", "C", "D", "E"]) == "A, B, C and 2 more"
    with translation.override("de"):
        assert explanations.names_text(["A", "B"]) == "A und B"


def test_a_short_line_per_child_with_the_main_reason():
    # Anna supports Owl 2 in mon-1 and is absent in mon-2: Fox 1 gets nobody.
    plan = view([("mon-1", "1", ("20",))])
    with translation.override("en"):
        lines = explanations.shortfall_summaries(plan, assistants=NAMES, children=CODES,
                                                 details={"10": ["full text"]})
    fox = next(line for line in lines if line["code"] == "Fox 1")
    assert fox["head"] == "Fox 1 is 90 min short of 90 approved (0 planned)."
    # mon-1: Anna was busy (45 min); mon-2: the only nurse is absent (45 min): the tie goes
    # to the absence, which comes first.
    assert fox["reason"] == "Mainly: Anna Nurse, the only one allowed to support it, is absent."
    assert fox["detail"] == ["full text"]
    assert [line["code"] for line in lines] == ["Fox 1"]  # Owl 2 has its minutes
    with translation.override("de"):
        fox = explanations.shortfall_summaries(plan, assistants=NAMES, children=CODES)[0]
    assert fox["head"] == "Fox 1 fehlen 90 Min. von 90 bewilligten (0 geplant)."
    assert fox["reason"].startswith("Hauptgrund: Anna Nurse, als Einzige")


def test_why_a_child_lost_minutes_names_the_absent_and_who_covers():
    before = view([("mon-1", "2", ("20",)), ("mon-2", "1", ("10",))])
    # Anna is absent in mon-2 (it is in her unavailable slots); Fox 1 loses mon-2.
    after = view([("mon-1", "2", ("20",))])
    with translation.override("en"):
        reason = explanations.loss_reason(before=before, after=after, child_id="10",
                                          assistants=NAMES)
    assert reason == "Anna Nurse is absent."
    # Ben supported Owl 2 and now takes Fox 1 whose nurse... is not allowed (no nursing):
    # Owl 2 loses mon-1 because Ben is with another child now.
    before = view([("mon-1", "2", ("20",))])
    after = view([("mon-1", "2", ("10",))])
    with translation.override("en"):
        reason = explanations.loss_reason(before=before, after=after, child_id="20",
                                          assistants=NAMES)
    assert reason == "Ben Helper was supporting other children."


@pytest.mark.parametrize("rule", [r.name for r in HARD_RULES])
def test_every_rule_has_a_sentence_for_a_refused_edit(rule):
    with translation.override("de"):
        text = explanations.edit_refusal(rule, assistant="Anna", child="Fox 1",
                                         when="Mo 1. Stunde")
    assert text and text.endswith(".") and "%(" not in text

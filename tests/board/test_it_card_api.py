"""GET /api/schools/{id}/cards, PUT /api/cards/{child_id}, POST .../acknowledge and .../done."""

import pytest

from poolplan.accounts.models import AuditEvent
from poolplan.board import services
from poolplan.board.models import CardEvent, CardEventKind, CardState
from tests.api.conftest import assert_error, assert_refused

pytestmark = pytest.mark.usefixtures("in_memory_layer")

# make_world(): everyone who cannot see the child or school at all gets 404; those who can see
# it but may not act on it get 403.
OUTSIDERS = {"other_coordinator": 404, "other_assistant": 404, "other_parent": 404,
             "other_provider": 404, "other_reviewer": 404}
NOT_ALLOWED_TO_TURN = {"parent": 403, "provider": 403, "reviewer": 403}
CARD_FIELDS = {"child_id", "school_id", "class_id", "display_code", "class_name", "state",
               "default_state", "version", "changed_at", "raised_at", "waiting_seconds",
               "acknowledged_by", "acknowledged_at", "room", "floor"}


def test_it_lists_the_board_for_pool_members(api, world):
    services.card_set(child=world.child_6b, colour="red", actor=world.user("coordinator"))
    for role in ("coordinator", "assistant"):
        response = api(role).get(f"/schools/{world.school.pk}/cards")
        assert response.status_code == 200, role
        body = response.json()
        assert body["school_id"] == world.school.pk
        assert [(c["display_code"], c["state"]) for c in body["cards"]] == [
            ("Owl 2", "red"), ("Fox 1", "green")]
        red = body["cards"][0]
        assert set(red) == CARD_FIELDS | {"suggestion", "assigned"}
        assert red["suggestion"]["helper"] == "Anna Berg"
        assert red["suggestion"]["reasons"]
        # Shared screens show display codes, never names.
        assert "Muster" not in response.content.decode()


def test_it_gives_a_teacher_only_their_classes_without_staff_planning(api, world):
    response = api("teacher").get(f"/schools/{world.school.pk}/cards")
    assert response.status_code == 200
    cards = response.json()["cards"]
    assert [c["display_code"] for c in cards] == ["Fox 1"]
    assert set(cards[0]) == CARD_FIELDS


def test_it_validates_ownership_of_the_school(api, world):
    assert_refused(api, "get", f"/schools/{world.school.pk}/cards", {
        "other_coordinator": 404, "other_assistant": 404, "other_provider": 404,
        "provider": 403})
    body = assert_error(api("provider").get(f"/schools/{world.school.pk}/cards"), 403)
    assert "pool members and teachers" in body["message"]
    assert_error(api("coordinator").get(f"/schools/{world.other_school.pk}/cards"), 404)


def test_it_requires_auth(api, world):
    assert_error(api().get(f"/schools/{world.school.pk}/cards"), 401)
    assert_error(api().put(f"/cards/{world.child.pk}", {"state": "red"}), 401)
    assert_error(api().post(f"/cards/{world.child.pk}/acknowledge", {}), 401)
    assert_error(api().post(f"/cards/{world.child.pk}/done", {}), 401)
    assert not CardEvent.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "assistant", "coordinator"])
def test_it_turns_a_card(api, world, role):
    response = api(role).put(f"/cards/{world.child.pk}", {"state": "red"})
    assert response.status_code == 200, response.content
    card = response.json()
    assert (card["state"], card["display_code"], card["version"]) == ("red", "Fox 1", 1)
    assert CardState.objects.get(child=world.child).colour == "red"
    event = CardEvent.objects.get(child=world.child)
    assert (event.kind, event.colour, event.source, event.actor) == (
        CardEventKind.SET, "red", role, world.user(role))
    assert AuditEvent.objects.filter(child=world.child, summary__contains="turned red").exists()
    # The answer is the card alone; suggestions come with the list and the live board.
    assert set(card) == CARD_FIELDS


def test_it_changes_nothing_when_the_card_already_shows_the_state(api, world):
    client = api("teacher")
    client.put(f"/cards/{world.child.pk}", {"state": "yellow"})
    response = client.put(f"/cards/{world.child.pk}", {"state": "yellow"})
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert CardEvent.objects.count() == 1


def test_it_refuses_every_other_role_to_turn_a_card(api, world):
    assert_refused(api, "put", f"/cards/{world.child.pk}",
                   {**OUTSIDERS, **NOT_ALLOWED_TO_TURN}, data={"state": "red"})
    # A teacher of another class cannot even see the child.
    assert_error(api("teacher").put(f"/cards/{world.child_6b.pk}", {"state": "red"}), 404)
    assert not CardEvent.objects.exists()


def test_it_refuses_a_card_of_another_school(api, world):
    body = assert_error(api("coordinator").put(f"/cards/{world.other_child.pk}",
                                               {"state": "red"}), 404)
    assert str(world.other_child.pk) in body["message"]
    assert_error(api("assistant").post(f"/cards/{world.other_child.pk}/acknowledge", {}), 404)
    assert not CardEvent.objects.exists()


@pytest.mark.parametrize("body", [{"state": "blue"}, {"state": "RED"}, {"state": None},
                                  {"state": 1}, {}, {"state": "red", "colour": "red"}])
def test_it_validates_the_state(api, world, body):
    response = api("teacher").put(f"/cards/{world.child.pk}", body)
    error = assert_error(response, 422)
    assert set(error["details"]) <= {"state", "colour"}
    assert not CardEvent.objects.exists()


def test_it_names_the_allowed_states(api, world):
    error = assert_error(api("teacher").put(f"/cards/{world.child.pk}", {"state": "blue"}), 422)
    assert "green" in error["details"]["state"][0] and "red" in error["details"]["state"][0]


def test_it_acknowledges_and_finishes_a_card(api, world):
    api("teacher").put(f"/cards/{world.child.pk}", {"state": "red"})
    assistant = api("assistant")
    response = assistant.post(f"/cards/{world.child.pk}/acknowledge", {})
    assert response.status_code == 200, response.content
    assert response.json()["acknowledged_by"] == "Anna Berg"
    # The teacher sees who is coming.
    card = api("teacher").get(f"/schools/{world.school.pk}/cards").json()["cards"][0]
    assert card["acknowledged_by"] == "Anna Berg"
    response = assistant.post(f"/cards/{world.child.pk}/done", {})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["acknowledged_by"]) == ("green", None)
    done = CardEvent.objects.get(kind=CardEventKind.DONE)
    assert done.seconds_to_done is not None and done.seconds_to_acknowledge is not None


def test_it_answers_409_when_the_card_does_not_allow_it(api, world):
    assistant = api("assistant")
    body = assert_error(assistant.post(f"/cards/{world.child.pk}/acknowledge", {}), 409)
    assert "green" in body["message"]
    assert_error(assistant.post(f"/cards/{world.child.pk}/done", {}), 409)
    api("teacher").put(f"/cards/{world.child.pk}", {"state": "red"})
    assistant.post(f"/cards/{world.child.pk}/acknowledge", {})
    body = assert_error(api("coordinator").post(f"/cards/{world.child.pk}/acknowledge", {}), 409)
    assert "Anna Berg is already on the way" in body["message"]


@pytest.mark.parametrize("action", ["acknowledge", "done"])
def test_it_lets_only_the_pool_respond(api, world, action):
    api("teacher").put(f"/cards/{world.child.pk}", {"state": "red"})
    assert_refused(api, "post", f"/cards/{world.child.pk}/{action}",
                   {**OUTSIDERS, **NOT_ALLOWED_TO_TURN, "teacher": 403}, data={})
    assert CardEvent.objects.count() == 1


def test_it_only_allows_its_methods(api, world):
    assert_error(api("teacher").post(f"/cards/{world.child.pk}", {"state": "red"}), 405)
    assert_error(api("assistant").get(f"/cards/{world.child.pk}/done"), 405)


def test_it_lists_a_card_nobody_can_go_to(api, world):
    # One pool member, two red cards: the second card's suggestion names nobody.
    for child in (world.child, world.child_6b):
        services.card_set(child=child, colour="red", actor=world.user("coordinator"))
    response = api("assistant").get(f"/schools/{world.school.pk}/cards")
    assert response.status_code == 200, response.content
    suggestions = [c["suggestion"] for c in response.json()["cards"]]
    assert sorted(s["helper"] or "" for s in suggestions) == ["", "Anna Berg"]
    assert all(s["reasons"] for s in suggestions)

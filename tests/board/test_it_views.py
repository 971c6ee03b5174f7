"""The pages and their JSON: who may open and post what (each wrong role refused)."""

import pytest
from django.urls import reverse

from poolplan.board import services
from poolplan.board.consumers import DEVICE_SESSION_KEY
from poolplan.board.models import CardState, ClassroomDevice

pytestmark = pytest.mark.usefixtures("in_memory_layer")
JSON = {"HTTP_ACCEPT": "application/json"}


def as_user(client, world, role):
    client.force_login(world.user(role))
    return client


def paired(client, device):
    session = client.session
    session[DEVICE_SESSION_KEY] = device.pk
    session.save()
    return client


@pytest.mark.parametrize("role", ["assistant", "coordinator"])
def test_it_shows_the_board_to_pool_members_with_display_codes_only(client, world, role):
    services.card_set(child=world.child, colour="red", actor=world.user("teacher"))
    response = as_user(client, world, role).get(reverse("board", args=[world.school.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fox 1" in html and "Muster" not in html
    assert html.index("Fox 1") < html.index("Owl 2")  # red first
    state = client.get(reverse("board_state", args=[world.school.pk])).json()
    assert [c["display_code"] for c in state["cards"]] == ["Fox 1", "Owl 2"]
    assert state["cards"][0]["room"] == "R1" or state["cards"][0]["room"] is None


@pytest.mark.parametrize("role,status", [("teacher", 403), ("parent", 403), ("provider", 403),
                                         ("reviewer", 403), ("other_assistant", 404)])
def test_it_refuses_the_board_to_everyone_else(client, world, role, status):
    as_user(client, world, role)
    assert client.get(reverse("board", args=[world.school.pk])).status_code == status
    assert client.get(reverse("board_state", args=[world.school.pk])).status_code == status


def test_it_sends_anonymous_visitors_to_the_login(client, world):
    assert client.get(reverse("board", args=[world.school.pk])).status_code == 302
    assert client.get(reverse("teacher_cards")).status_code == 302


def test_it_lets_a_teacher_turn_only_their_classes_cards(client, world):
    as_user(client, world, "teacher")
    page = client.get(reverse("teacher_cards"))
    assert page.status_code == 200 and "Fox 1" in page.content.decode()
    assert "Owl 2" not in page.content.decode()
    response = client.post(reverse("card_set", args=[world.child.pk]), {"colour": "red"}, **JSON)
    assert response.status_code == 200 and response.json()["card"]["colour"] == "red"
    assert client.post(reverse("card_set", args=[world.child_6b.pk]),
                       {"colour": "red"}).status_code == 404
    assert client.get(reverse("class_cards_state", args=[world.class_6b.pk])).status_code == 404
    assert client.get(reverse("class_cards_state", args=[world.class_5a.pk])).status_code == 200


def test_it_refuses_a_bad_colour_with_a_sentence(client, world):
    as_user(client, world, "teacher")
    response = client.post(reverse("card_set", args=[world.child.pk]), {"colour": "blue"},
                           **JSON)
    assert response.status_code == 422
    assert "green, yellow or red" in response.json()["message"]


@pytest.mark.parametrize("role", ["parent", "provider", "reviewer", "other_assistant"])
def test_it_refuses_turning_cards_to_other_roles(client, world, role):
    as_user(client, world, role)
    assert client.post(reverse("card_set", args=[world.child.pk]),
                       {"colour": "red"}).status_code == 404
    assert not CardState.objects.exists()


def test_it_lets_pool_members_acknowledge_and_finish(client, world):
    services.card_set(child=world.child, colour="red", actor=world.user("teacher"))
    as_user(client, world, "assistant")
    response = client.post(reverse("card_acknowledge", args=[world.child.pk]), **JSON)
    assert response.json()["card"]["acknowledged_by"] == "Anna Berg"
    client.force_login(world.user("coordinator"))
    second = client.post(reverse("card_acknowledge", args=[world.child.pk]), **JSON)
    assert second.status_code == 409 and "already on the way" in second.json()["message"]
    done = client.post(reverse("card_done", args=[world.child.pk]))
    assert done.status_code == 302
    assert CardState.objects.get(child=world.child).colour == "green"


@pytest.mark.parametrize("role", ["teacher", "parent", "other_assistant", "provider"])
def test_it_refuses_acknowledging_to_non_members(client, world, role):
    services.card_set(child=world.child, colour="red", actor=world.user("teacher"))
    as_user(client, world, role)
    assert client.post(reverse("card_acknowledge", args=[world.child.pk])).status_code == 404
    assert client.post(reverse("card_done", args=[world.child.pk])).status_code == 404


def test_it_only_allows_post_for_changes(client, world):
    as_user(client, world, "assistant")
    for name in ("card_set", "card_acknowledge", "card_done"):
        assert client.get(reverse(name, args=[world.child.pk])).status_code == 405


def test_it_pairs_a_tablet_that_then_turns_only_its_card(client, world):
    _device, code = services.device_create(actor=world.user("coordinator"), school=world.school,
                                           child=world.child)
    wrong = client.post(reverse("device_pair"), {"code": "ZZZZZ-ZZZZZ"})
    assert wrong.status_code == 422 and "not known" in wrong.content.decode()
    assert client.post(reverse("device_pair"), {"code": code}).status_code == 302
    page = client.get(reverse("device_cards"))
    html = page.content.decode()
    assert page.status_code == 200 and "Fox 1" in html and "Muster" not in html
    assert client.post(reverse("card_set", args=[world.child.pk]), {"colour": "red"},
                       **JSON).json()["card"]["colour"] == "red"
    # Another child's card: not this tablet's business.
    assert client.post(reverse("card_set", args=[world.child_6b.pk]),
                       {"colour": "red"}).status_code == 404
    state = client.get(reverse("device_cards_state")).json()
    assert [c["display_code"] for c in state["cards"]] == ["Fox 1"]
    # A device is no login: the board stays closed.
    assert client.get(reverse("board", args=[world.school.pk])).status_code == 302


def test_it_locks_a_revoked_tablet_out_at_once(client, world):
    coordinator = world.user("coordinator")
    device, _code = services.device_create(actor=coordinator, school=world.school,
                                           school_class=world.class_5a)
    paired(client, device)
    assert client.get(reverse("device_cards")).status_code == 200
    services.device_revoke(actor=coordinator, device=device)
    assert client.get(reverse("device_cards")).status_code == 302
    assert client.get(reverse("device_cards_state")).status_code == 403
    assert client.post(reverse("card_set", args=[world.child.pk]),
                       {"colour": "red"}).status_code == 404


def test_it_lets_the_coordinator_create_and_revoke_tablets(client, world):
    as_user(client, world, "coordinator")
    url = reverse("devices", args=[world.school.pk])
    response = client.post(url, {"target": f"class:{world.class_5a.pk}", "name": "5a front"})
    assert response.status_code == 200 and "data-pairing-code" in response.content.decode()
    device = ClassroomDevice.objects.get()
    assert device.school_class == world.class_5a and device.name == "5a front"
    client.post(reverse("device_revoke", args=[device.pk]))
    device.refresh_from_db()
    assert device.revoked_at is not None
    bad = client.post(url, {"target": f"child:{world.other_child.pk}"})
    assert "Choose a child or a class of this school" in bad.content.decode()


@pytest.mark.parametrize("role,status", [("assistant", 403), ("teacher", 403),
                                         ("other_coordinator", 404), ("parent", 403)])
def test_it_refuses_tablet_management_to_others(client, world, role, status):
    as_user(client, world, role)
    assert client.get(reverse("devices", args=[world.school.pk])).status_code == status


def test_it_reads_a_teachers_cards_in_the_same_queries_however_many_classes(
        client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from poolplan.roster.models import Child, SchoolClass

    teacher = world.user("teacher")
    client.force_login(teacher)
    url = reverse("teacher_cards")
    client.get(url)
    with CaptureQueriesContext(connection) as one_class:
        assert client.get(url).status_code == 200
    for grade in (7, 8, 9):
        school_class = SchoolClass.objects.create(school=world.school, name=f"{grade}c",
                                                  grade=grade)
        for n in range(3):
            Child.objects.create(school=world.school, school_class=school_class,
                                 first_name="Kim", last_name=f"Test {grade}{n}",
                                 display_code=f"Elk {grade}{n}")
        teacher.classes.add(school_class)
    teacher.classes.add(world.class_6b)
    with django_assert_max_num_queries(len(one_class)):
        page = client.get(url)
    assert page.status_code == 200 and "Elk 92" in page.content.decode()
    with django_assert_max_num_queries(8):
        assert client.get(reverse("class_cards_state", args=[world.class_6b.pk])
                          ).status_code == 200

"""An assistant's page: skills, schools, working times, the children they are primary or
fixed person for; contract minutes only for the assistant and those who staff the pool."""

import datetime as dt

import pytest
from django.urls import reverse

from poolplan.roster.models import WorkingTime
from tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    WorkingTime.objects.create(assistant=world.assistant, weekday=2, start=dt.time(7, 45),
                               end=dt.time(13, 15))
    world.child_6b.fixed_assistants.set([world.assistant])
    return world


def get(client, user, assistant):
    client.force_login(user)
    return client.get(reverse("assistant_detail", args=[assistant.pk]),
                      HTTP_ACCEPT_LANGUAGE="en")


def test_it_shows_the_coordinator_the_whole_record(client, world):
    response = get(client, world.user("coordinator"), world.assistant)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Anna Berg" in body and "Nursing" in body and "School A" in body
    assert "07:45" in body and "13:15" in body
    assert "1500 min/week" in body
    assert "Mia Muster Fox 1" in body  # primary reference person for
    assert "Mia Muster Owl 2" in body  # fixed person for


def test_it_shows_the_assistant_their_own_contract(client, world):
    body = get(client, world.user("assistant"), world.assistant).content.decode()
    assert "1500 min/week" in body


def test_it_hides_the_contract_from_teachers_and_parents(client, world):
    for role in ("teacher", "parent"):
        response = get(client, world.user(role), world.assistant)
        assert response.status_code == 200
        assert "1500" not in response.content.decode()


def test_it_shows_teachers_display_codes_only(client, world):
    body = get(client, world.user("teacher"), world.assistant).content.decode()
    assert "Fox 1" in body and "Mia" not in body
    # Owl 2 is in 6b, not the teacher's class.
    assert "Owl 2" not in body


def test_it_shows_a_parent_only_their_own_child(client, world):
    body = get(client, world.user("parent"), world.assistant).content.decode()
    assert "Mia Muster Fox 1" in body and "Owl 2" not in body


@pytest.mark.parametrize("outsider", ["other_coordinator", "other_assistant", "other_parent",
                                      "other_provider", "reviewer"])
def test_it_refuses_outsiders_with_404(client, world, outsider):
    assert get(client, world.user(outsider), world.assistant).status_code == 404


def test_it_redirects_anonymous_users_to_login(client, world):
    response = client.get(reverse("assistant_detail", args=[world.assistant.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_only_allows_get(client, world):
    client.force_login(world.user("coordinator"))
    url = reverse("assistant_detail", args=[world.assistant.pk])
    assert client.post(url).status_code == 405


def test_it_caps_queries(client, world, django_assert_max_num_queries):
    from poolplan.roster.models import Child

    for number in range(20):
        child = Child.objects.create(school=world.school, school_class=world.class_5a,
                                     first_name="Kid", last_name=str(number),
                                     display_code=f"K{number}", primary_assistant=world.assistant)
        child.fixed_assistants.set([world.assistant])
    client.force_login(world.user("coordinator"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("assistant_detail",
                                  args=[world.assistant.pk])).status_code == 200

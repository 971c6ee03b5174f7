"""The home page: one per role, each with that role's real data and nobody else's."""

import datetime as dt

import pytest
from django.urls import reverse

from poolplan.roster.models import Approval, Assistant, Child, Skill
from tests.factories import make_user, make_world

pytestmark = pytest.mark.django_db

HOME = "/"


@pytest.fixture
def world():
    return make_world()


def add_children(world, count: int) -> None:
    """More children (with approvals) and assistants at school A, to show query counts do not
    grow with the data."""
    skill = Skill.objects.create(code="behaviour", name="Behaviour")
    for number in range(count):
        child = Child.objects.create(
            school=world.school, school_class=world.class_5a, first_name="Kid",
            last_name=str(number), display_code=f"Kid {number}",
            primary_assistant=world.assistant)
        child.fixed_assistants.set([world.assistant])
        Approval.objects.create(child=child, funding_body=world.youth_office,
                                file_number=f"X-{number}", minutes_per_week=300,
                                valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2099, 1, 1))
        assistant = Assistant.objects.create(provider=world.provider, first_name="Pool",
                                             last_name=str(number),
                                             contract_minutes_per_week=600)
        assistant.schools.set([world.school, world.other_school])
        assistant.skills.set([skill])


def get_home(client, user):
    client.force_login(user)
    response = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response


def test_it_redirects_anonymous_users_to_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_only_allows_get(client, world):
    client.force_login(world.user("coordinator"))
    assert client.post(HOME).status_code == 405
    assert client.head(HOME).status_code == 200


def test_it_shows_the_coordinator_children_with_approvals_and_assistants(client, world):
    response = get_home(client, world.user("coordinator"))
    body = response.content.decode()
    assert response.templates[0].name == "home/coordinator.html"
    assert "Mia Muster Fox 1" in body and "Mia Muster Owl 2" in body
    assert "AZ-Fox 1" in body and "900" in body and "1:2" in body
    assert "Anna Berg" in body
    # Nothing from the other school of the same provider or from another provider.
    assert "Bee 3" not in body and "Elk 4" not in body and "Ole Dahl" not in body
    [school] = response.context["schools"]
    assert school["approved_minutes"] == 1800


def test_it_shows_the_assistant_the_pool_children_and_marks_their_own(client, world):
    response = get_home(client, world.user("assistant"))
    body = response.content.decode()
    assert response.templates[0].name == "home/assistant.html"
    assert "Mia Muster Fox 1" in body and "Mia Muster Owl 2" in body
    assert "Bee 3" not in body
    # Approvals are none of an assistant's business.
    assert "AZ-Fox 1" not in body
    mine = {c.display_code: c.is_mine for s in response.context["schools"] for c in s["children"]}
    assert mine == {"Fox 1": True, "Owl 2": False}


def test_it_shows_the_teacher_their_classes_by_display_code_only(client, world):
    response = get_home(client, world.user("teacher"))
    body = response.content.decode()
    assert response.templates[0].name == "home/teacher.html"
    assert "Fox 1" in body
    assert "Mia" not in body and "Muster" not in body and "Owl 2" not in body
    assert "epilepsy" not in body


def test_it_shows_the_parent_only_their_child(client, world):
    response = get_home(client, world.user("parent"))
    body = response.content.decode()
    assert response.templates[0].name == "home/parent.html"
    assert "Mia Muster Fox 1" in body and "900 min/week" in body and "Anna Berg" in body
    assert "Owl 2" not in body and "Bee 3" not in body
    assert "epilepsy" not in body


def test_it_shows_the_provider_counts_per_school(client, world):
    response = get_home(client, world.user("provider"))
    assert response.templates[0].name == "home/provider.html"
    rows = {row["school"].name: (row["children"], row["assistants"], row["approved_minutes"])
            for row in response.context["rows"]}
    assert rows == {"School A": (2, 1, 1800), "School A2": (1, 1, 900)}
    body = response.content.decode()
    assert "Mia" not in body and "School B" not in body


def test_it_shows_the_reviewer_only_their_funding_bodys_approvals(client, world):
    response = get_home(client, world.user("reviewer"))
    body = response.content.decode()
    assert response.templates[0].name == "home/reviewer.html"
    assert "AZ-Fox 1" in body and "AZ-Bee 3" in body and "AZ-Elk 4" in body
    assert "AZ-Owl 2" not in body
    assert "epilepsy" not in body


def test_it_tells_a_user_without_role_what_to_do(client, world):
    response = get_home(client, make_user("nobody", ""))
    assert response.templates[0].name == "home/no_role.html"


@pytest.mark.parametrize("role", ["coordinator", "assistant", "teacher", "parent", "provider",
                                  "reviewer"])
def test_it_caps_queries_however_many_children(client, world, role,
                                               django_assert_max_num_queries):
    add_children(world, 25)
    client.force_login(world.user(role))
    with django_assert_max_num_queries(10):
        assert client.get(HOME).status_code == 200


def test_it_sends_an_administrator_without_role_to_the_admin(client, world):
    admin = make_user("admin", "", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(HOME)["Location"] == reverse("admin:index")

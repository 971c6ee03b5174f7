"""A child's audit trail: coordinators of the child's school only."""

import pytest
from django.urls import reverse

from poolplan.accounts.models import AuditAction
from poolplan.accounts.services import audit_record
from tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    audit_record(actor=world.user("assistant"), action=AuditAction.READ, obj=world.child,
                 child=world.child, summary="Viewed record of Fox 1 (view)")
    audit_record(actor=world.user("coordinator"), action=AuditAction.UPDATE, obj=world.child,
                 child=world.child, summary="Need profile of Fox 1 set",
                 changes={"mon-1": [1, 2]})
    audit_record(actor=world.user("coordinator"), action=AuditAction.READ, obj=world.child_6b,
                 child=world.child_6b, summary="Viewed record of Owl 2 (view)")
    return world


def url(child):
    return reverse("child_audit", args=[child.pk])


def test_it_shows_the_coordinator_the_childs_trail(client, world):
    client.force_login(world.user("coordinator"))
    response = client.get(url(world.child), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Viewed record of Fox 1" in body and "Need profile of Fox 1 set" in body
    assert "mon-1: 1 → 2" in body
    assert "Owl 2 (view)" not in body


@pytest.mark.parametrize("role", ["assistant", "teacher", "parent", "provider", "reviewer"])
def test_it_refuses_other_roles_that_can_see_the_child(client, world, role):
    client.force_login(world.user(role))
    assert client.get(url(world.child)).status_code == 403


@pytest.mark.parametrize("outsider", ["other_coordinator", "other_assistant", "other_parent",
                                      "other_provider", "other_reviewer"])
def test_it_refuses_outsiders_with_404(client, world, outsider):
    client.force_login(world.user(outsider))
    assert client.get(url(world.child)).status_code == 404


def test_it_redirects_anonymous_users_to_login(client, world):
    response = client.get(url(world.child))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_only_allows_get(client, world):
    client.force_login(world.user("coordinator"))
    assert client.post(url(world.child)).status_code == 405


def test_it_pages_and_caps_queries(client, world, django_assert_max_num_queries):
    for number in range(120):
        audit_record(actor=world.user("coordinator"), action=AuditAction.READ, obj=world.child,
                     child=world.child, summary=f"Viewed record of Fox 1 ({number})")
    client.force_login(world.user("coordinator"))
    with django_assert_max_num_queries(8):
        response = client.get(url(world.child) + "?page=2")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50

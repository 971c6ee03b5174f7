"""A child's page: each role sees exactly what its ChildAccess allows."""

import pytest
from django.urls import reverse

from poolplan.accounts.models import AuditAction, AuditEvent
from poolplan.roster.models import NeedProfileEntry, Period
from tests.factories import make_world

pytestmark = pytest.mark.django_db

NOTE = "epilepsy"


@pytest.fixture
def world():
    return make_world()


def get(client, user, child):
    client.force_login(user)
    return client.get(reverse("child_detail", args=[child.pk]), HTTP_ACCEPT_LANGUAGE="en")


def test_it_shows_the_coordinator_everything(client, world):
    response = get(client, world.user("coordinator"), world.child)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mia Muster Fox 1" in body and NOTE in body
    assert "need-grid" in body and "AZ-Fox 1" in body
    assert reverse("need_profile_edit", args=[world.child.pk]) in body
    assert reverse("child_audit", args=[world.child.pk]) in body


def test_it_shows_need_in_words_and_symbols_not_colour_alone(client, world):
    body = get(client, world.user("coordinator"), world.child).content.decode()
    assert "1 · shared" in body and "Room: R1" in body


def test_it_shows_the_assistant_notes_and_grid_but_no_approvals(client, world):
    response = get(client, world.user("assistant"), world.child)
    body = response.content.decode()
    assert response.status_code == 200
    assert NOTE in body and "need-grid" in body
    assert "AZ-Fox 1" not in body
    assert reverse("need_profile_edit", args=[world.child.pk]) not in body
    assert reverse("child_audit", args=[world.child.pk]) not in body


def test_it_shows_the_teacher_the_display_code_only(client, world):
    response = get(client, world.user("teacher"), world.child)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Fox 1" in body
    assert "Mia" not in body and NOTE not in body and "need-grid" not in body
    assert "AZ-Fox 1" not in body


def test_it_shows_the_parent_grid_and_approvals_but_no_notes(client, world):
    body = get(client, world.user("parent"), world.child).content.decode()
    assert "Mia Muster Fox 1" in body and "need-grid" in body and "AZ-Fox 1" in body
    assert NOTE not in body


def test_it_shows_the_provider_approvals_without_name_or_notes(client, world):
    body = get(client, world.user("provider"), world.child).content.decode()
    assert "AZ-Fox 1" in body
    assert "Mia" not in body and NOTE not in body


def test_it_shows_the_reviewer_only_their_funding_bodys_approval(client, world):
    body = get(client, world.user("reviewer"), world.child).content.decode()
    assert "AZ-Fox 1" in body and NOTE not in body
    assert get(client, world.user("other_reviewer"), world.child).status_code == 404


@pytest.mark.parametrize("outsider", ["other_coordinator", "other_assistant", "other_parent",
                                      "other_provider", "other_reviewer"])
def test_it_refuses_outsiders_with_404(client, world, outsider):
    assert get(client, world.user(outsider), world.child).status_code == 404


def test_it_refuses_a_teacher_another_class_with_404(client, world):
    assert get(client, world.user("teacher"), world.child_6b).status_code == 404


def test_it_redirects_anonymous_users_to_login(client, world):
    response = client.get(reverse("child_detail", args=[world.child.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_only_allows_get(client, world):
    client.force_login(world.user("coordinator"))
    assert client.post(reverse("child_detail", args=[world.child.pk])).status_code == 405


def test_it_audits_the_read(client, world):
    get(client, world.user("coordinator"), world.child)
    assert AuditEvent.objects.filter(child=world.child, action=AuditAction.READ,
                                     actor=world.user("coordinator")).exists()


def test_it_caps_queries_however_large_the_week(client, world, django_assert_max_num_queries):
    import datetime as dt

    for weekday in range(1, 6):
        for hour in range(9, 15):
            period = Period.objects.create(school=world.school, weekday=weekday, label=str(hour),
                                           start=dt.time(hour, 0), end=dt.time(hour, 45))
            NeedProfileEntry.objects.create(child=world.child, period=period, need=2,
                                            room=world.school.rooms.first())
    client.force_login(world.user("coordinator"))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("child_detail", args=[world.child.pk])).status_code == 200

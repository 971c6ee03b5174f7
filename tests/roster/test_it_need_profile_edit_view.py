"""Editing a child's need grid: coordinators only; saving goes through need_profile_set, its
validation errors are shown in words, a concurrent save is detected."""

import datetime as dt

import pytest
from django.urls import reverse

from poolplan.accounts.models import AuditAction, AuditEvent
from poolplan.roster.forms import need_profile_stamp
from poolplan.roster.models import NeedProfileEntry, Period, PeriodKind
from tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world()
    # A break with no timetable room and no default room: need there requires a chosen room.
    world.yard_break = Period.objects.create(school=world.school, weekday=1, label="b1",
                                             kind=PeriodKind.BREAK, start=dt.time(8, 45),
                                             end=dt.time(9, 5))
    world.lesson = world.school.periods.get(label="1")
    return world


def url(child):
    return reverse("need_profile_edit", args=[child.pk])


def form_data(world, **values):
    entries = {e.period_id: e for e in world.child.need_profile.all()}
    data = {"stamp": need_profile_stamp(entries)}
    for period in world.school.periods.all():
        data[f"need_{period.pk}"] = str(values.get(f"need_{period.pk}", 0))
        data[f"room_{period.pk}"] = str(values.get(f"room_{period.pk}", ""))
    return data


def needs(child):
    return {e.period.label: e.need for e in child.need_profile.select_related("period")}


def test_it_shows_the_coordinator_the_grid_form(client, world):
    client.force_login(world.user("coordinator"))
    response = client.get(url(world.child), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'name="need_{world.lesson.pk}"' in body and f'name="room_{world.yard_break.pk}"' in body
    # Every select has a label naming its cell.
    assert f'for="id_need_{world.lesson.pk}"' in body
    assert "Monday, period 1: </span>Need" in body


def test_it_saves_the_grid_through_the_service(client, world):
    client.force_login(world.user("coordinator"))
    data = form_data(world, **{f"need_{world.lesson.pk}": 2})
    response = client.post(url(world.child), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("child_detail", args=[world.child.pk])
    assert needs(world.child) == {"1": 2}
    assert AuditEvent.objects.filter(child=world.child, action=AuditAction.UPDATE).exists()


def test_it_saves_a_chosen_room(client, world):
    client.force_login(world.user("coordinator"))
    yard = world.school.rooms.get(name="yard")
    data = form_data(world, **{f"need_{world.yard_break.pk}": 1,
                               f"room_{world.yard_break.pk}": yard.pk})
    assert client.post(url(world.child), data).status_code == 302
    entry = NeedProfileEntry.objects.get(child=world.child, period=world.yard_break)
    assert entry.room == yard and entry.need == 1


def test_it_shows_validation_errors_in_words_and_saves_nothing(client, world):
    client.force_login(world.user("coordinator"))
    data = form_data(world, **{f"need_{world.lesson.pk}": 2, f"need_{world.yard_break.pk}": 2})
    response = client.post(url(world.child), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "Monday, break 1: no room" in body
    assert needs(world.child) == {"1": 1}


def test_it_refuses_a_room_of_another_school(client, world):
    client.force_login(world.user("coordinator"))
    foreign_room = world.other_school.rooms.first()
    data = form_data(world, **{f"need_{world.lesson.pk}": 1,
                               f"room_{world.lesson.pk}": foreign_room.pk})
    response = client.post(url(world.child), data)
    assert response.status_code == 400
    assert needs(world.child) == {"1": 1}


def test_it_detects_a_concurrent_save(client, world):
    client.force_login(world.user("coordinator"))
    data = form_data(world, **{f"need_{world.lesson.pk}": 2})
    # Someone else saves first.
    NeedProfileEntry.objects.filter(child=world.child).update(need=2)
    response = client.post(url(world.child), {**data, f"need_{world.lesson.pk}": "0"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Someone else saved this need profile" in response.content.decode()
    assert needs(world.child) == {"1": 2}
    # Saving again is a conscious overwrite.
    fresh_stamp = response.context["form"].data["stamp"]
    response = client.post(url(world.child), {**data, "stamp": fresh_stamp,
                                              f"need_{world.lesson.pk}": "0"})
    assert response.status_code == 302
    assert needs(world.child) == {}


def test_it_answers_htmx_with_the_form_partial(client, world):
    client.force_login(world.user("coordinator"))
    data = form_data(world, **{f"need_{world.yard_break.pk}": 2})
    response = client.post(url(world.child), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps only 2xx answers
    body = response.content.decode()
    assert body.lstrip().startswith("<form") and "<html" not in body
    assert 'role="alert"' in body


def test_it_redirects_htmx_after_saving(client, world):
    client.force_login(world.user("coordinator"))
    response = client.post(url(world.child), form_data(world), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("child_detail", args=[world.child.pk])


@pytest.mark.parametrize("role", ["assistant", "parent", "provider", "reviewer", "teacher"])
def test_it_refuses_other_roles_that_can_see_the_child(client, world, role):
    client.force_login(world.user(role))
    assert client.get(url(world.child)).status_code == 403
    assert client.post(url(world.child), form_data(world)).status_code == 403
    assert needs(world.child) == {"1": 1}


@pytest.mark.parametrize("outsider", ["other_coordinator", "other_assistant", "other_parent",
                                      "other_provider", "other_reviewer"])
def test_it_refuses_outsiders_with_404(client, world, outsider):
    client.force_login(world.user(outsider))
    assert client.get(url(world.child)).status_code == 404
    assert client.post(url(world.child), form_data(world)).status_code == 404


def test_it_redirects_anonymous_users_to_login(client, world):
    response = client.post(url(world.child), form_data(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_only_allows_get_and_post(client, world):
    client.force_login(world.user("coordinator"))
    assert client.put(url(world.child)).status_code == 405
    assert client.delete(url(world.child)).status_code == 405


def test_it_caps_queries_for_the_form(client, world, django_assert_max_num_queries):
    for weekday in range(1, 6):
        for hour in range(10, 16):
            Period.objects.create(school=world.school, weekday=weekday, label=str(hour),
                                  start=dt.time(hour, 0), end=dt.time(hour, 45))
    client.force_login(world.user("coordinator"))
    with django_assert_max_num_queries(15):
        assert client.get(url(world.child)).status_code == 200

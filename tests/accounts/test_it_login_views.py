"""The login and logout pages (Django's auth views with our templates)."""

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    return make_user("coord", "coordinator")


def test_it_shows_the_login_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body and 'name="password"' in body
    assert 'for="id_username"' in body and 'for="id_password"' in body


def test_it_logs_in_and_goes_home(client, coordinator):
    response = client.post(reverse("login"), {"username": "coord", "password": "pw-coord"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_follows_next_after_login(client, coordinator):
    response = client.post(reverse("login"), {"username": "coord", "password": "pw-coord",
                                              "next": "/children/1/"})
    assert response["Location"] == "/children/1/"


def test_it_refuses_a_wrong_password_in_words(client, coordinator):
    response = client.post(reverse("login"), {"username": "coord", "password": "nope"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_sends_a_logged_in_user_home(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("login"))["Location"] == reverse("home")


def test_it_logs_out_with_post(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_it_only_allows_post_for_logout(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_it_only_allows_get_and_post_for_login(client):
    assert client.put(reverse("login")).status_code == 405

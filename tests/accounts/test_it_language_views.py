"""Language: German by default and for German browsers, switchable with the header form
(Django's set_language view)."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_speaks_german_to_german_browsers(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    body = response.content.decode()
    assert '<html lang="de">' in body
    assert "Anmelden" in body and "Passwort" in body


def test_it_speaks_german_when_the_browser_says_nothing(client, settings):
    # The product's default (tests/conftest.py switches the suite to English).
    from poolplan.settings import LANGUAGE_CODE

    settings.LANGUAGE_CODE = LANGUAGE_CODE
    assert LANGUAGE_CODE == "de"
    assert '<html lang="de">' in client.get(reverse("login")).content.decode()


def test_it_speaks_english_to_english_browsers(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert '<html lang="en">' in body and "Log in" in body


def test_it_switches_the_language_and_keeps_it(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"},
                           HTTP_ACCEPT_LANGUAGE="de-DE")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get("/login/", HTTP_ACCEPT_LANGUAGE="de-DE").content.decode()
    assert '<html lang="en">' in body and "Log in" in body


def test_it_offers_the_switch_on_every_page(client):
    body = client.get(reverse("login")).content.decode()
    assert f'action="{reverse("set_language")}"' in body
    assert 'for="language-select"' in body


def test_it_does_not_redirect_off_site(client):
    response = client.post(reverse("set_language"),
                           {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"

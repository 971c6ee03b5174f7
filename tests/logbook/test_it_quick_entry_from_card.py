"""The quick entry prefilled from a "done" on the live board: /log/?card=<child id>, and the
board's "done" leading there."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from poolplan.board import services as board_services


@pytest.fixture
def assistant(lb, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    client = Client()
    client.force_login(lb.user("assistant"))
    return client


def local(hour: int, minute: int) -> dt.datetime:
    today = timezone.localdate()
    return dt.datetime.combine(today, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_it_prefills_the_session_from_the_card(lb, assistant):
    board_services.card_set(child=lb.child, colour="red", actor=lb.user("teacher"),
                            now=local(9, 2))
    board_services.card_acknowledge(actor=lb.user("assistant"), child=lb.child, now=local(9, 5))
    board_services.card_done(actor=lb.user("assistant"), child=lb.child, now=local(9, 31))
    response = assistant.get(reverse("log_entry_quick"), {"card": lb.child.pk})
    initial = response.context["form"].initial
    assert initial["child"] == lb.child
    assert (initial["date"], initial["start"], initial["end"]) == (
        timezone.localdate(), dt.time(9, 5), dt.time(9, 31))


def test_it_falls_back_to_the_plan_without_a_done_card(lb, assistant):
    response = assistant.get(reverse("log_entry_quick"), {"card": lb.child.pk})
    initial = response.context["form"].initial
    assert initial["child"] == lb.child and initial["date"] == timezone.localdate()


def test_it_ignores_a_card_of_a_child_outside_the_pool(lb, assistant):
    response = assistant.get(reverse("log_entry_quick"), {"card": lb.other_child.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["child"] != lb.other_child


def test_it_opens_the_log_entry_after_done_on_the_board(lb, assistant):
    board_services.card_set(child=lb.child, colour="red", actor=lb.user("teacher"))
    board = assistant.get(reverse("board", args=[lb.school.pk])).content.decode()
    target = f"{reverse('log_entry_quick')}?card={lb.child.pk}"
    assert f'name="next" value="{target}"' in board
    response = assistant.post(reverse("card_done", args=[lb.child.pk]), {"next": target})
    assert response.status_code == 302 and response["Location"] == target

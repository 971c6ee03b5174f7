import pytest

from poolplan.roster.models import Absence, Assistant
from tests.planning.view_helpers import (
    assert_login_redirect,
    client_for,
    comprehensive,
    sick_day,
)

pytestmark = pytest.mark.django_db


def url(school):
    return f"/plans/{school.pk}/sick/"


def nurse():
    return Assistant.objects.get(user__username="assistant2")


def test_it_shows_the_form_with_the_pool(demo):
    html = client_for("coordinator").get(url(comprehensive())).content.decode()
    assert nurse().full_name in html and 'type="date"' in html


def test_it_enters_the_absence_and_goes_to_the_proposal(demo):
    school, day = comprehensive(), sick_day()
    response = client_for("coordinator").post(url(school), {
        "assistant": nurse().pk, "start": day.isoformat(), "end": day.isoformat(),
        "reason": "illness", "reason_text": "flu"})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{school.pk}/proposals/{day.isoformat()}/"
    absence = Absence.objects.get(assistant=nurse())
    assert (absence.start, absence.end, absence.reason_text) == (day, day, "flu")


def test_it_refuses_an_overlapping_absence_with_a_reason(demo):
    school, day = comprehensive(), sick_day()
    data = {"assistant": nurse().pk, "start": day.isoformat(), "end": day.isoformat(),
            "reason": "illness"}
    client = client_for("coordinator")
    client.post(url(school), data)
    response = client.post(url(school), data)
    assert response.status_code == 400
    assert b"overlaps the absence" in response.content
    assert Absence.objects.filter(assistant=nurse()).count() == 1


def test_it_refuses_an_end_before_the_start(demo):
    school, day = comprehensive(), sick_day()
    response = client_for("coordinator").post(url(school), {
        "assistant": nurse().pk, "start": day.isoformat(), "end": "2020-01-01",
        "reason": "illness"})
    assert response.status_code == 400
    assert b"must end on or after" in response.content
    assert not Absence.objects.filter(assistant=nurse()).exists()


@pytest.mark.parametrize(("username", "status"), [
    ("assistant1", 403), ("teacher", 403), ("coordinator2", 404)])
def test_it_refuses_other_roles(demo, username, status):
    day = sick_day()
    response = client_for(username).post(url(comprehensive()), {
        "assistant": nurse().pk, "start": day.isoformat(), "end": day.isoformat(),
        "reason": "illness"})
    assert response.status_code == status
    assert not Absence.objects.filter(assistant=nurse()).exists()


def test_it_requires_login(demo):
    assert_login_redirect(client_for(None).get(url(comprehensive())))


def test_it_only_allows_get_and_post(demo):
    assert client_for("coordinator").delete(url(comprehensive())).status_code == 405

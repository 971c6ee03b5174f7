import pytest

from poolplan.planning.models import Notification
from poolplan.roster.models import Absence
from tests.planning.view_helpers import assert_login_redirect, client_for, sick_day

pytestmark = pytest.mark.django_db

URL = "/me/sick/"


def test_it_reports_the_absence_and_tells_the_coordinator(demo):
    day = sick_day()
    response = client_for("assistant2").post(URL, {"start": day.isoformat(),
                                                   "end": day.isoformat(), "reason": "illness"})
    assert response.status_code == 302 and response["Location"] == "/me/day/"
    absence = Absence.objects.get(assistant__user__username="assistant2")
    assert absence.start == day and absence.reason_text == ""
    note = Notification.objects.get(user__username="coordinator")
    assert "reported an absence" in note.subject


def test_it_shows_the_form(demo):
    response = client_for("assistant2").get(URL)
    assert response.status_code == 200 and b'name="start"' in response.content
    assert b"reason_text" not in response.content


def test_it_refuses_an_absence_long_past(demo):
    response = client_for("assistant2").post(URL, {"start": "2020-01-06", "end": "2020-01-07",
                                                   "reason": "illness"})
    assert response.status_code == 400
    assert b"in the past beyond the current week" in response.content
    assert not Absence.objects.filter(assistant__user__username="assistant2").exists()


@pytest.mark.parametrize("username", ["coordinator", "teacher", "parent", "provider"])
def test_it_refuses_other_roles(demo, username):
    assert client_for(username).get(URL).status_code == 403


def test_it_requires_login(demo):
    assert_login_redirect(client_for(None).get(URL))


def test_it_only_allows_get_and_post(demo):
    assert client_for("assistant2").put(URL).status_code == 405

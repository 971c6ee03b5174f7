import pytest

from poolplan.accounts.models import User
from poolplan.planning import services
from poolplan.planning.models import Notification
from tests.planning.view_helpers import assert_login_redirect, client_for

pytestmark = pytest.mark.django_db

URL = "/notifications/"


def notify(username, subject="Plan changed"):
    return services.notification_create(user=User.objects.get(username=username), school=None,
                                        subject=subject, body="Details.")


def test_it_lists_own_notifications_with_the_count_in_the_header(demo):
    notify("teacher", "Mine")
    notify("assistant1", "Not mine")
    html = client_for("teacher").get(URL).content.decode()
    assert "Mine" in html and "Not mine" not in html
    assert "1 unread" in html


def test_it_marks_all_as_read(demo):
    note = notify("teacher")
    response = client_for("teacher").post(URL)
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    assert "unread" not in client_for("teacher").get(URL).content.decode()


@pytest.mark.parametrize("username", ["coordinator", "assistant1", "teacher", "parent",
                                      "provider", "reviewer"])
def test_it_works_for_every_role(demo, username):
    assert client_for(username).get(URL).status_code == 200


def test_it_leaves_others_notifications_alone(demo):
    note = notify("assistant1")
    client_for("teacher").post(URL)
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_it_requires_login(demo):
    assert_login_redirect(client_for(None).get(URL))


def test_it_only_allows_get_and_post(demo):
    assert client_for("teacher").delete(URL).status_code == 405

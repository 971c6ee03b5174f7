import pytest

from poolplan.planning.models import Assignment
from poolplan.roster.models import SchoolClass
from tests.planning.view_helpers import (
    assert_login_redirect,
    client_for,
    comprehensive,
    publish_greedy,
    sick_day,
    week_of,
)

pytestmark = pytest.mark.django_db


def sixth_a():
    return SchoolClass.objects.get(school=comprehensive(), name="6a")


def url(school_class):
    return f"/classes/{school_class.pk}/plan/"


def test_it_shows_who_supports_which_child_of_the_class(demo):
    day = sick_day()
    week = week_of(day)
    plan = publish_greedy(school=comprehensive(), week=week)
    rows = Assignment.objects.filter(plan=plan, child__school_class=sixth_a()).select_related(
        "child", "assistant")
    other = Assignment.objects.filter(plan=plan).exclude(
        child__school_class=sixth_a()).select_related("child").first()
    html = client_for("teacher").get(url(sixth_a()), {"week": week}).content.decode()
    for row in rows[:5]:
        assert row.child.display_code in html and row.assistant.full_name in html
        assert row.child.last_name not in html
    assert other is None or other.child.display_code not in html


@pytest.mark.parametrize("username", ["coordinator", "assistant1"])
def test_it_works_for_the_pool(demo, username):
    assert client_for(username).get(url(sixth_a())).status_code == 200


@pytest.mark.parametrize("username", ["coordinator2", "parent", "provider", "reviewer"])
def test_it_hides_the_class_from_others(demo, username):
    assert client_for(username).get(url(sixth_a())).status_code == 404


def test_it_hides_other_classes_from_the_teacher(demo):
    other = SchoolClass.objects.filter(school=comprehensive()).exclude(
        name__in=["6a", "6b"]).first()
    assert client_for("teacher").get(url(other)).status_code == 404


def test_it_requires_login(demo):
    assert_login_redirect(client_for(None).get(url(sixth_a())))


def test_it_only_allows_get(demo):
    assert client_for("teacher").post(url(sixth_a())).status_code == 405

import pytest

from poolplan.accounts.models import AuditEvent
from poolplan.planning.models import Assignment, CalendarToken
from tests.planning.view_helpers import (
    assert_login_redirect,
    client_for,
    comprehensive,
    publish_greedy,
    sick_day,
    week_of,
)

pytestmark = pytest.mark.django_db

URL = "/me/day/"


def test_it_shows_where_to_be_with_whom_and_the_notes(demo):
    school, day = comprehensive(), sick_day()
    plan = publish_greedy(school=school, week=week_of(day))
    row = (Assignment.objects.filter(plan=plan, date=day, assistant__user__isnull=False)
           .select_related("assistant__user", "child", "period").first())
    username = row.assistant.user.username
    html = client_for(username).get(URL, {"date": day.isoformat()}).content.decode()
    assert row.period.start.strftime("%H:%M") in html
    assert row.child.display_code in html and row.child.first_name in html
    room = next(c for c in plan.instance["children"] if c["id"] == str(row.child_id))[
        "location"][row.slot]
    assert room in html
    if row.child.notes:
        assert row.child.notes[:40] in html
    assert AuditEvent.objects.filter(actor=row.assistant.user, action="read",
                                     summary__contains="my day").exists()


def test_it_says_when_nothing_is_planned(demo):
    html = client_for("assistant1").get(URL, {"date": "2026-01-05"}).content.decode()
    assert "Nothing planned for you" in html


def test_it_makes_and_revokes_the_calendar_address(demo):
    client = client_for("assistant1")
    assert client.post("/me/calendar/", {"action": "create"}).status_code == 302
    token = CalendarToken.objects.get(assistant__user__username="assistant1")
    assert token.token in client.get(URL).content.decode()
    client.post("/me/calendar/", {"action": "revoke"})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.token not in client.get(URL).content.decode()


def test_it_answers_404_for_a_bad_date(demo):
    assert client_for("assistant1").get(URL, {"date": "2026-02-30"}).status_code == 404


@pytest.mark.parametrize("username", ["coordinator", "teacher", "parent", "provider",
                                      "reviewer"])
def test_it_refuses_other_roles(demo, username):
    assert client_for(username).get(URL).status_code == 403
    assert client_for(username).post("/me/calendar/", {"action": "create"}).status_code == 403


def test_it_requires_login(demo):
    assert_login_redirect(client_for(None).get(URL))


def test_it_only_allows_get(demo):
    assert client_for("assistant1").post(URL).status_code == 405
    assert client_for("assistant1").get("/me/calendar/").status_code == 405


def test_it_audits_the_notes_read_in_one_insert_and_few_queries(
        demo, django_assert_max_num_queries):
    school, day = comprehensive(), sick_day()
    plan = publish_greedy(school=school, week=week_of(day))
    busiest = (Assignment.objects.filter(plan=plan, date=day, assistant__user__isnull=False)
               .values_list("assistant__user__username", flat=True))
    username = max(set(busiest), key=list(busiest).count)
    children = set(Assignment.objects.filter(
        plan=plan, date=day, assistant__user__username=username).values_list("child_id",
                                                                            flat=True))
    assert len(children) > 1
    client = client_for(username)
    with django_assert_max_num_queries(8):
        assert client.get(URL, {"date": day.isoformat()}).status_code == 200
    rows = AuditEvent.objects.filter(actor__username=username, action="read",
                                     summary__contains=f"my day {day.isoformat()}")
    assert sorted(rows.values_list("child_id", flat=True)) == sorted(children)

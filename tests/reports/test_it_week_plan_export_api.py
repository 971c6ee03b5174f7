"""GET /api/schools/{id}/week-plans/{week}.csv|.xlsx: the published plan, for the school's
coordinators only, audited."""

import datetime as dt

import pytest

from poolplan.accounts.models import AuditEvent
from tests.reports.conftest import (
    WEEK,
    WEEK_MONDAY,
    assert_error,
    assert_refused,
    read_csv,
    read_xlsx,
)

pytestmark = pytest.mark.django_db

HEADER = ["week", "date", "weekday", "period", "start", "end", "assistant", "child", "class",
          "room"]


def path(world, kind="csv", week=WEEK):
    return f"/schools/{world.school.pk}/week-plans/{week}.{kind}"


def test_it_works_as_csv_for_german_excel(api, rx):
    response = api("coordinator").get(path(rx))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="poolplan-school-a-{WEEK}.csv"')
    assert response["Cache-Control"] == "no-store"
    rows = read_csv(response.content)
    assert rows[0] == HEADER
    assert rows[1:] == [
        [WEEK, WEEK_MONDAY.isoformat(), "Monday", "period 1", "08:00", "08:45",
         "Jörg Weiß-Özdemir", child, cls, "Raum Ü1"]
        for child, cls in (("Fox 1", "5a"), ("Owl 2", "6b"))]
    # Umlauts survive the round trip, and the lines end as Excel writes them.
    assert "Weiß-Özdemir".encode() in response.content and b"\r\n" in response.content


def test_it_works_as_xlsx(api, rx):
    response = api("coordinator").get(path(rx, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_xlsx(response.content)
    assert rows[0] == HEADER
    assert rows[1][:7] == [WEEK, dt.datetime.combine(WEEK_MONDAY, dt.time()), "Monday",
                           "period 1", dt.time(8, 0), dt.time(8, 45), "Jörg Weiß-Özdemir"]
    assert [row[7] for row in rows[1:]] == ["Fox 1", "Owl 2"]


def test_it_exports_the_published_plan_not_a_newer_draft(api, rx):
    rows = read_csv(api("coordinator").get(path(rx)).content)
    assert all(row[6] != rx.other_assistant.full_name for row in rows)


def test_it_writes_an_audit_row(api, rx):
    api("coordinator").get(path(rx, "xlsx"))
    event = AuditEvent.objects.filter(object_type="plan").latest("id")
    assert event.actor == rx.user("coordinator") and event.object_id == str(rx.plan.pk)
    assert event.summary == (f"Exported the week plan {WEEK} (version 1) of School A as XLSX "
                             "(2 rows)")


def test_it_says_when_no_plan_is_published(api, rx):
    body = assert_error(api("coordinator").get(path(rx, week="2020-W10")), 404)
    assert body["message"] == "No plan of 2020-W10 is published at School A."
    assert_error(api("coordinator").get(path(rx, week="2026-W60")), 422)
    assert_error(api("coordinator").get(path(rx, week="next")), 422)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_it_is_for_the_schools_coordinators_only(api, rx, kind):
    assert_refused(api, "get", path(rx, kind), {
        "other_coordinator": 404, "assistant": 403, "other_assistant": 404, "teacher": 403,
        "parent": 403, "other_parent": 404, "provider": 403, "other_provider": 404,
        "reviewer": 403, "other_reviewer": 403})
    assert_error(api().get(path(rx, kind)), 401)
    assert not AuditEvent.objects.filter(object_type="plan").exists()

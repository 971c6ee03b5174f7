"""GET /api/schools/{id}/hours/{month}.csv|.xlsx: every child's minutes of the month for
billing (the log book's ledger), for the school's coordinators and the provider's
management, one audit row per child."""

import pytest

from poolplan.accounts.models import AuditEvent
from poolplan.logbook import selectors as logbook_selectors
from tests.reports.conftest import (
    LAST_MONTH,
    LAST_MONTH_TEXT,
    assert_error,
    assert_refused,
    read_csv,
    read_xlsx,
)

pytestmark = pytest.mark.django_db

HEADER = ["month", "school", "child", "class", "funding_body", "file_number",
          "approved_minutes", "planned_minutes", "delivered_minutes", "credited_minutes",
          "not_credited_minutes", "excused_minutes", "shortfall_minutes",
          "debt_before_minutes", "debt_added_minutes", "debt_made_up_minutes",
          "debt_after_minutes"]


def path(world, kind="csv", month=LAST_MONTH_TEXT):
    return f"/schools/{world.school.pk}/hours/{month}.{kind}"


def ledger_figures(world, child) -> list:
    """What the child's ledger page shows for the month: the export must say the same."""
    t = logbook_selectors.month_ledger(user=world.user("coordinator"), child=child,
                                       month=LAST_MONTH).total
    return [t.approved, t.planned, t.delivered, t.credited, t.not_credited, t.excused,
            t.shortfall, t.debt_before, t.debt_added, t.debt_made_up, t.debt_after]


@pytest.mark.parametrize("role", ["coordinator", "provider"])
def test_it_works_as_csv_for_german_excel(api, rx, role):
    response = api(role).get(path(rx))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="poolplan-hours-school-a-{LAST_MONTH_TEXT}.csv"')
    rows = read_csv(response.content)
    assert rows[0] == HEADER
    fox, owl = rows[1:]
    assert fox[:6] == [LAST_MONTH_TEXT, "School A", "Fox 1", "5a", "Youth office", "AZ-Fox 1"]
    assert owl[:6] == [LAST_MONTH_TEXT, "School A", "Owl 2", "6b", "Welfare office",
                       "AZ-Owl 2"]
    expected = ["" if v is None else str(v) for v in ledger_figures(rx, rx.child)]
    assert fox[6:] == expected
    assert fox[8] == fox[9] == "45"  # delivered and credited: the logged session (1:2 allowed)
    # No names: billing matches on the file number.
    assert "Müßig" not in response.content.decode("utf-8-sig")


def test_umlauts_survive_in_csv_and_xlsx(api, rx):
    rx.youth_office.name = "Jugendamt Süd-Öst"
    rx.youth_office.save()
    csv_rows = read_csv(api("coordinator").get(path(rx)).content)
    assert csv_rows[1][4] == "Jugendamt Süd-Öst"
    xlsx_rows = read_xlsx(api("coordinator").get(path(rx, "xlsx")).content)
    assert xlsx_rows[1][4] == "Jugendamt Süd-Öst"


def test_it_works_as_xlsx_with_numbers(api, rx):
    response = api("provider").get(path(rx, "xlsx"))
    assert response.status_code == 200
    rows = read_xlsx(response.content)
    assert rows[0] == HEADER
    assert rows[1][2] == "Fox 1" and rows[1][6:] == ledger_figures(rx, rx.child)
    assert isinstance(rows[1][8], int)


def test_it_writes_an_audit_row_per_child(api, rx):
    api("provider").get(path(rx))
    events = AuditEvent.objects.filter(summary__startswith="Exported the hours")
    assert sorted(e.child.display_code for e in events) == ["Fox 1", "Owl 2"]
    assert all(e.actor == rx.user("provider") for e in events)
    assert events.filter(child=rx.child).get().summary == (
        f"Exported the hours of Fox 1 for {LAST_MONTH_TEXT} (all children of School A) as CSV")


def test_it_keeps_a_child_archived_in_the_month(api, rx):
    from django.utils import timezone

    rx.child_6b.archived_at = timezone.now()
    rx.child_6b.save()
    rows = read_csv(api("coordinator").get(path(rx)).content)
    assert [row[2] for row in rows[1:]] == ["Fox 1", "Owl 2"]
    next_year = f"{LAST_MONTH.year + 1}-{LAST_MONTH.month:02d}"
    rows = read_csv(api("coordinator").get(path(rx, month=next_year)).content)
    assert [row[2] for row in rows[1:]] == ["Fox 1"]


def test_it_validates_the_month(api, rx):
    assert_error(api("coordinator").get(path(rx, month="2026-13")), 422)
    assert_error(api("coordinator").get(path(rx, month="1999-12")), 422)
    # Centuries ahead would compute the ledger week by week up to then: refused at once.
    assert_error(api("coordinator").get(path(rx, month="9999-12")), 422)
    two_years = f"{LAST_MONTH.year + 2}-{LAST_MONTH.month:02d}"
    body = assert_error(api("coordinator").get(path(rx, month=two_years)), 422)
    assert body["message"].startswith("Choose a month up to ")
    assert api("coordinator").get(path(rx, month="2000-01")).status_code == 200


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_it_is_for_the_coordinators_and_the_provider_only(api, rx, kind):
    assert_refused(api, "get", path(rx, kind), {
        "other_coordinator": 404, "assistant": 403, "other_assistant": 404, "teacher": 403,
        "parent": 403, "other_parent": 404, "other_provider": 404, "reviewer": 403,
        "other_reviewer": 403})
    assert_error(api().get(path(rx, kind)), 401)
    assert not AuditEvent.objects.filter(summary__startswith="Exported the hours").exists()


def test_the_ledger_page_and_the_provider_home_link_to_it(client, rx):
    from django.urls import reverse

    link = reverse("api:get_hours_csv", kwargs={"school_id": rx.school.pk,
                                                "month": LAST_MONTH_TEXT})
    ledger = reverse("child_ledger", args=[rx.child.pk, LAST_MONTH_TEXT])
    for role, shown in (("coordinator", True), ("provider", True), ("parent", False)):
        client.force_login(rx.user(role))
        response = client.get(ledger)
        assert response.status_code == 200, role
        assert (link in response.content.decode()) is shown, role
    client.force_login(rx.user("provider"))
    assert link in client.get(reverse("home")).content.decode()

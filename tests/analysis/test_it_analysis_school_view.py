"""/analysis/<school>/: the coordinators of the school and the managers of its provider choose
parameters, start a run (audited) and read its figures, charts and recommendation; every other
role is refused."""

import pytest

from poolplan.accounts.models import AuditAction, AuditEvent
from poolplan.analysis.models import AnalysisRun, AnalysisStatus

from .conftest import client_for, form_data, week


def url(school):
    return f"/analysis/{school.pk}/"


@pytest.mark.parametrize("who", ["coordinator", "provider"])
def test_it_shows_the_form_to_coordinator_and_provider(world, who):
    response = client_for(world.user(who)).get(url(world.school))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Needs analysis" in html and "School A" in html
    assert 'name="runs"' in html and 'name="absence"' in html and 'name="extra"' in html
    assert "Start the simulation" in html
    assert "<svg" not in html  # nothing simulated yet


@pytest.mark.parametrize("who", ["coordinator", "provider"])
def test_it_starts_a_run_and_shows_its_figures(world, who):
    user = world.user(who)
    client = client_for(user)
    response = client.post(url(world.school), form_data(runs="30"))
    run = AnalysisRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/analysis/{world.school.pk}/?run={run.pk}#run-status"
    assert run.status == AnalysisStatus.DONE, run.error
    assert run.parameters == {"runs": 30, "days": 10, "absence": 0.15, "child_absence": 0.07,
                              "extra": None, "hourly_rate": 35.0, "target": 0.9, "seed": 1}
    assert AuditEvent.objects.filter(object_type="analysisrun", object_id=str(run.pk),
                                     action=AuditAction.CREATE, actor=user).exists()
    html = client.get(response["Location"]).content.decode()
    assert "Done" in html and 'hx-trigger="every 2s"' not in html
    # The comparison: three policies, every figure with its interval.
    for label in ("One-to-one", "Pool + k", "Child-days with support",
                  "Make-up debt at year end (hours, all children)",
                  "Cost per hour of support delivered"):
        assert label in html
    # Two charts as accessible inline SVG, each with a table of its figures.
    assert html.count('role="img"') == 2
    assert 'aria-labelledby="coverage-title coverage-desc"' in html
    assert "Make-up debt over the year" in html and "The figures as a table" in html
    # The recommendation.
    assert "How many assistants the pool needs" in html
    assert "Children who should keep a fixed person" in html
    assert "Fox 1" in html or "None: no child" in html
    # No child's name on the page (provider managers do not see names).
    assert "Muster" not in html


def test_it_answers_htmx_with_a_redirect_to_the_run(world):
    response = client_for(world.user("coordinator")).post(
        url(world.school), form_data(), headers={"HX-Request": "true"})
    run = AnalysisRun.objects.get()
    assert response["HX-Redirect"] == f"/analysis/{world.school.pk}/?run={run.pk}#run-status"


def test_it_refuses_bad_parameters_in_words_next_to_the_fields(world):
    response = client_for(world.user("coordinator")).post(
        url(world.school), form_data(runs="5", absence="80", week="next week"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value is greater than or equal to 20." in html
    assert "Ensure this value is less than or equal to 50." in html
    assert "is not an ISO week" in html
    assert not AnalysisRun.objects.exists()


def test_the_page_shows_the_latest_finished_run_and_the_history(world):
    client = client_for(world.user("coordinator"))
    client.post(url(world.school), form_data())
    first = AnalysisRun.objects.get()
    queued = AnalysisRun.objects.create(school=world.school, week=week(),
                                        parameters=first.parameters)
    html = client.get(url(world.school)).content.decode()
    assert f"Simulation {first.pk} of week" in html
    assert f"?run={queued.pk}" in html and "Earlier simulations" in html
    polling = client.get(url(world.school) + f"?run={queued.pk}").content.decode()
    assert 'hx-trigger="every 2s"' in polling
    assert f'hx-get="/analysis/runs/{queued.pk}/"' in polling


@pytest.mark.parametrize(("who", "status"), [
    ("assistant", 403), ("teacher", 403), ("parent", 403), ("reviewer", 403),
    ("other_coordinator", 404), ("other_provider", 404), ("other_parent", 404),
    ("other_reviewer", 403),
])
def test_it_refuses_every_other_role(world, who, status):
    client = client_for(world.user(who))
    assert client.get(url(world.school)).status_code == status
    assert client.post(url(world.school), form_data()).status_code == status
    assert not AnalysisRun.objects.exists()


def test_it_hides_runs_of_other_schools(world):
    run = AnalysisRun.objects.create(school=world.other_school, week=week(), parameters={})
    client = client_for(world.user("coordinator"))
    assert client.get(url(world.school) + f"?run={run.pk}").status_code == 404


def test_it_requires_login(world):
    response = client_for(None).get(url(world.school))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_only_allows_get_and_post(world):
    assert client_for(world.user("coordinator")).put(url(world.school)).status_code == 405

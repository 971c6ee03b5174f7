"""/analysis/runs/<run>/: the status panel htmx polls while a run is queued or running."""

import pytest

from poolplan.analysis.models import AnalysisRun, AnalysisStatus

from .conftest import client_for, small, week

HTMX = {"HX-Request": "true"}


@pytest.fixture
def run(world):
    return AnalysisRun.objects.create(school=world.school, week=week(), parameters=small(),
                                      status=AnalysisStatus.RUNNING, percent=40,
                                      progress="Simulating 20 school years: Pool")


def test_it_polls_a_running_run_and_redirects_when_done(world, run):
    client = client_for(world.user("provider"))
    poll = client.get(f"/analysis/runs/{run.pk}/", headers=HTMX)
    html = poll.content.decode()
    assert poll.status_code == 200 and "Simulating 20 school years: Pool" in html
    assert 'hx-trigger="every 2s"' in html and 'value="40"' in html
    AnalysisRun.objects.filter(pk=run.pk).update(status=AnalysisStatus.FAILED, error="Broken.")
    poll = client.get(f"/analysis/runs/{run.pk}/", headers=HTMX)
    assert poll["HX-Redirect"] == f"/analysis/{world.school.pk}/?run={run.pk}#run-status"
    page = client.get(poll["HX-Redirect"]).content.decode()
    assert "Broken." in page and "Failed" in page


def test_without_htmx_it_leads_to_the_page(world, run):
    response = client_for(world.user("coordinator")).get(f"/analysis/runs/{run.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/analysis/{world.school.pk}/?run={run.pk}#run-status"


@pytest.mark.parametrize("who", ["assistant", "teacher", "parent", "reviewer",
                                 "other_coordinator", "other_provider"])
def test_it_hides_runs_from_every_other_role(world, run, who):
    assert client_for(world.user(who)).get(f"/analysis/runs/{run.pk}/",
                                           headers=HTMX).status_code == 404

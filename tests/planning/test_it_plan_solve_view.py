import pytest

from poolplan.planning.models import Plan, PlanStatus, SolveJob, SolveJobStatus
from tests.planning.view_helpers import (
    assert_login_redirect,
    client_for,
    comprehensive,
    sick_day,
    week_of,
)

pytestmark = pytest.mark.django_db


def url(school, week):
    return f"/plans/{school.pk}/{week}/solve/"


def test_it_queues_a_solve_and_shows_its_status(demo, settings):
    settings.PLANNER_TIME_LIMIT = 2
    school, week = comprehensive(), week_of(sick_day())
    client = client_for("coordinator")
    response = client.post(url(school, week))
    job = SolveJob.objects.get(school=school, week=week)
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{school.pk}/{week}/?job={job.pk}#solve-status"
    # The immediate backend of the tests ran it inside the request.
    assert job.status == SolveJobStatus.DONE, job.error
    html = client.get(response["Location"]).content.decode()
    assert "Done" in html and f"draft version {job.plan.version}" in html
    assert 'hx-trigger="every 2s"' not in html
    assert Plan.objects.get(pk=job.plan.pk).status == PlanStatus.DRAFT


def test_it_polls_a_running_job_and_redirects_when_done(demo):
    school, week = comprehensive(), week_of(sick_day())
    job = SolveJob.objects.create(school=school, week=week, time_limit=5,
                                  status=SolveJobStatus.RUNNING, progress="Solving (at most 5 s).")
    client = client_for("coordinator")
    board = client.get(f"/plans/{school.pk}/{week}/?job={job.pk}").content.decode()
    assert 'hx-trigger="every 2s"' in board and f"/plans/jobs/{job.pk}/" in board
    poll = client.get(f"/plans/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and b"Solving (at most 5 s)." in poll.content
    assert b'hx-trigger="every 2s"' in poll.content
    SolveJob.objects.filter(pk=job.pk).update(status=SolveJobStatus.FAILED, error="No luck.")
    poll = client.get(f"/plans/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert poll.status_code == 200
    assert poll["HX-Redirect"] == f"/plans/{school.pk}/{week}/?job={job.pk}"
    html = client.get(poll["HX-Redirect"]).content.decode()
    assert "No luck." in html and "Failed" in html


@pytest.mark.parametrize(("username", "status"), [
    ("assistant1", 403), ("teacher", 403), ("coordinator2", 404)])
def test_it_refuses_other_roles(demo, username, status):
    school, week = comprehensive(), week_of(sick_day())
    assert client_for(username).post(url(school, week)).status_code == status
    assert not SolveJob.objects.exists()


def test_it_hides_jobs_from_other_roles(demo):
    school, week = comprehensive(), week_of(sick_day())
    job = SolveJob.objects.create(school=school, week=week, time_limit=5)
    for username in ("assistant1", "teacher", "coordinator2"):
        assert client_for(username).get(f"/plans/jobs/{job.pk}/").status_code == 404


def test_it_requires_login(demo):
    assert_login_redirect(client_for(None).post(url(comprehensive(), week_of(sick_day()))))


def test_it_only_allows_post(demo):
    assert client_for("coordinator").get(url(comprehensive(), week_of(sick_day()))
                                         ).status_code == 405

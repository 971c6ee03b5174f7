import pytest

from poolplan.planning import services
from poolplan.planning.models import Notification, PlanStatus, SolveJob, SolveJobStatus
from poolplan.roster import services as roster_services
from poolplan.roster.models import Assistant
from tests.planning.view_helpers import (
    assert_login_redirect,
    client_for,
    comprehensive,
    publish_greedy,
    sick_day,
    week_of,
)

pytestmark = pytest.mark.django_db


def url(school, day):
    return f"/plans/{school.pk}/proposals/{day.isoformat()}/"


@pytest.fixture
def sick(demo):
    school, day = comprehensive(), sick_day()
    base = publish_greedy(school=school, week=week_of(day))
    nurse = Assistant.objects.get(user__username="assistant2")
    roster_services.absence_create(actor=None, assistant=nurse, start=day, end=day,
                                   reason="illness")
    return school, day, base, nurse


@pytest.fixture
def queued_only(settings):
    """The worker has not taken the job yet: it stays queued until a test runs it."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def no_solving(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a web request waited on the solver")

    monkeypatch.setattr(services, "_solve_document", refuse)


def test_it_shows_the_progress_while_the_planner_works(sick, queued_only, no_solving):
    school, day, base, nurse = sick
    response = client_for("coordinator").get(url(school, day))
    assert response.status_code == 200
    html = response.content.decode()
    job = SolveJob.objects.get(kind="proposal", day=day)
    assert job.status == SolveJobStatus.QUEUED
    assert "The planner is replanning the day" in html and "Queued" in html
    # htmx polls the job; without JavaScript the page reloads itself and has a link.
    assert f'hx-get="/plans/jobs/{job.pk}/"' in html and 'hx-trigger="every 2s"' in html
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert f'href="{url(school, day)}">Check again' in html
    assert "Accept and publish" not in html
    assert nurse.full_name in html  # the absence is listed meanwhile


def test_the_poll_loads_the_proposal_when_the_job_is_done(sick, queued_only):
    school, day, base, nurse = sick
    client = client_for("coordinator")
    client.get(url(school, day))
    job = SolveJob.objects.get(kind="proposal", day=day)
    poll = client.get(f"/plans/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and b'hx-trigger="every 2s"' in poll.content
    assert b"The planner is replanning the day" in poll.content
    SolveJob.objects.filter(pk=job.pk).update(status=SolveJobStatus.RUNNING)
    assert b"<progress" in client.get(f"/plans/jobs/{job.pk}/",
                                      headers={"HX-Request": "true"}).content
    SolveJob.objects.filter(pk=job.pk).update(status=SolveJobStatus.QUEUED)
    services.solve_job_run(job_id=job.pk)
    poll = client.get(f"/plans/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert poll["HX-Redirect"] == url(school, day)
    # Without htmx the status address leads to the page itself.
    assert client.get(f"/plans/jobs/{job.pk}/")["Location"] == url(school, day)
    html = client.get(url(school, day)).content.decode()
    assert "What changes" in html and "Accept and publish" in html
    assert 'hx-trigger="every 2s"' not in html


def test_it_shows_the_diff_and_a_short_reason_per_child(sick):
    school, day, base, nurse = sick
    response = client_for("coordinator").get(url(school, day))
    assert response.status_code == 200
    html = response.content.decode()
    assert "What changes" in html and "Children who lose minutes" in html
    assert nurse.full_name in html
    if base.assignments.filter(assistant=nurse, date=day).exists():
        assert f"instead of {nurse.full_name}" in html or "loses the support of" in html
    assert f'name="base_version" value="{base.version}"' in html
    job = SolveJob.objects.get(kind="proposal", day=day)
    assert f'name="proposal" value="{job.plan.version}"' in html
    for loss in services.proposal_of(job).losses:
        # The short line, then the planner's full text behind a disclosure.
        assert loss["text"] in html
        assert (f"<summary>The planner's full explanation for {loss['display_code']}"
                "</summary>") in html


def test_it_accepts_the_stored_proposal_without_solving(sick, monkeypatch):
    school, day, base, nurse = sick
    client = client_for("coordinator")
    client.get(url(school, day))
    shown = SolveJob.objects.get(kind="proposal", day=day).plan
    monkeypatch.setattr(services, "_solve_document",
                        lambda *a, **k: pytest.fail("accepting solved again"))
    response = client.post(url(school, day), {"base_version": base.version,
                                              "proposal": shown.version})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{school.pk}/{week_of(day)}/"
    base.refresh_from_db()
    shown.refresh_from_db()
    assert base.status == PlanStatus.SUPERSEDED and shown.status == PlanStatus.PUBLISHED
    assert not shown.assignments.filter(assistant=nurse, date=day).exists()
    assert Notification.objects.filter(user__username="coordinator").exists()


def test_it_refuses_an_accept_for_an_older_version(sick):
    school, day, base, _nurse = sick
    client = client_for("coordinator")
    client.get(url(school, day))
    response = client.post(url(school, day), {"base_version": base.version + 5})
    assert response.status_code == 409
    assert b"look at the new proposal" in response.content
    base.refresh_from_db()
    assert base.status == PlanStatus.PUBLISHED


def test_it_refuses_the_accept_when_another_plan_was_published_since(sick):
    school, day, base, _nurse = sick
    client = client_for("coordinator")
    client.get(url(school, day))
    shown = SolveJob.objects.get(kind="proposal", day=day).plan
    newer = services.plan_publish(actor=None, plan=services.plan_draft_copy(actor=None,
                                                                            plan=base))
    response = client.post(url(school, day), {"base_version": base.version,
                                              "proposal": shown.version})
    assert response.status_code == 409
    html = response.content.decode()
    assert "The published plan changed since this proposal was made" in html
    assert f"version {newer.version} is published now" in html
    shown.refresh_from_db()
    assert shown.status == PlanStatus.DRAFT
    # The page goes on with a proposal for the plan now in force.
    assert f'name="base_version" value="{newer.version}"' in html


def test_a_failed_job_offers_a_retry(sick, queued_only, monkeypatch):
    school, day, base, _nurse = sick
    client = client_for("coordinator")
    client.get(url(school, day))
    job = SolveJob.objects.get(kind="proposal", day=day)
    monkeypatch.setattr(services, "_solve_document",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("solver crashed")))
    services.solve_job_run(job_id=job.pk)
    html = client.get(url(school, day)).content.decode()
    assert "solver crashed" in html and "Try again" in html
    assert 'hx-trigger="every 2s"' not in html
    response = client.post(url(school, day), {"action": "retry", "job": job.pk})
    assert response.status_code == 302 and response["Location"] == url(school, day)
    job.refresh_from_db()
    assert job.status == SolveJobStatus.QUEUED and job.attempts == 1


def test_it_refuses_an_accept_before_the_proposal_is_ready(sick, queued_only):
    school, day, base, _nurse = sick
    response = client_for("coordinator").post(url(school, day),
                                              {"base_version": base.version})
    assert response.status_code == 400
    assert b"No proposal for" in response.content and b"is ready to accept" in response.content
    base.refresh_from_db()
    assert base.status == PlanStatus.PUBLISHED


def test_it_says_when_nothing_is_published(demo):
    response = client_for("coordinator").get(url(comprehensive(), sick_day()))
    assert response.status_code == 400
    assert b"solve and publish the week first" in response.content
    assert not SolveJob.objects.exists()


@pytest.mark.parametrize(("username", "status"), [
    ("assistant2", 403), ("teacher", 403), ("parent", 403), ("coordinator2", 404)])
def test_it_refuses_other_roles(sick, username, status):
    school, day, base, _nurse = sick
    assert client_for(username).get(url(school, day)).status_code == status
    assert client_for(username).post(url(school, day)).status_code == status
    assert client_for(username).post(url(school, day), {"action": "retry",
                                                        "job": 1}).status_code == status
    assert not SolveJob.objects.exists()
    base.refresh_from_db()
    assert base.status == PlanStatus.PUBLISHED


def test_it_hides_the_proposal_job_from_other_roles(sick, queued_only):
    school, day, base, _nurse = sick
    client_for("coordinator").get(url(school, day))
    job = SolveJob.objects.get(kind="proposal", day=day)
    for username in ("assistant2", "teacher", "coordinator2"):
        assert client_for(username).get(f"/plans/jobs/{job.pk}/").status_code == 404


def test_it_requires_login(demo):
    assert_login_redirect(client_for(None).get(url(comprehensive(), sick_day())))


def test_it_only_allows_get_and_post(demo):
    assert client_for("coordinator").delete(url(comprehensive(), sick_day())).status_code == 405

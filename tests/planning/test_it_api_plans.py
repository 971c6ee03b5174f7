"""GET /schools/{id}/plans/{week}, POST .../solve, GET /jobs/{id}, POST /jobs/{id}/retry,
POST .../publish: on the permission world of tests/factories.py (API token per role)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from poolplan.planner import check, load_instance
from poolplan.planning.models import Plan, PlanStatus, SolveJob, SolveJobStatus
from poolplan.roster.models import WorkingTime
from tests import dates
from tests.api.conftest import assert_error, assert_refused

# A week of the current school year, whole: the world's approvals cover it (tests/dates.py).
WEEK = dates.iso_week(dates.school_week())
OUTSIDERS = {"other_coordinator": 404, "other_assistant": 404, "other_parent": 404,
             "other_provider": 404}
# Can see the school, may not plan its pool.
NOT_PLANNERS = {"assistant": 403, "teacher": 403, "parent": 403, "provider": 403,
                "reviewer": 403, "other_reviewer": 403, **OUTSIDERS}
NOT_READERS = {"parent": 403, "provider": 403, "reviewer": 403, "other_reviewer": 403,
               **OUTSIDERS}


@pytest.fixture
def working(world):
    # Anna works Mondays, so the plan has a row: she supports Fox 1 (5a) and Owl 2 (6b).
    WorkingTime.objects.create(assistant=world.assistant, weekday=1, start=dt.time(7, 30),
                               end=dt.time(13, 0))
    return world


def _solve(api, school_id, week=WEEK):
    response = api("coordinator").post(f"/schools/{school_id}/plans/{week}/solve", {})
    assert response.status_code == 202, response.content
    return response.json()["job"]


def _published(api, world):
    _solve(api, world.school.pk)
    response = api("coordinator").post(f"/schools/{world.school.pk}/plans/{WEEK}/publish", {})
    assert response.status_code == 200, response.content
    return Plan.objects.get(school=world.school, status=PlanStatus.PUBLISHED)


def test_it_works(api, working):
    school_id = working.school.pk
    job_id = _solve(api, school_id)
    job = api("coordinator").get(f"/jobs/{job_id}").json()
    assert job["status"] == "done" and job["result"]["status"] == "draft"
    assert job["result"]["version"] == 1
    assert_error(api("coordinator").get(f"/schools/{school_id}/plans/{WEEK}"), 404)

    response = api("coordinator").post(f"/schools/{school_id}/plans/{WEEK}/publish", {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"

    document = api("coordinator").get(f"/schools/{school_id}/plans/{WEEK}").json()
    assert document["format"] == "poolplan-plan/1" and document["assignments"]
    out = io.StringIO()
    call_command("export_instance", school=school_id, week=WEEK, stdout=out)
    assert check(load_instance(json.loads(out.getvalue())), document).valid


def test_it_shows_pool_members_the_whole_plan_and_teachers_their_classes(api, working):
    _published(api, working)
    path = f"/schools/{working.school.pk}/plans/{WEEK}"
    whole = api("assistant").get(path).json()
    assert {c for r in whole["assignments"] for c in r["children"]} == {
        str(working.child.pk), str(working.child_6b.pk)}
    mine = api("teacher").get(path).json()
    assert mine["scope"] == "classes"
    assert [c for r in mine["assignments"] for c in r["children"]] == [str(working.child.pk)]
    assert [c["id"] for c in mine["children"]] == [str(working.child.pk)]
    assert "explanations" not in mine and "objective" not in mine


def test_it_refuses_reading_to_other_roles(api, working):
    _published(api, working)
    assert_refused(api, "get", f"/schools/{working.school.pk}/plans/{WEEK}", NOT_READERS)
    assert_error(api().get(f"/schools/{working.school.pk}/plans/{WEEK}"), 401)


def test_it_refuses_solving_to_other_roles(api, world):
    assert_refused(api, "post", f"/schools/{world.school.pk}/plans/{WEEK}/solve",
                   NOT_PLANNERS, data={})
    assert_error(api().post(f"/schools/{world.school.pk}/plans/{WEEK}/solve", {}), 401)
    assert not SolveJob.objects.exists()


def test_it_refuses_publishing_to_other_roles(api, world):
    _solve(api, world.school.pk)
    assert_refused(api, "post", f"/schools/{world.school.pk}/plans/{WEEK}/publish",
                   NOT_PLANNERS, data={})
    assert not Plan.objects.filter(status=PlanStatus.PUBLISHED).exists()


def test_it_shows_jobs_to_the_schools_coordinators_only(api, world):
    job_id = _solve(api, world.school.pk)
    everyone_else = {role: 404 for role in NOT_PLANNERS}
    assert_refused(api, "get", f"/jobs/{job_id}", everyone_else)
    assert_refused(api, "post", f"/jobs/{job_id}/retry", everyone_else, data={})
    assert_error(api().get(f"/jobs/{job_id}"), 401)


def test_it_retries_a_failed_job(api, world):
    job_id = _solve(api, world.school.pk)
    assert_error(api("coordinator").post(f"/jobs/{job_id}/retry", {}), 422)
    SolveJob.objects.filter(pk=job_id).update(status=SolveJobStatus.FAILED, error="crash")
    response = api("coordinator").post(f"/jobs/{job_id}/retry", {})
    assert response.status_code == 202 and response.json() == {"job": job_id}
    assert api("coordinator").get(f"/jobs/{job_id}").json()["status"] == "done"


def test_it_refuses_a_publish_with_an_old_edit_version(api, world):
    _solve(api, world.school.pk)
    body = assert_error(api("coordinator").post(
        f"/schools/{world.school.pk}/plans/{WEEK}/publish", {"edit_version": 9}), 409)
    assert "reload" in body["message"]


def test_it_validates_the_week_and_the_body(api, world):
    client = api("coordinator")
    details = assert_error(client.post(f"/schools/{world.school.pk}/plans/2026-W60/solve", {}),
                           422)["details"]
    assert "week" in details
    assert_error(client.post(f"/schools/{world.school.pk}/plans/{WEEK}/solve",
                             {"time_limit": True}), 422)
    assert_error(client.post(f"/schools/{world.school.pk}/plans/{WEEK}/publish", {}), 404)

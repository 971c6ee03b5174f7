"""The issue's flow through the API with a token: solve and publish the comprehensive
school's week, report assistant2 (a2, nursing) sick for the next school day, read the
proposal with its diff and lost minutes, accept it."""

import json

import pytest
from django.test import Client

from poolplan.accounts.models import User
from poolplan.accounts.services import api_token_create
from poolplan.planner import check, load_instance
from poolplan.planning.models import Notification, Plan, PlanStatus
from tests.planning.helpers import comprehensive, next_school_day, week_of


class Api:
    def __init__(self, username: str):
        token = api_token_create(user=User.objects.get(username=username))
        self.client = Client(headers={"Authorization": f"Bearer {token}"})

    def get(self, path):
        return self.client.get("/api" + path)

    def post(self, path, data):
        return self.client.post("/api" + path, json.dumps(data), content_type="application/json")


@pytest.fixture
def coordinator(demo):
    return Api("coordinator")


def test_the_sick_call_flow(coordinator):
    school, day = comprehensive(), next_school_day()
    week = week_of(day)
    a2 = User.objects.get(username="assistant2").assistant

    response = coordinator.post(f"/schools/{school.pk}/plans/{week}/solve", {})
    assert response.status_code == 202, response.content
    job = coordinator.get(f"/jobs/{response.json()['job']}").json()
    assert job["status"] == "done", job
    assert coordinator.post(f"/schools/{school.pk}/plans/{week}/publish",
                            {}).status_code == 200
    before = coordinator.get(f"/schools/{school.pk}/plans/{week}").json()
    day_slots = {s["id"] for s in Plan.objects.get(school=school, version=1).instance["slots"]
                 if s["day"] == day.strftime("%a").lower()}
    assert any(r["assistant"] == str(a2.pk) and r["slot"] in day_slots
               for r in before["assignments"])

    response = coordinator.post("/absences", {"assistant": a2.pk, "start": day.isoformat(),
                                              "end": day.isoformat(), "reason": "illness"})
    assert response.status_code == 201, response.content

    response = coordinator.get(f"/schools/{school.pk}/proposals/{day.isoformat()}")
    assert response.status_code == 200, response.content
    proposal = response.json()
    assert proposal["base_version"] == 1 and proposal["status"] == "draft"
    assert proposal["changes"] and proposal["summary"]
    assert all(c["date"] == day.isoformat() for c in proposal["changes"])
    assert all(loss["minutes"] > 0 and loss["why"] for loss in proposal["losses"])

    response = coordinator.post(f"/schools/{school.pk}/proposals/{day.isoformat()}/accept",
                                {"base_version": 1})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"

    after = coordinator.get(f"/schools/{school.pk}/plans/{week}").json()
    published = Plan.objects.get(school=school, week=week, status=PlanStatus.PUBLISHED)
    assert published.version == response.json()["proposal_version"]
    assert check(load_instance(published.instance), after).valid
    assert not any(r["assistant"] == str(a2.pk) and r["slot"] in day_slots
                   for r in after["assignments"])
    # Other days are as published before.
    assert ({(r["slot"], r["assistant"], tuple(r["children"])) for r in before["assignments"]
             if r["slot"] not in day_slots}
            <= {(r["slot"], r["assistant"], tuple(r["children"])) for r in after["assignments"]})
    assert Notification.objects.filter(user__username="assistant2").exists()
    # Accepting twice: the proposal now has another base.
    assert coordinator.post(f"/schools/{school.pk}/proposals/{day.isoformat()}/accept",
                            {"base_version": 1}).status_code == 409


def test_the_proposal_is_made_in_the_background(coordinator, settings, monkeypatch):
    """GET answers 202 with the job while the worker has not made the proposal, 200 with the
    proposal once it has; accept names the proposal version and never solves."""
    from poolplan.planning import services
    from poolplan.planning.models import SolveJob
    from tests.planning.view_helpers import publish_greedy

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    school, day = comprehensive(), next_school_day()
    base = publish_greedy(school=school, week=week_of(day))
    a2 = User.objects.get(username="assistant2").assistant
    assert coordinator.post("/absences", {"assistant": a2.pk, "start": day.isoformat(),
                                          "end": day.isoformat(),
                                          "reason": "illness"}).status_code == 201
    path = f"/schools/{school.pk}/proposals/{day.isoformat()}"

    response = coordinator.get(path)
    assert response.status_code == 202, response.content
    pending = response.json()
    assert pending["status"] == "queued" and pending["error"] == ""
    job = coordinator.get(f"/jobs/{pending['job']}").json()
    assert (job["kind"], job["date"], job["status"]) == ("proposal", day.isoformat(), "queued")
    assert coordinator.get(path).json()["job"] == pending["job"]  # the same job, not a second
    assert coordinator.post(f"{path}/accept", {}).status_code == 422  # nothing ready yet

    services.solve_job_run(job_id=pending["job"])
    job = coordinator.get(f"/jobs/{pending['job']}").json()
    assert job["status"] == "done" and job["result"]["status"] == "draft"
    response = coordinator.get(path)
    assert response.status_code == 200
    proposal = response.json()
    assert proposal["base_version"] == base.version
    assert all("reason" in loss for loss in proposal["losses"])

    monkeypatch.setattr(services, "_solve_document",
                        lambda *a, **k: pytest.fail("accepting solved again"))
    response = coordinator.post(f"{path}/accept",
                                {"proposal_version": proposal["proposal_version"],
                                 "base_version": base.version})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert SolveJob.objects.get(pk=pending["job"]).plan.status == PlanStatus.PUBLISHED

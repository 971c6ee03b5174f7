"""GET /schools/{id}/proposals/{date} and POST .../accept: permissions and bad input on the
permission world (the full sick-call flow is in test_it_api_sick_call.py)."""

import pytest

from tests.api.conftest import assert_error, assert_refused
from tests.planning.helpers import next_school_day

OUTSIDERS = {"other_coordinator": 404, "other_assistant": 404, "other_parent": 404,
             "other_provider": 404}
NOT_PLANNERS = {"assistant": 403, "teacher": 403, "parent": 403, "provider": 403,
                "reviewer": 403, "other_reviewer": 403, **OUTSIDERS}


@pytest.fixture
def day():
    return next_school_day().isoformat()


def test_it_refuses_the_proposal_to_other_roles(api, world, day):
    path = f"/schools/{world.school.pk}/proposals/{day}"
    assert_refused(api, "get", path, NOT_PLANNERS)
    assert_error(api().get(path), 401)


def test_it_refuses_accepting_to_other_roles(api, world, day):
    path = f"/schools/{world.school.pk}/proposals/{day}/accept"
    assert_refused(api, "post", path, NOT_PLANNERS, data={})
    assert_error(api().post(path, {}), 401)


def test_it_needs_a_published_plan(api, world, day):
    body = assert_error(api("coordinator").get(f"/schools/{world.school.pk}/proposals/{day}"),
                        422)
    assert "publish" in body["message"]
    assert_error(api("coordinator").post(f"/schools/{world.school.pk}/proposals/{day}/accept",
                                         {}), 422)


def test_it_validates_the_date(api, world):
    client = api("coordinator")
    assert "date" in assert_error(
        client.get(f"/schools/{world.school.pk}/proposals/2026-02-30"), 422)["details"]
    assert "date" in assert_error(
        client.get(f"/schools/{world.school.pk}/proposals/2020-01-06"), 422)["details"]
    assert_error(client.get(f"/schools/{world.school.pk}/proposals/tomorrow"), 422)

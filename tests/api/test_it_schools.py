"""GET/POST /api/schools, GET/PATCH /api/schools/{id}."""

from poolplan.accounts.models import AuditEvent
from poolplan.roster.models import School
from tests.api.conftest import assert_error, assert_refused

# School A is visible to its staff, the parent of a child there, the provider and both
# reviewers (each has a child there); the pools of other schools and providers do not see it.
INVISIBLE = {"other_coordinator": 404, "other_assistant": 404, "other_parent": 404,
             "other_provider": 404}


def test_it_works(api, world):
    response = api("coordinator").get("/schools")
    assert response.status_code == 200
    assert response.json() == [{"id": world.school.pk, "name": "School A",
                                "funding_model": "individual",
                                "budget_minutes_per_week": None}]


def test_it_shows_each_role_its_schools(api, world):
    expected = {"provider": ["School A", "School A2"], "other_provider": ["School B"],
                "teacher": ["School A"], "parent": ["School A"],
                "reviewer": ["School A", "School A2", "School B"]}
    for role, names in expected.items():
        assert sorted(s["name"] for s in api(role).get("/schools").json()) == names, role


def test_it_requires_auth(api, world):
    assert_error(api().get("/schools"), 401)
    assert_error(api().get(f"/schools/{world.school.pk}"), 401)
    assert_error(api().post("/schools", {"name": "X"}), 401)
    assert_error(api().patch(f"/schools/{world.school.pk}", {"name": "X"}), 401)


def test_it_gets_one_school(api, world):
    response = api("teacher").get(f"/schools/{world.school.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "School A"


def test_it_validates_ownership_on_get(api, world):
    assert_refused(api, "get", f"/schools/{world.school.pk}", INVISIBLE)


def test_it_creates_a_school_for_the_provider(api, world):
    response = api("provider").post("/schools", {"name": "School C",
                                                 "funding_model": "school_budget",
                                                 "budget_minutes_per_week": 6000})
    assert response.status_code == 201, response.content
    school = School.objects.get(pk=response.json()["id"])
    assert school.provider == world.provider
    assert AuditEvent.objects.filter(object_type="school", object_id=str(school.pk)).exists()


def test_it_refuses_school_creation_to_everyone_but_provider_managers(api, world):
    refused = {role: 403 for role in ("coordinator", "other_coordinator", "assistant",
                                      "teacher", "parent", "reviewer")}
    assert_refused(api, "post", "/schools", refused, data={"name": "School Z"})
    assert not School.objects.filter(name="School Z").exists()


def test_it_validates_the_budget(api, world):
    response = api("provider").post("/schools", {"name": "School C",
                                                 "funding_model": "school_budget"})
    body = assert_error(response, 422)
    assert "budget_minutes_per_week" in body["details"]


def test_it_updates_a_school(api, world):
    response = api("coordinator").patch(f"/schools/{world.school.pk}", {"name": "School A1"})
    assert response.status_code == 200, response.content
    world.school.refresh_from_db()
    assert world.school.name == "School A1"


def test_it_refuses_update_to_roles_that_do_not_manage_the_pool(api, world):
    refused = {"assistant": 403, "teacher": 403, "parent": 403, "reviewer": 403,
               "other_reviewer": 403, **INVISIBLE}
    assert_refused(api, "patch", f"/schools/{world.school.pk}", refused, data={"name": "Hacked"})
    world.school.refresh_from_db()
    assert world.school.name == "School A"


def test_it_uses_strict_types(api, world):
    response = api("provider").post("/schools", {"name": "School C",
                                                 "budget_minutes_per_week": False})
    body = assert_error(response, 422)
    assert "budget_minutes_per_week" in body["details"]


def test_it_refuses_unknown_fields(api, world):
    response = api("coordinator").patch(f"/schools/{world.school.pk}", {"provider": 99})
    assert "provider" in assert_error(response, 422)["details"]

"""GET/POST /api/schools/{id}/assistants, GET/PATCH /api/assistants/{id}."""

from poolplan.roster.models import Assistant
from tests.api.conftest import assert_error, assert_refused

OUTSIDERS = {"other_coordinator": 404, "other_assistant": 404, "other_parent": 404,
             "other_provider": 404}


def new_assistant(**extra):
    return {"first_name": "Jo", "last_name": "Neu", "contract_minutes_per_week": 1200,
            "profession": "social_pedagogue", "skills": ["nursing"], **extra}


def test_it_works(api, world):
    response = api("coordinator").get(f"/schools/{world.school.pk}/assistants")
    assert response.status_code == 200
    assert response.json() == [{
        "id": world.assistant.pk, "first_name": "Anna", "last_name": "Berg",
        "profession": "assistant", "skills": ["nursing"], "schools": [world.school.pk],
        "contract_minutes_per_week": 1500, "archived": False}]


def test_it_shows_contracts_only_to_those_who_manage_the_pool(api, world):
    for role in ("assistant", "teacher", "parent"):
        [member] = api(role).get(f"/schools/{world.school.pk}/assistants").json()
        assert "contract_minutes_per_week" not in member, role
    member = api("teacher").get(f"/assistants/{world.assistant.pk}").json()
    assert "contract_minutes_per_week" not in member
    member = api("provider").get(f"/assistants/{world.assistant.pk}").json()
    assert member["contract_minutes_per_week"] == 1500


def test_it_shows_reviewers_no_staff(api, world):
    assert api("reviewer").get(f"/schools/{world.school.pk}/assistants").json() == []


def test_it_validates_ownership(api, world):
    assert_refused(api, "get", f"/schools/{world.school.pk}/assistants", OUTSIDERS)
    assert_refused(api, "get", f"/assistants/{world.assistant.pk}",
                   {"reviewer": 404, "other_reviewer": 404, **OUTSIDERS})


def test_it_requires_auth(api, world):
    assert_error(api().get(f"/schools/{world.school.pk}/assistants"), 401)
    assert_error(api().post(f"/schools/{world.school.pk}/assistants", new_assistant()), 401)
    assert_error(api().get(f"/assistants/{world.assistant.pk}"), 401)
    assert_error(api().patch(f"/assistants/{world.assistant.pk}", {"last_name": "X"}), 401)


def test_it_creates_a_pool_member(api, world):
    for role in ("coordinator", "provider"):
        response = api(role).post(f"/schools/{world.school.pk}/assistants",
                                  new_assistant(last_name=role))
        assert response.status_code == 201, response.content
        assistant = Assistant.objects.get(pk=response.json()["id"])
        assert list(assistant.schools.all()) == [world.school]
        assert assistant.provider == world.provider


def test_it_adds_other_schools_only_where_the_caller_manages(api, world):
    response = api("provider").post(f"/schools/{world.school.pk}/assistants",
                                    new_assistant(other_schools=[world.other_school.pk]))
    assert response.status_code == 201, response.content
    assert sorted(response.json()["schools"]) == sorted([world.school.pk,
                                                         world.other_school.pk])
    # A coordinator cannot even name a school outside their own.
    for school in (world.other_school, world.foreign_school):
        response = api("coordinator").post(f"/schools/{world.school.pk}/assistants",
                                           new_assistant(other_schools=[school.pk]))
        assert "other_schools" in assert_error(response, 422)["details"]


def test_it_refuses_creation_to_roles_that_do_not_manage_the_pool(api, world):
    refused = {"assistant": 403, "teacher": 403, "parent": 403, "reviewer": 403,
               "other_reviewer": 403, **OUTSIDERS}
    assert_refused(api, "post", f"/schools/{world.school.pk}/assistants", refused,
                   data=new_assistant())
    assert not Assistant.objects.filter(last_name="Neu").exists()


def test_it_uses_strict_types(api, world):
    response = api("coordinator").post(f"/schools/{world.school.pk}/assistants",
                                       new_assistant(contract_minutes_per_week=False))
    assert "contract_minutes_per_week" in assert_error(response, 422)["details"]


def test_it_updates_a_pool_member(api, world):
    response = api("coordinator").patch(f"/assistants/{world.assistant.pk}",
                                        {"contract_minutes_per_week": 900, "skills": []})
    assert response.status_code == 200, response.content
    world.assistant.refresh_from_db()
    assert world.assistant.contract_minutes_per_week == 900
    assert not world.assistant.skills.exists()


def test_it_refuses_updates_to_roles_that_do_not_manage_the_member(api, world):
    refused = {"assistant": 403, "teacher": 403, "parent": 403, "reviewer": 404,
               "other_reviewer": 404, **OUTSIDERS}
    assert_refused(api, "patch", f"/assistants/{world.assistant.pk}", refused,
                   data={"last_name": "Changed"})
    world.assistant.refresh_from_db()
    assert world.assistant.last_name == "Berg"


def test_it_refuses_moving_a_member_to_a_school_the_caller_does_not_manage(api, world):
    response = api("coordinator").patch(f"/assistants/{world.assistant.pk}",
                                        {"schools": [world.other_school.pk]})
    assert "schools" in assert_error(response, 422)["details"]
    assert list(world.assistant.schools.all()) == [world.school]

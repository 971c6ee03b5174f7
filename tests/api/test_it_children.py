"""GET/POST /api/schools/{id}/children, GET/PATCH /api/children/{id}."""

from poolplan.accounts.models import AuditAction, AuditEvent
from poolplan.roster.models import Child
from tests.api.conftest import assert_error, assert_refused

OUTSIDERS = {"other_coordinator": 404, "other_assistant": 404, "other_parent": 404,
             "other_provider": 404}
BASE_FIELDS = {"id", "display_code", "school", "school_class", "archived"}
NAME_FIELDS = {"first_name", "last_name", "date_of_birth"}
NEED_FIELDS = {"required_skills", "course_groups", "primary_assistant", "fixed_assistants",
               "max_assistants"}


def new_child(world, **extra):
    return {"school_class": world.class_5a.pk, "first_name": "Ben", "last_name": "Neu",
            "display_code": "Lynx 9", **extra}


def test_it_works(api, world):
    response = api("coordinator").get(f"/schools/{world.school.pk}/children")
    assert response.status_code == 200
    body = response.json()
    assert [c["display_code"] for c in body] == ["Fox 1", "Owl 2"]
    # The list carries no names: those are read (and audited) one child at a time.
    assert set(body[0]) == BASE_FIELDS
    assert body[0]["school_class"] == {"id": world.class_5a.pk, "name": "5a"}


def test_it_lists_only_the_teachers_classes(api, world):
    response = api("teacher").get(f"/schools/{world.school.pk}/children")
    assert [c["display_code"] for c in response.json()] == ["Fox 1"]


def test_it_validates_ownership_of_the_school(api, world):
    assert_refused(api, "get", f"/schools/{world.school.pk}/children", OUTSIDERS)


def test_it_requires_auth(api, world):
    assert_error(api().get(f"/schools/{world.school.pk}/children"), 401)
    assert_error(api().get(f"/children/{world.child.pk}"), 401)
    assert_error(api().patch(f"/children/{world.child.pk}", {"notes": "x"}), 401)
    assert_error(api().post(f"/schools/{world.school.pk}/children", new_child(world)), 401)


def test_it_shows_each_role_only_its_fields(api, world):
    expected = {
        "coordinator": BASE_FIELDS | NAME_FIELDS | {"notes"} | NEED_FIELDS | {"approvals"},
        "assistant": BASE_FIELDS | NAME_FIELDS | {"notes"} | NEED_FIELDS,
        "teacher": BASE_FIELDS,
        "parent": BASE_FIELDS | NAME_FIELDS | NEED_FIELDS | {"approvals"},
        "provider": BASE_FIELDS | {"approvals"},
        "reviewer": BASE_FIELDS | NAME_FIELDS | {"approvals"},
    }
    for role, fields in expected.items():
        response = api(role).get(f"/children/{world.child.pk}")
        assert response.status_code == 200, role
        assert set(response.json()) == fields, role


def test_it_gives_the_teacher_no_name(api, world):
    body = api("teacher").get(f"/children/{world.child.pk}").json()
    assert "Muster" not in str(body) and "epilepsy" not in str(body)


def test_it_audits_sensitive_reads(api, world):
    api("coordinator").get(f"/children/{world.child.pk}")
    event = AuditEvent.objects.get(child=world.child, action=AuditAction.READ)
    assert event.actor == world.user("coordinator")
    api("teacher").get(f"/children/{world.child.pk}")
    assert AuditEvent.objects.filter(child=world.child, action=AuditAction.READ).count() == 1


def test_it_refuses_outsiders_a_child(api, world):
    assert_refused(api, "get", f"/children/{world.child.pk}",
                   {**OUTSIDERS, "other_reviewer": 404})


def test_it_creates_a_child(api, world):
    response = api("coordinator").post(f"/schools/{world.school.pk}/children", new_child(
        world, required_skills=["nursing"], primary_assistant=world.assistant.pk,
        date_of_birth="2016-03-04"))
    assert response.status_code == 201, response.content
    body = response.json()
    child = Child.objects.get(pk=body["id"])
    assert child.school == world.school and child.primary_assistant == world.assistant
    assert body["required_skills"] == ["nursing"] and body["date_of_birth"] == "2016-03-04"


def test_it_refuses_child_creation_to_all_but_the_coordinator(api, world):
    refused = {"assistant": 403, "teacher": 403, "parent": 403, "provider": 403,
               "reviewer": 403, "other_reviewer": 403, **OUTSIDERS}
    assert_refused(api, "post", f"/schools/{world.school.pk}/children", refused,
                   data=new_child(world))
    assert not Child.objects.filter(display_code="Lynx 9").exists()


def test_it_validates_ownership_of_related_objects(api, world):
    # A class of another school and an assistant of another pool cannot be named.
    client = api("coordinator")
    response = client.post(f"/schools/{world.school.pk}/children",
                           new_child(world, school_class=world.other_child.school_class_id))
    assert "school_class" in assert_error(response, 422)["details"]
    response = client.post(f"/schools/{world.school.pk}/children",
                           new_child(world, primary_assistant=world.other_assistant.pk))
    assert "primary_assistant" in assert_error(response, 422)["details"]
    response = client.post(f"/schools/{world.school.pk}/children",
                           new_child(world, required_skills=["telepathy"]))
    assert "required_skills" in assert_error(response, 422)["details"]


def test_it_reports_service_validation_per_field(api, world):
    response = api("coordinator").post(f"/schools/{world.school.pk}/children",
                                       new_child(world, display_code="Fox 1"))
    body = assert_error(response, 422)
    assert body["details"]


def test_it_uses_strict_types(api, world):
    response = api("coordinator").post(f"/schools/{world.school.pk}/children",
                                       new_child(world, school_class=False))
    assert "school_class" in assert_error(response, 422)["details"]
    response = api("coordinator").post(f"/schools/{world.school.pk}/children",
                                       new_child(world, date_of_birth=0))
    assert "date_of_birth" in assert_error(response, 422)["details"]


def test_it_updates_a_child(api, world):
    response = api("coordinator").patch(f"/children/{world.child.pk}",
                                        {"notes": "New plan.", "max_assistants": 3,
                                         "school_class": world.class_6b.pk})
    assert response.status_code == 200, response.content
    world.child.refresh_from_db()
    assert world.child.notes == "New plan." and world.child.max_assistants == 3
    assert world.child.school_class == world.class_6b
    assert AuditEvent.objects.filter(child=world.child, action=AuditAction.UPDATE).exists()


def test_it_refuses_child_updates_to_all_but_the_coordinator(api, world):
    refused = {"assistant": 403, "teacher": 403, "parent": 403, "provider": 403,
               "reviewer": 403, "other_reviewer": 404, **OUTSIDERS}
    assert_refused(api, "patch", f"/children/{world.child.pk}", refused,
                   data={"notes": "changed"})
    world.child.refresh_from_db()
    assert world.child.notes.startswith("Sensitive")


def test_it_refuses_null_for_required_fields(api, world):
    response = api("coordinator").patch(f"/children/{world.child.pk}", {"first_name": None})
    assert "first_name" in assert_error(response, 422)["details"]

"""GET/PUT /api/children/{id}/need-profile."""

from poolplan.accounts.models import AuditAction, AuditEvent
from poolplan.roster.models import Room
from tests.api.conftest import assert_error, assert_refused

OUTSIDERS = {"other_coordinator": 404, "other_assistant": 404, "other_parent": 404,
             "other_provider": 404, "other_reviewer": 404}


def url(world):
    return f"/children/{world.child.pk}/need-profile"


def period(world):
    return world.school.periods.first()


def test_it_works(api, world):
    response = api("assistant").get(url(world))
    assert response.status_code == 200
    assert response.json() == {"child": world.child.pk, "entries": [
        {"period": period(world).pk, "slot": "mon-1", "need": 1, "room": None, "skills": []}]}


def test_it_refuses_roles_without_need_profile_access(api, world):
    assert_refused(api, "get", url(world),
                   {"teacher": 403, "provider": 403, "reviewer": 403, **OUTSIDERS})


def test_it_requires_auth(api, world):
    assert_error(api().get(url(world)), 401)
    assert_error(api().put(url(world), {"entries": []}), 401)


def test_it_replaces_the_profile(api, world):
    yard = Room.objects.get(school=world.school, name="yard")
    response = api("coordinator").put(url(world), {"entries": [
        {"period": period(world).pk, "need": 2, "room": yard.pk, "skills": ["nursing"]}]})
    assert response.status_code == 200, response.content
    assert response.json()["entries"] == [{"period": period(world).pk, "slot": "mon-1",
                                           "need": 2, "room": yard.pk, "skills": ["nursing"]}]
    assert AuditEvent.objects.filter(child=world.child, action=AuditAction.UPDATE).exists()


def test_it_clears_the_profile(api, world):
    response = api("coordinator").put(url(world), {"entries": []})
    assert response.status_code == 200
    assert response.json()["entries"] == []


def test_it_refuses_updates_to_all_but_the_coordinator(api, world):
    refused = {"assistant": 403, "teacher": 403, "parent": 403, "provider": 403,
               "reviewer": 403, **OUTSIDERS}
    assert_refused(api, "put", url(world), refused, data={"entries": []})
    assert world.child.need_profile.count() == 1


def test_it_validates_ownership_of_periods_and_rooms(api, world):
    foreign_period = world.other_school.periods.first()
    response = api("coordinator").put(url(world), {"entries": [
        {"period": foreign_period.pk, "need": 1}]})
    assert "entries.0.period" in assert_error(response, 422)["details"]
    foreign_room = Room.objects.filter(school=world.other_school).first()
    response = api("coordinator").put(url(world), {"entries": [
        {"period": period(world).pk, "need": 1, "room": foreign_room.pk}]})
    assert "entries.0.room" in assert_error(response, 422)["details"]


def test_it_validates_the_need(api, world):
    response = api("coordinator").put(url(world), {"entries": [
        {"period": period(world).pk, "need": 3}]})
    assert_error(response, 422)
    response = api("coordinator").put(url(world), {"entries": [
        {"period": period(world).pk, "need": True}]})
    assert_error(response, 422)
    response = api("coordinator").put(url(world), {"entries": [
        {"period": period(world).pk, "need": 1}, {"period": period(world).pk, "need": 2}]})
    assert "entries" in assert_error(response, 422)["details"]

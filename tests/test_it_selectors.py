"""Access rules of shared/spec/domain.md, applied by roster/selectors.py."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from poolplan.accounts.models import AuditAction, AuditEvent
from poolplan.roster import selectors
from tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def codes(qs):
    return sorted(c.display_code for c in qs)


def test_it_shows_coordinator_only_their_schools_children(world):
    assert codes(selectors.child_list(user=world.user("coordinator"))) == ["Fox 1", "Owl 2"]


def test_it_shows_teacher_only_their_classes(world):
    assert codes(selectors.child_list(user=world.user("teacher"))) == ["Fox 1"]


def test_it_gives_teacher_no_sensitive_fields(world):
    child, access = selectors.child_get(user=world.user("teacher"), child_id=world.child.pk)
    assert not access.notes and not access.name and not access.approvals


def test_it_shows_parent_only_their_own_child(world):
    assert codes(selectors.child_list(user=world.user("parent"))) == ["Fox 1"]
    with pytest.raises(Http404):
        selectors.child_get(user=world.user("parent"), child_id=world.child_6b.pk)


def test_it_shows_reviewer_only_children_of_their_funding_body(world):
    assert codes(selectors.child_list(user=world.user("reviewer"))) == ["Bee 3", "Elk 4", "Fox 1"]
    assert codes(selectors.child_list(user=world.user("other_reviewer"))) == ["Owl 2"]


def test_it_shows_reviewer_only_their_funding_bodys_approvals(world):
    approvals = selectors.approval_list(user=world.user("other_reviewer"))
    assert [a.file_number for a in approvals] == ["AZ-Owl 2"]


def test_it_hides_approvals_from_assistants_and_teachers(world):
    assert not selectors.approval_list(user=world.user("assistant")).exists()
    assert not selectors.approval_list(user=world.user("teacher")).exists()


def test_it_shows_provider_their_provider_schools_only(world):
    names = sorted(s.name for s in selectors.school_list(user=world.user("provider")))
    assert names == ["School A", "School A2"]
    assert codes(selectors.child_list(user=world.user("other_provider"))) == ["Elk 4"]


def test_it_refuses_outsiders_a_child_with_404(world):
    for key in ("other_coordinator", "other_assistant", "other_parent", "other_provider"):
        with pytest.raises(Http404):
            selectors.child_get(user=world.user(key), child_id=world.child.pk)


def test_it_audits_sensitive_reads(world):
    before = AuditEvent.objects.filter(child=world.child, action=AuditAction.READ).count()
    selectors.child_get(user=world.user("coordinator"), child_id=world.child.pk)
    events = AuditEvent.objects.filter(child=world.child, action=AuditAction.READ)
    assert events.count() == before + 1
    assert events.first().actor == world.user("coordinator")


def test_it_does_not_audit_display_code_only_reads(world):
    selectors.child_get(user=world.user("teacher"), child_id=world.child.pk)
    assert not AuditEvent.objects.filter(child=world.child).exists()


def test_it_refuses_edit_to_assistants(world):
    with pytest.raises(PermissionDenied):
        selectors.child_get_for_edit(user=world.user("assistant"), child_id=world.child.pk)
    assert selectors.child_get_for_edit(user=world.user("coordinator"), child_id=world.child.pk)


def test_it_shows_audit_trail_to_coordinators_only(world):
    with pytest.raises(PermissionDenied):
        selectors.audit_list_for_child(user=world.user("assistant"), child=world.child)
    with pytest.raises(Http404):
        selectors.audit_list_for_child(user=world.user("other_coordinator"), child=world.child)
    assert selectors.audit_list_for_child(user=world.user("coordinator"),
                                          child=world.child) is not None


def test_it_lets_provider_and_coordinator_manage_assistants(world):
    assert selectors.assistant_can_manage(user=world.user("provider"), assistant=world.assistant)
    assert selectors.assistant_can_manage(user=world.user("coordinator"),
                                          assistant=world.assistant)
    assert not selectors.assistant_can_manage(user=world.user("other_coordinator"),
                                              assistant=world.assistant)
    assert not selectors.assistant_can_manage(user=world.user("assistant"),
                                              assistant=world.assistant)


def test_it_lets_only_the_coordinator_create_children(world):
    assert selectors.child_can_create(user=world.user("coordinator"), school=world.school)
    for key in ("other_coordinator", "assistant", "teacher", "parent", "provider", "reviewer"):
        assert not selectors.child_can_create(user=world.user(key), school=world.school), key


def test_it_lets_only_provider_managers_create_schools(world):
    assert selectors.school_can_create(user=world.user("provider"))
    for key in ("coordinator", "assistant", "teacher", "parent", "reviewer"):
        assert not selectors.school_can_create(user=world.user(key)), key

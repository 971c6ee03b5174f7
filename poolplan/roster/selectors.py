"""Reads of master data, with the access rules of `shared/spec/domain.md` applied here, once.

Views and API functions call these and never filter by role themselves. An object a user may
not see raises Http404 (its existence is not revealed); an action a user may not take on an
object it can see raises PermissionDenied. Reading a child's sensitive record (name with notes,
need profile, approvals) writes an audit row.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from poolplan.accounts.models import AuditAction, AuditEvent, Role, User
from poolplan.accounts.services import audit_record
from poolplan.roster.models import Absence, Approval, Assistant, Child, School


@dataclass(frozen=True)
class ChildAccess:
    """What one user may see of one child. Teachers and shared screens get the display code
    only; diagnoses and notes stay with the pool; reviewers see what the proof needs."""

    name: bool = False
    notes: bool = False
    need_profile: bool = False
    approvals: bool = False
    edit: bool = False

    @property
    def sensitive(self) -> bool:
        return self.name or self.notes or self.need_profile or self.approvals


NO_ACCESS = ChildAccess()
_ACCESS_BY_ROLE = {
    Role.COORDINATOR: ChildAccess(name=True, notes=True, need_profile=True, approvals=True,
                                  edit=True),
    # Pool members need the strategies that work for a child and when it needs them; the
    # funding decision is none of their business.
    Role.ASSISTANT: ChildAccess(name=True, notes=True, need_profile=True),
    Role.TEACHER: ChildAccess(),
    Role.PARENT: ChildAccess(name=True, need_profile=True, approvals=True),
    # Billing and staffing need approved minutes per child, not names or notes.
    Role.PROVIDER: ChildAccess(approvals=True),
    Role.REVIEWER: ChildAccess(name=True, approvals=True),
}


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def school_list(*, user: User) -> QuerySet[School]:
    if not _active(user):
        return School.objects.none()
    if user.role == Role.PROVIDER:
        return School.objects.filter(provider_id=user.provider_id)
    if user.role in (Role.COORDINATOR, Role.ASSISTANT, Role.TEACHER):
        return user.schools.all()
    if user.role == Role.PARENT:
        return School.objects.filter(children__parent_links__user=user).distinct()
    if user.role == Role.REVIEWER:
        return School.objects.filter(
            children__approvals__funding_body_id=user.funding_body_id
        ).distinct()
    return School.objects.none()


def school_get(*, user: User, school_id: int) -> School:
    try:
        return school_list(user=user).get(pk=school_id)
    except School.DoesNotExist:
        raise Http404("No such school.") from None


def school_can_manage(*, user: User, school: School) -> bool:
    """Coordinators manage the pools of their schools; provider managers those of the
    provider (staffing). Both may maintain assistants and absences."""
    if not _active(user):
        return False
    if user.role == Role.COORDINATOR:
        return user.schools.filter(pk=school.pk).exists()
    if user.role == Role.PROVIDER:
        return school.provider_id == user.provider_id
    return False


def school_can_create(*, user: User) -> bool:
    """Adding a school is the provider management's decision."""
    return _active(user) and user.role == Role.PROVIDER and user.provider_id is not None


def child_can_create(*, user: User, school: School) -> bool:
    """Entering a child's record is the coordinator's job, at a school whose pool they
    coordinate."""
    return (_active(user) and _ACCESS_BY_ROLE.get(user.role, NO_ACCESS).edit
            and school_can_manage(user=user, school=school))


def child_list(*, user: User, school: School | None = None,
               include_archived: bool = False) -> QuerySet[Child]:
    if not _active(user):
        return Child.objects.none()
    qs = Child.objects.select_related("school", "school_class")
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    if school is not None:
        qs = qs.filter(school=school)
    if user.role in (Role.COORDINATOR, Role.ASSISTANT):
        return qs.filter(school__in=user.schools.all())
    if user.role == Role.TEACHER:
        return qs.filter(school_class__in=user.classes.all())
    if user.role == Role.PARENT:
        return qs.filter(parent_links__user=user)
    if user.role == Role.PROVIDER:
        return qs.filter(school__provider_id=user.provider_id)
    if user.role == Role.REVIEWER:
        return qs.filter(approvals__funding_body_id=user.funding_body_id).distinct()
    return Child.objects.none()


def role_access(*, user: User) -> ChildAccess:
    """What the user's role may see of the children it sees at all (lists of many children:
    e.g. names or display codes only)."""
    if not _active(user):
        return NO_ACCESS
    return _ACCESS_BY_ROLE.get(user.role, NO_ACCESS)


def child_access(*, user: User, child: Child) -> ChildAccess:
    if not child_list(user=user, include_archived=True).filter(pk=child.pk).exists():
        return NO_ACCESS
    return _ACCESS_BY_ROLE.get(user.role, NO_ACCESS)


def child_get(*, user: User, child_id: int, purpose: str = "view") -> tuple[Child, ChildAccess]:
    """The child and what the user may see of it. A read that shows sensitive data is
    audited (who, when, what for)."""
    try:
        child = child_list(user=user, include_archived=True).get(pk=child_id)
    except Child.DoesNotExist:
        raise Http404("No such child.") from None
    access = _ACCESS_BY_ROLE.get(user.role, NO_ACCESS)
    if access.sensitive:
        audit_record(actor=user, action=AuditAction.READ, obj=child, child=child,
                     summary=f"Viewed record of {child.display_code} ({purpose})")
    return child, access


def child_get_for_edit(*, user: User, child_id: int) -> Child:
    child, access = child_get(user=user, child_id=child_id, purpose="edit")
    if not access.edit:
        raise PermissionDenied("Only the pool's coordinator may change a child's record.")
    return child


def assistant_list(*, user: User, school: School | None = None,
                   include_archived: bool = False) -> QuerySet[Assistant]:
    if not _active(user):
        return Assistant.objects.none()
    qs = Assistant.objects.all()
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    if school is not None:
        qs = qs.filter(schools=school)
    if user.role in (Role.COORDINATOR, Role.ASSISTANT, Role.TEACHER):
        # Teachers need to know who comes to their class; names of staff are not health data.
        qs = qs.filter(schools__in=user.schools.all())
    elif user.role == Role.PROVIDER:
        qs = qs.filter(provider_id=user.provider_id)
    elif user.role == Role.PARENT:
        # "... and from whom?": the pool members of the child's school.
        qs = qs.filter(schools__children__parent_links__user=user)
    else:
        return Assistant.objects.none()
    return qs.distinct()


def assistant_get(*, user: User, assistant_id: int) -> Assistant:
    try:
        return assistant_list(user=user, include_archived=True).get(pk=assistant_id)
    except Assistant.DoesNotExist:
        raise Http404("No such assistant.") from None


def assistant_can_manage(*, user: User, assistant: Assistant) -> bool:
    if not _active(user):
        return False
    if user.role == Role.PROVIDER:
        return assistant.provider_id == user.provider_id
    if user.role == Role.COORDINATOR:
        return assistant.schools.filter(pk__in=user.schools.all()).exists()
    return False


def approval_list(*, user: User, child: Child | None = None) -> QuerySet[Approval]:
    if not _active(user):
        return Approval.objects.none()
    qs = Approval.objects.select_related("child", "funding_body")
    if child is not None:
        qs = qs.filter(child=child)
    role_access = _ACCESS_BY_ROLE.get(user.role, NO_ACCESS)
    if not role_access.approvals:
        return Approval.objects.none()
    qs = qs.filter(child__in=child_list(user=user, include_archived=True))
    if user.role == Role.REVIEWER:
        # A reviewer sees only their own funding body's decisions, not another office's.
        qs = qs.filter(funding_body_id=user.funding_body_id)
    return qs


def absence_list(*, user: User, school: School | None = None) -> QuerySet[Absence]:
    """Absences of the pool's assistants and children. Free-text reasons are for coordinators
    only; callers show `reason_text` only when `absence_can_see_reason` says so."""
    if not _active(user) or user.role not in (Role.COORDINATOR, Role.ASSISTANT, Role.PROVIDER):
        return Absence.objects.none()
    schools = school_list(user=user)
    if school is not None:
        schools = schools.filter(pk=school.pk)
    return Absence.objects.select_related("assistant", "child").filter(
        Q(assistant__schools__in=schools) | Q(child__school__in=schools)
    ).distinct()


def absence_can_see_reason(*, user: User) -> bool:
    return _active(user) and user.role == Role.COORDINATOR


def audit_list_for_child(*, user: User, child: Child) -> QuerySet[AuditEvent]:
    if not _active(user) or user.role != Role.COORDINATOR:
        raise PermissionDenied("Only coordinators may view the audit trail.")
    if not child_list(user=user, include_archived=True).filter(pk=child.pk).exists():
        raise Http404("No such child.")
    # The creation row is not linked by foreign key (that would forbid deleting a child entered
    # by mistake), so it is found by object type and id.
    return AuditEvent.objects.filter(
        Q(child=child) | Q(object_type="child", object_id=str(child.pk))
    ).select_related("actor")



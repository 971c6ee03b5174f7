"""Reads of plans, solve jobs and proposals, with their access rules (as in roster/selectors).

- Coordinators of a school solve, publish and accept proposals for it; provider managers
  oversee staffing but do not plan a pool's day, so they are refused.
- Pool members (assistants) and coordinators read the whole published plan of their school.
- Teachers read the published plan restricted to the children of their classes (who comes to
  their class when), nothing about other children.
- Everyone else who can see the school (parents, provider managers, reviewers) is refused
  with 403; who cannot see it gets 404 from `school_get`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from poolplan.accounts.models import Role, User
from poolplan.planning.models import Plan, PlanStatus, SolveJob
from poolplan.roster.models import School
from poolplan.roster.selectors import school_get


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def plan_can_manage(*, user: User, school: School) -> bool:
    return (_active(user) and user.role == Role.COORDINATOR
            and user.schools.filter(pk=school.pk).exists())


def plan_school_for_manage(*, user: User, school_id: int) -> School:
    """The school, if the user coordinates it (404 unseen, 403 seen but not coordinated)."""
    school = school_get(user=user, school_id=school_id)
    if not plan_can_manage(user=user, school=school):
        raise PermissionDenied(f"Only the coordinator of {school.name} may plan its pool.")
    return school


def plan_read_scope(*, user: User, school: School) -> str:
    """"all" (the whole plan), "classes" (the teacher's classes only), or "" (no access)."""
    if not _active(user):
        return ""
    if user.role in (Role.COORDINATOR, Role.ASSISTANT) and user.schools.filter(
            pk=school.pk).exists():
        return "all"
    if user.role == Role.TEACHER and user.schools.filter(pk=school.pk).exists():
        return "classes"
    return ""


def plan_school_for_read(*, user: User, school_id: int) -> tuple[School, str]:
    school = school_get(user=user, school_id=school_id)
    scope = plan_read_scope(user=user, school=school)
    if not scope:
        raise PermissionDenied(f"You may not see the plans of {school.name}.")
    return school, scope


def plan_published_get(*, school: School, week: str) -> Plan | None:
    return Plan.objects.filter(school=school, week=week, status=PlanStatus.PUBLISHED).first()


def plan_latest_draft_get(*, school: School, week: str) -> Plan | None:
    return (Plan.objects.filter(school=school, week=week, status=PlanStatus.DRAFT)
            .order_by("-version").first())


def teacher_child_ids(*, user: User, school: School) -> set[str]:
    """Planner ids of the children in the teacher's classes at this school."""
    return {str(pk) for pk in school.children.filter(
        school_class__in=user.classes.all()).values_list("pk", flat=True)}


def solve_job_for_board(*, school: School, week: str, job_id: int) -> SolveJob | None:
    """A week's solve job of the school the board shows (the caller checked the school)."""
    return (SolveJob.objects.filter(pk=job_id, school=school, week=week)
            .select_related("plan").first())


def absences_on_day(*, school: School, day):
    """The pool members of the school absent on `day` (for the proposal page, which only
    coordinators see: reasons included)."""
    from poolplan.roster.models import Absence

    return (Absence.objects.filter(assistant__schools=school, start__lte=day, end__gte=day)
            .select_related("assistant").distinct().order_by("assistant__last_name", "pk"))


def solve_job_get(*, user: User, job_id: int) -> SolveJob:
    """A solve job, for the coordinators of its school only (others: 404)."""
    job = (SolveJob.objects.select_related("school", "plan", "base").filter(pk=job_id)
           .first())
    if job is None or not plan_can_manage(user=user, school=job.school):
        raise Http404("No such job.")
    return job


def plan_document_for(*, user: User, plan: Plan, scope: str) -> dict:
    """The plan document as the user may see it. Teachers get only the rows, children and
    assistants concerning the children of their classes, marked `"scope": "classes"`; the
    objective and the explanations (which speak of all children) are left out."""
    document = plan.document
    if scope == "all":
        return document
    mine = teacher_child_ids(user=user, school=plan.school)
    rows = [{**row, "children": [c for c in row["children"] if c in mine]}
            for row in document.get("assignments", [])]
    rows = [row for row in rows if row["children"]]
    helpers = {row["assistant"] for row in rows}
    return {
        "format": document.get("format"),
        "instance": document.get("instance"),
        "status": document.get("status"),
        "scope": "classes",
        "assignments": rows,
        "children": [c for c in document.get("children", []) if c.get("id") in mine],
        "assistants": [{"id": a["id"]} for a in document.get("assistants", [])
                       if a.get("id") in helpers],
    }


# --- pages: the board, my day, class view, morning view, calendar ------------------------------


def pool_school_for_read(*, user: User, school_id: int) -> School:
    """The school, for its pool (coordinators and assistants): the morning view shows absences
    and children short of minutes, which teachers and parents have no business reading."""
    school = school_get(user=user, school_id=school_id)
    if plan_read_scope(user=user, school=school) != "all":
        raise PermissionDenied(f"Only the pool of {school.name} may see its day plan.")
    return school


def my_assistant(*, user: User):
    """The pool member record of a logged-in assistant (403 for every other role)."""
    from poolplan.roster.models import Assistant

    if not _active(user) or user.role != Role.ASSISTANT:
        raise PermissionDenied("Only pool members have a day plan of their own.")
    assistant = Assistant.objects.filter(user=user, archived_at__isnull=True).first()
    if assistant is None:
        raise PermissionDenied("Your login is not linked to a pool member record; ask your "
                               "coordinator to link it.")
    return assistant


def class_get_for_plan(*, user: User, class_id: int):
    """A class whose plan the user may read: teachers their own classes, the pool the classes
    of its schools. Anything else is 404 (its existence is not revealed)."""
    from poolplan.roster.models import SchoolClass

    if not _active(user):
        raise Http404("No such class.")
    if user.role == Role.TEACHER:
        classes = user.classes.all()
    elif user.role in (Role.COORDINATOR, Role.ASSISTANT):
        classes = SchoolClass.objects.filter(school__in=user.schools.all())
    else:
        raise Http404("No such class.")
    school_class = classes.select_related("school").filter(pk=class_id).first()
    if school_class is None:
        raise Http404("No such class.")
    return school_class


def published_assignments(*, dates, **filters):
    """Assignment rows of the published plans covering `dates`."""
    from poolplan.planning.models import Assignment

    return (Assignment.objects.filter(plan__status=PlanStatus.PUBLISHED, date__in=list(dates),
                                      **filters)
            .select_related("plan", "plan__school", "period", "assistant", "child",
                            "child__school_class")
            # Pages read the plan's instance (rooms), never its document.
            .defer("plan__document")
            .order_by("date", "period__start", "assistant__last_name", "child__display_code"))


def assistant_absence_on(*, assistant, day):
    """The assistant's absence covering `day`, if any (their own, for my day)."""
    from poolplan.roster.models import Absence

    return Absence.objects.filter(assistant=assistant, start__lte=day, end__gte=day).first()


def calendar_token_active(*, assistant):
    from poolplan.planning.models import CalendarToken

    return CalendarToken.objects.filter(assistant=assistant, revoked_at__isnull=True).first()


def calendar_token_get(*, token: str):
    """The assistant of an active feed token, else 404 (revoked and unknown look the same)."""
    from poolplan.planning.models import CalendarToken

    row = (CalendarToken.objects.select_related("assistant")
           .filter(token=token, revoked_at__isnull=True, assistant__archived_at__isnull=True)
           .first())
    if row is None:
        raise Http404("No such calendar.")
    return row.assistant


def notification_list(*, user: User):
    from poolplan.planning.models import Notification

    if not _active(user):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).select_related("school")


def notification_unread_count(*, user: User) -> int:
    return notification_list(user=user).filter(read_at__isnull=True).count()

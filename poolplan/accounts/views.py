"""The home page: one view, one template per role, each showing that role's real data.

Every read goes through `roster/selectors.py`, which applies the access rules; the view only
groups what the selectors return. Each role's page costs a fixed number of queries however
many children or assistants there are (tests cap them).
"""

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from poolplan.accounts.models import Role, User
from poolplan.roster import selectors


def _current_approvals(user: User, *, today=None) -> dict[int, object]:
    """child id -> the approval valid today (the latest-starting one if several overlap)."""
    today = today or timezone.localdate()
    current = {}
    approvals = selectors.approval_list(user=user).filter(
        valid_from__lte=today, valid_to__gte=today
    ).order_by("child_id", "-valid_from")
    for approval in approvals:
        current.setdefault(approval.child_id, approval)
    return current


def _home_coordinator(user: User) -> dict:
    schools = list(selectors.school_list(user=user))
    children = list(selectors.child_list(user=user).select_related("primary_assistant"))
    approvals = _current_approvals(user)
    assistants = list(selectors.assistant_list(user=user).prefetch_related("schools", "skills"))
    by_school = {school.pk: {"school": school, "children": [], "assistants": [],
                             "approved_minutes": 0} for school in schools}
    for child in children:
        child.current_approval = approvals.get(child.pk)
        entry = by_school.get(child.school_id)
        if entry is None:
            continue
        entry["children"].append(child)
        if child.current_approval:
            entry["approved_minutes"] += child.current_approval.minutes_per_week
    for assistant in assistants:
        for school in assistant.schools.all():
            if school.pk in by_school:
                by_school[school.pk]["assistants"].append(assistant)
    return {"schools": list(by_school.values())}


def _home_assistant(user: User) -> dict:
    me = getattr(user, "assistant", None)
    children = list(selectors.child_list(user=user).select_related("primary_assistant")
                    .prefetch_related("fixed_assistants"))
    by_school: dict[int, dict] = {}
    for child in children:
        child.is_mine = me is not None and (
            child.primary_assistant_id == me.pk
            or any(a.pk == me.pk for a in child.fixed_assistants.all())
        )
        by_school.setdefault(child.school_id, {"school": child.school, "children": []})
        by_school[child.school_id]["children"].append(child)
    return {"me": me, "schools": list(by_school.values())}


def _home_teacher(user: User) -> dict:
    by_class: dict[int, dict] = {}
    for child in selectors.child_list(user=user):
        by_class.setdefault(child.school_class_id,
                            {"school_class": child.school_class, "school": child.school,
                             "children": []})
        by_class[child.school_class_id]["children"].append(child)
    return {"classes": list(by_class.values())}


def _home_parent(user: User) -> dict:
    approvals = _current_approvals(user)
    children = list(selectors.child_list(user=user).select_related("primary_assistant"))
    for child in children:
        child.current_approval = approvals.get(child.pk)
    return {"children": children}


def _home_provider(user: User) -> dict:
    schools = list(selectors.school_list(user=user))
    child_counts = dict(
        selectors.child_list(user=user).order_by().values_list("school_id")
        .annotate(n=Count("id")).values_list("school_id", "n")
    )
    assistant_counts: dict[int, set] = defaultdict(set)
    for assistant_id, school_id in selectors.assistant_list(user=user).values_list(
            "pk", "schools"):
        assistant_counts[school_id].add(assistant_id)
    approved: dict[int, int] = defaultdict(int)
    for approval in _current_approvals(user).values():
        approved[approval.child.school_id] += approval.minutes_per_week
    rows = [{"school": school, "children": child_counts.get(school.pk, 0),
             "assistants": len(assistant_counts.get(school.pk, ())),
             "approved_minutes": approved.get(school.pk, 0)} for school in schools]
    totals = {key: sum(row[key] for row in rows)
              for key in ("children", "assistants", "approved_minutes")}
    # Billing is done at month end: the hours export of the month just ended, and this one.
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    return {"rows": rows, "totals": totals,
            "hours_months": [f"{last_month:%Y-%m}", f"{this_month:%Y-%m}"]}


def _home_reviewer(user: User) -> dict:
    by_child: dict[int, dict] = {}
    approvals = selectors.approval_list(user=user).select_related(
        "child__school", "child__school_class").order_by(
        "child__school__name", "child__display_code", "-valid_from")
    today = timezone.localdate()
    for approval in approvals:
        approval.is_current = approval.valid_from <= today <= approval.valid_to
        by_child.setdefault(approval.child_id, {"child": approval.child, "approvals": []})
        by_child[approval.child_id]["approvals"].append(approval)
    # Proofs of service of this month and the last (the month just signed) to download.
    previous = today.replace(day=1) - timedelta(days=1)
    return {"funding_body": user.funding_body, "children": list(by_child.values()),
            "proof_months": [previous.strftime("%Y-%m"), today.strftime("%Y-%m")]}


_HOME_BY_ROLE = {
    Role.COORDINATOR: ("home/coordinator.html", _home_coordinator),
    Role.ASSISTANT: ("home/assistant.html", _home_assistant),
    Role.TEACHER: ("home/teacher.html", _home_teacher),
    Role.PARENT: ("home/parent.html", _home_parent),
    Role.PROVIDER: ("home/provider.html", _home_provider),
    Role.REVIEWER: ("home/reviewer.html", _home_reviewer),
}


@require_safe
@login_required
def home(request):
    if request.user.role not in _HOME_BY_ROLE and request.user.is_staff:
        # An administrator's account without a pool role has nothing to see here.
        return redirect("admin:index")
    template, build = _HOME_BY_ROLE.get(request.user.role, ("home/no_role.html", None))
    context = build(request.user) if build is not None else {}
    return render(request, template, context)

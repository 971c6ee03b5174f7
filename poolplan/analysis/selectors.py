"""Who may run and read a school's needs analysis.

The analysis is about staffing: the provider's managers decide on pools, and the school's
coordinators argue for them. So the coordinators of the school and the managers of its
provider may (`roster.selectors.school_can_manage`, the same rule as for maintaining the
pool's assistants); everyone else who can see the school gets 403, who cannot see it 404
(`school_get`).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from poolplan.accounts.models import Role, User
from poolplan.analysis.models import AnalysisRun
from poolplan.roster.models import School
from poolplan.roster.selectors import school_can_manage, school_get, school_list


def analysis_school_list(*, user: User) -> QuerySet[School]:
    """The schools whose pool the user may analyse."""
    if not (user and user.is_authenticated and user.is_active):
        return School.objects.none()
    if user.role not in (Role.COORDINATOR, Role.PROVIDER):
        return School.objects.none()
    return school_list(user=user).order_by("name")


def analysis_school_get(*, user: User, school_id: int) -> School:
    school = school_get(user=user, school_id=school_id)
    if not school_can_manage(user=user, school=school):
        raise PermissionDenied(f"Only the coordinators of {school.name} and the managers of its "
                               f"provider may analyse its pool.")
    return school


def analysis_run_get(*, user: User, run_id: int) -> AnalysisRun:
    """A run, for those who may analyse its school (others: 404, as for solve jobs)."""
    run = AnalysisRun.objects.select_related("school", "created_by").filter(pk=run_id).first()
    if run is None or not school_can_manage(user=user, school=run.school):
        raise Http404("No such simulation run.")
    return run


def analysis_runs(*, school: School, limit: int = 8) -> list[AnalysisRun]:
    """The school's latest runs, newest first (the page's history)."""
    return list(AnalysisRun.objects.filter(school=school).select_related("created_by")
                .defer("result")[:limit])

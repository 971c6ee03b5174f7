"""Writes of the exports: the audit rows that record child data leaving poolplan.

An export is a read, but one whose result leaves the system's access control; the trail
says who took what out, when, in which format (GDPR Art. 5(2), accountability). The rows are
written in the request's transaction before the file is sent.
"""

from collections.abc import Sequence

from django.db import transaction

from poolplan.accounts.models import AuditAction, AuditEvent, User
from poolplan.accounts.services import audit_record
from poolplan.planning.models import Plan
from poolplan.roster.models import Child, School


@transaction.atomic
def week_plan_export_record(*, actor: User, plan: Plan, file_format: str,
                            rows: int) -> AuditEvent:
    # The plan names children by display code only: one row for the plan, not one per child.
    return audit_record(actor=actor, action=AuditAction.READ, obj=plan,
                        summary=f"Exported the week plan {plan.week} (version {plan.version}) "
                                f"of {plan.school.name} as {file_format} ({rows} rows)")


@transaction.atomic
def hours_export_record(*, actor: User, school: School, month: str, file_format: str,
                        children: Sequence[Child]) -> list[AuditEvent]:
    """One row per child, so that each child's trail shows its minutes and file number left."""
    return [audit_record(actor=actor, action=AuditAction.READ, obj=child, child=child,
                         summary=f"Exported the hours of {child.display_code} for {month} "
                                 f"(all children of {school.name}) as {file_format}")
            for child in children]


@transaction.atomic
def access_export_record(*, actor: User, child: Child, file_format: str) -> AuditEvent:
    return audit_record(actor=actor, action=AuditAction.READ, obj=child, child=child,
                        summary=f"GDPR access export of {child.display_code} made as "
                                f"{file_format} (everything stored about the child)")

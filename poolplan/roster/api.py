"""Roster endpoints: schools, children, need profiles, approvals, assistants, absences.

Thin on purpose: reads and permission rules come from `selectors` (an object the caller may not
see is 404, an action they may not take is 403), writes from `services` (which validate, audit
and run atomically; their ValidationError becomes 422). Ids in request bodies are resolved
through the selectors too, so a request cannot even name another pool's objects.
"""

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import Path, Query, Router, Status

from poolplan.roster import selectors, services
from poolplan.roster.models import (
    Absence,
    Approval,
    Assistant,
    Child,
    FundingBody,
    Period,
    Room,
    School,
    SchoolClass,
    Skill,
)
from poolplan.roster.schemas import (
    MAX_ID,
    AbsenceIn,
    AbsenceOut,
    AbsencePatch,
    ApprovalIn,
    ApprovalOut,
    ApprovalPatch,
    AssistantIn,
    AssistantOut,
    AssistantPatch,
    ChildIn,
    ChildOut,
    ChildPatch,
    ChildSummaryOut,
    Error,
    IsoDate,
    NeedProfileIn,
    NeedProfileOut,
    SchoolIn,
    SchoolOut,
    SchoolPatch,
)

router = Router()

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]

# Every operation documents every error it can answer with (schemathesis checks that).
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


def ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


# --- resolving ids from request bodies ----------------------------------------------------------


def _invalid(field: str, message: str) -> DjangoValidationError:
    return DjangoValidationError({field: [message]})


def _skills(codes, field: str) -> list[Skill]:
    codes = list(dict.fromkeys(codes))
    skills = list(Skill.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {s.code for s in skills})
    if unknown:
        raise _invalid(field, f"Unknown skill code(s): {', '.join(unknown)}.")
    return skills


def _visible_assistants(user, ids, field: str) -> list[Assistant]:
    ids = list(dict.fromkeys(ids))
    found = {a.pk: a for a in selectors.assistant_list(user=user).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise _invalid(field, f"No pool member with id {missing[0]}; choose one of the pool.")
    return [found[i] for i in ids]


def _school_class(school: School, class_id: int) -> SchoolClass:
    school_class = SchoolClass.objects.filter(pk=class_id, school=school).first()
    if school_class is None:
        raise _invalid("school_class", f"No class with id {class_id} at {school.name}.")
    return school_class


def _manageable_school(user, school_id: int, field: str) -> School:
    try:
        school = selectors.school_get(user=user, school_id=school_id)
    except Http404:
        raise _invalid(field, f"No school with id {school_id}.") from None
    if not selectors.school_can_manage(user=user, school=school):
        raise PermissionDenied(f"You do not manage the pool of {school.name}.")
    return school


# --- output -------------------------------------------------------------------------------------


def _child_out(child: Child, access: selectors.ChildAccess, user) -> dict:
    """The child with exactly the fields `access` allows; the others are left out."""
    out = {
        "id": child.pk,
        "display_code": child.display_code,
        "school": child.school_id,
        "school_class": child.school_class,
        "archived": child.archived_at is not None,
    }
    if access.name:
        out.update(first_name=child.first_name, last_name=child.last_name,
                   date_of_birth=child.date_of_birth)
    if access.notes:
        out["notes"] = child.notes
    if access.need_profile:
        out.update(
            required_skills=sorted(s.code for s in child.required_skills.all()),
            course_groups=list(child.course_groups or []),
            primary_assistant=child.primary_assistant_id,
            fixed_assistants=sorted(a.pk for a in child.fixed_assistants.all()),
            max_assistants=child.max_assistants,
        )
    if access.approvals:
        out["approvals"] = list(selectors.approval_list(user=user, child=child))
    return out


def _assistant_out(assistant: Assistant, *, manage: bool) -> dict:
    out = {
        "id": assistant.pk,
        "first_name": assistant.first_name,
        "last_name": assistant.last_name,
        "profession": assistant.profession,
        "skills": sorted(s.code for s in assistant.skills.all()),
        "schools": sorted(s.pk for s in assistant.schools.all()),
    }
    if manage:
        out.update(contract_minutes_per_week=assistant.contract_minutes_per_week,
                   archived=assistant.archived_at is not None)
    return out


def _absence_out(absence: Absence, *, see_reason: bool) -> dict:
    out = {
        "id": absence.pk,
        "assistant": absence.assistant_id,
        "child": absence.child_id,
        "start": absence.start,
        "end": absence.end,
        "reason": absence.reason,
    }
    if see_reason:
        out["reason_text"] = absence.reason_text
    return out


# --- schools ------------------------------------------------------------------------------------


@router.get("/schools", response=ok(list[SchoolOut]), tags=["schools"])
def list_schools(request: HttpRequest):
    """The schools the caller works at, oversees or has a child at."""
    return selectors.school_list(user=request.auth)


@router.post("/schools", response=ok(SchoolOut, 201), tags=["schools"])
def create_school(request: HttpRequest, payload: SchoolIn):
    """A new school of the caller's provider (provider managers)."""
    user = request.auth
    if not selectors.school_can_create(user=user):
        raise PermissionDenied("Only the provider's management may add schools.")
    school = services.school_create(actor=user, provider=user.provider, **payload.model_dump())
    return Status(201, school)


@router.get("/schools/{school_id}", response=ok(SchoolOut), tags=["schools"])
def get_school(request: HttpRequest, school_id: PathId):
    return selectors.school_get(user=request.auth, school_id=school_id)


@router.patch("/schools/{school_id}", response=ok(SchoolOut), tags=["schools"])
def update_school(request: HttpRequest, school_id: PathId, payload: SchoolPatch):
    user = request.auth
    school = selectors.school_get(user=user, school_id=school_id)
    if not selectors.school_can_manage(user=user, school=school):
        raise PermissionDenied(f"You do not manage the pool of {school.name}.")
    return services.school_update(actor=user, school=school,
                                  **payload.model_dump(exclude_unset=True))


# --- children -----------------------------------------------------------------------------------


@router.get("/schools/{school_id}/children", response=ok(list[ChildSummaryOut]),
            tags=["children"])
def list_children(request: HttpRequest, school_id: PathId, include_archived: bool = False):
    """The school's children the caller may see, by display code only (names and notes are in
    the audited `GET /children/{id}`)."""
    user = request.auth
    school = selectors.school_get(user=user, school_id=school_id)
    children = selectors.child_list(user=user, school=school, include_archived=include_archived)
    return [{"id": c.pk, "display_code": c.display_code, "school": c.school_id,
             "school_class": c.school_class, "archived": c.archived_at is not None}
            for c in children]


@router.post("/schools/{school_id}/children", response=ok(ChildOut, 201), tags=["children"],
             exclude_unset=True)
def create_child(request: HttpRequest, school_id: PathId, payload: ChildIn):
    user = request.auth
    school = selectors.school_get(user=user, school_id=school_id)
    if not selectors.child_can_create(user=user, school=school):
        raise PermissionDenied(f"Only the coordinator of {school.name} may add children.")
    data = payload.model_dump()
    data["school_class"] = _school_class(school, data["school_class"])
    data["required_skills"] = _skills(data["required_skills"], "required_skills")
    if data["primary_assistant"] is not None:
        data["primary_assistant"] = _visible_assistants(
            user, [data["primary_assistant"]], "primary_assistant")[0]
    data["fixed_assistants"] = _visible_assistants(user, data["fixed_assistants"],
                                                   "fixed_assistants")
    child = services.child_create(actor=user, school=school, **data)
    access = selectors.child_access(user=user, child=child)
    return Status(201, _child_out(child, access, user))


@router.get("/children/{child_id}", response=ok(ChildOut), tags=["children"],
            exclude_unset=True)
def get_child(request: HttpRequest, child_id: PathId):
    """The child's record with the fields the caller may see. Reading names or notes is
    recorded in the audit trail."""
    user = request.auth
    child, access = selectors.child_get(user=user, child_id=child_id, purpose="api")
    return _child_out(child, access, user)


@router.patch("/children/{child_id}", response=ok(ChildOut), tags=["children"],
              exclude_unset=True)
def update_child(request: HttpRequest, child_id: PathId, payload: ChildPatch):
    user = request.auth
    child = selectors.child_get_for_edit(user=user, child_id=child_id)
    fields = payload.model_dump(exclude_unset=True)
    if "school_class" in fields:
        fields["school_class"] = _school_class(child.school, fields["school_class"])
    if "required_skills" in fields:
        fields["required_skills"] = _skills(fields["required_skills"], "required_skills")
    if fields.get("primary_assistant") is not None:
        fields["primary_assistant"] = _visible_assistants(
            user, [fields["primary_assistant"]], "primary_assistant")[0]
    if "fixed_assistants" in fields:
        fields["fixed_assistants"] = _visible_assistants(user, fields["fixed_assistants"],
                                                         "fixed_assistants")
    child = services.child_update(actor=user, child=child, **fields)
    return _child_out(child, selectors.child_access(user=user, child=child), user)


# --- need profile -------------------------------------------------------------------------------


def _need_profile_out(child: Child) -> dict:
    entries = (child.need_profile.select_related("period").prefetch_related("skills")
               .order_by("period__weekday", "period__start"))
    return {"child": child.pk, "entries": [
        {"period": e.period_id, "slot": e.period.slot_id, "need": e.need, "room": e.room_id,
         "skills": sorted(s.code for s in e.skills.all())} for e in entries]}


@router.get("/children/{child_id}/need-profile", response=ok(NeedProfileOut),
            tags=["need profiles"])
def get_need_profile(request: HttpRequest, child_id: PathId):
    """When the child needs support (need 1 shared, 2 an adult of its own) and which skills."""
    child, access = selectors.child_get(user=request.auth, child_id=child_id,
                                        purpose="need profile")
    if not access.need_profile:
        raise PermissionDenied("You may not see this child's need profile.")
    return _need_profile_out(child)


@router.put("/children/{child_id}/need-profile", response=ok(NeedProfileOut),
            tags=["need profiles"])
def set_need_profile(request: HttpRequest, child_id: PathId, payload: NeedProfileIn):
    """Replace the whole weekly need profile (periods left out or with need 0: no need)."""
    user = request.auth
    child = selectors.child_get_for_edit(user=user, child_id=child_id)
    periods = {p.pk: p for p in Period.objects.filter(
        school=child.school, pk__in=[e.period for e in payload.entries])}
    room_ids = [e.room for e in payload.entries if e.room is not None]
    rooms = {r.pk: r for r in Room.objects.filter(school=child.school, pk__in=room_ids)}
    entries = []
    for i, entry in enumerate(payload.entries):
        if entry.period not in periods:
            raise _invalid(f"entries.{i}.period",
                           f"No period with id {entry.period} at {child.school.name}.")
        if entry.room is not None and entry.room not in rooms:
            raise _invalid(f"entries.{i}.room",
                           f"No room with id {entry.room} at {child.school.name}.")
        entries.append({"period": periods[entry.period], "need": entry.need,
                        "room": rooms.get(entry.room),
                        "skills": _skills(entry.skills, f"entries.{i}.skills")})
    services.need_profile_set(actor=user, child=child, entries=entries)
    return _need_profile_out(child)


# --- approvals ----------------------------------------------------------------------------------


def _approval_for_edit(user, approval_id: int) -> Approval:
    approval = selectors.approval_list(user=user).filter(pk=approval_id).first()
    if approval is None:
        raise Http404("No such approval.")
    # Raises 403 for those who may see the approval but not change the child's record.
    selectors.child_get_for_edit(user=user, child_id=approval.child_id)
    return approval


@router.get("/children/{child_id}/approvals", response=ok(list[ApprovalOut]),
            tags=["approvals"])
def list_approvals(request: HttpRequest, child_id: PathId):
    user = request.auth
    child, access = selectors.child_get(user=user, child_id=child_id, purpose="approvals")
    if not access.approvals:
        raise PermissionDenied("You may not see this child's approvals.")
    return selectors.approval_list(user=user, child=child)


@router.post("/children/{child_id}/approvals", response=ok(ApprovalOut, 201),
             tags=["approvals"])
def create_approval(request: HttpRequest, child_id: PathId, payload: ApprovalIn):
    user = request.auth
    child = selectors.child_get_for_edit(user=user, child_id=child_id)
    data = payload.model_dump()
    data["funding_body"] = FundingBody.objects.filter(pk=data["funding_body"]).first()
    if data["funding_body"] is None:
        raise _invalid("funding_body", f"No funding body with id {payload.funding_body}.")
    approval = services.approval_create(actor=user, child=child, **data)
    return Status(201, approval)


@router.patch("/approvals/{approval_id}", response=ok(ApprovalOut), tags=["approvals"])
def update_approval(request: HttpRequest, approval_id: PathId, payload: ApprovalPatch):
    user = request.auth
    approval = _approval_for_edit(user, approval_id)
    fields = payload.model_dump(exclude_unset=True)
    if "funding_body" in fields:
        fields["funding_body"] = FundingBody.objects.filter(pk=fields["funding_body"]).first()
        if fields["funding_body"] is None:
            raise _invalid("funding_body", f"No funding body with id {payload.funding_body}.")
    return services.approval_update(actor=user, approval=approval, **fields)


@router.delete("/approvals/{approval_id}", response=ok(None, 204), tags=["approvals"])
def delete_approval(request: HttpRequest, approval_id: PathId):
    user = request.auth
    services.approval_delete(actor=user, approval=_approval_for_edit(user, approval_id))
    return Status(204, None)


# --- assistants ---------------------------------------------------------------------------------


@router.get("/schools/{school_id}/assistants", response=ok(list[AssistantOut]),
            tags=["assistants"], exclude_unset=True)
def list_assistants(request: HttpRequest, school_id: PathId, include_archived: bool = False):
    """The school's pool members; contract minutes only for those who manage the pool."""
    user = request.auth
    school = selectors.school_get(user=user, school_id=school_id)
    manage = selectors.school_can_manage(user=user, school=school)
    assistants = selectors.assistant_list(user=user, school=school,
                                          include_archived=include_archived)
    return [_assistant_out(a, manage=manage)
            for a in assistants.prefetch_related("skills", "schools")]


@router.post("/schools/{school_id}/assistants", response=ok(AssistantOut, 201),
             tags=["assistants"], exclude_unset=True)
def create_assistant(request: HttpRequest, school_id: PathId, payload: AssistantIn):
    user = request.auth
    school = selectors.school_get(user=user, school_id=school_id)
    if not selectors.school_can_manage(user=user, school=school):
        raise PermissionDenied(f"You do not manage the pool of {school.name}.")
    data = payload.model_dump()
    schools = [school] + [_manageable_school(user, sid, "other_schools")
                          for sid in dict.fromkeys(data.pop("other_schools")) if sid != school.pk]
    data["skills"] = _skills(data["skills"], "skills")
    assistant = services.assistant_create(actor=user, provider=school.provider,
                                          schools=schools, **data)
    return Status(201, _assistant_out(assistant, manage=True))


@router.get("/assistants/{assistant_id}", response=ok(AssistantOut), tags=["assistants"],
            exclude_unset=True)
def get_assistant(request: HttpRequest, assistant_id: PathId):
    user = request.auth
    assistant = selectors.assistant_get(user=user, assistant_id=assistant_id)
    return _assistant_out(assistant, manage=selectors.assistant_can_manage(
        user=user, assistant=assistant))


@router.patch("/assistants/{assistant_id}", response=ok(AssistantOut), tags=["assistants"],
              exclude_unset=True)
def update_assistant(request: HttpRequest, assistant_id: PathId, payload: AssistantPatch):
    user = request.auth
    assistant = selectors.assistant_get(user=user, assistant_id=assistant_id)
    if not selectors.assistant_can_manage(user=user, assistant=assistant):
        raise PermissionDenied("You do not manage this pool member.")
    fields = payload.model_dump(exclude_unset=True)
    if "skills" in fields:
        fields["skills"] = _skills(fields["skills"], "skills")
    if "schools" in fields:
        current = {s.pk: s for s in assistant.schools.all()}
        wanted = list(dict.fromkeys(fields["schools"]))
        # Adding a school or taking one away both change that school's pool: the caller
        # must manage each school that changes.
        changed = set(wanted) ^ set(current)
        resolved = {sid: _manageable_school(user, sid, "schools") for sid in changed}
        fields["schools"] = [current.get(sid) or resolved[sid] for sid in wanted]
    assistant = services.assistant_update(actor=user, assistant=assistant, **fields)
    return _assistant_out(assistant, manage=True)


# --- absences -----------------------------------------------------------------------------------


def _can_manage_absence_of(user, *, assistant: Assistant | None, child: Child | None) -> bool:
    if assistant is not None:
        return selectors.assistant_can_manage(user=user, assistant=assistant)
    return selectors.school_can_manage(user=user, school=child.school)


def _absence_for_edit(user, absence_id: int) -> Absence:
    absence = selectors.absence_list(user=user).filter(pk=absence_id).first()
    if absence is None:
        raise Http404("No such absence.")
    if not _can_manage_absence_of(user, assistant=absence.assistant, child=absence.child):
        raise PermissionDenied("You may not change this absence.")
    return absence


@router.get("/absences", response=ok(list[AbsenceOut]), tags=["absences"],
            exclude_unset=True)
def list_absences(request: HttpRequest,
                  school: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                  date_from: Annotated[IsoDate | None, Query()] = None,
                  date_to: Annotated[IsoDate | None, Query()] = None):
    """Absences of the pools the caller works in, optionally of one school and overlapping
    the days from `date_from` to `date_to`. The free-text reason is for coordinators only."""
    user = request.auth
    school_obj = selectors.school_get(user=user, school_id=school) if school else None
    absences = selectors.absence_list(user=user, school=school_obj)
    if date_from is not None:
        absences = absences.filter(end__gte=date_from)
    if date_to is not None:
        absences = absences.filter(start__lte=date_to)
    see_reason = selectors.absence_can_see_reason(user=user)
    return [_absence_out(a, see_reason=see_reason) for a in absences]


@router.post("/absences", response=ok(AbsenceOut, 201), tags=["absences"], exclude_unset=True)
def create_absence(request: HttpRequest, payload: AbsenceIn):
    """An absence of a pool member (`assistant`) or of a child (`child`), whole days."""
    user = request.auth
    assistant = child = None
    if payload.assistant is not None:
        assistant = selectors.assistant_get(user=user, assistant_id=payload.assistant)
    if payload.child is not None:
        child = selectors.child_list(user=user, include_archived=True).filter(
            pk=payload.child).first()
        if child is None:
            raise Http404("No such child.")
    if (assistant is None) == (child is None):
        raise _invalid("assistant", "Name either a pool member (assistant) or a child, not "
                                    "both and not none.")
    if not _can_manage_absence_of(user, assistant=assistant, child=child):
        raise PermissionDenied("You may not enter absences for this person.")
    absence = services.absence_create(
        actor=user, assistant=assistant, child=child, start=payload.start, end=payload.end,
        reason=payload.reason, reason_text=payload.reason_text)
    return Status(201, _absence_out(absence,
                                    see_reason=selectors.absence_can_see_reason(user=user)))


@router.patch("/absences/{absence_id}", response=ok(AbsenceOut), tags=["absences"],
              exclude_unset=True)
def update_absence(request: HttpRequest, absence_id: PathId, payload: AbsencePatch):
    user = request.auth
    absence = _absence_for_edit(user, absence_id)
    absence = services.absence_update(actor=user, absence=absence,
                                      **payload.model_dump(exclude_unset=True))
    return _absence_out(absence, see_reason=selectors.absence_can_see_reason(user=user))


@router.delete("/absences/{absence_id}", response=ok(None, 204), tags=["absences"])
def delete_absence(request: HttpRequest, absence_id: PathId):
    user = request.auth
    services.absence_delete(actor=user, absence=_absence_for_edit(user, absence_id))
    return Status(204, None)

"""Pages of the log book: quick entry on the phone, a child's month ledger, signing a month.

Thin: permissions and reads come from `logbook.selectors`, writes from `logbook.services`.
The proof files are served by the API (`/api/children/<id>/proof?month=&format=pdf|csv`),
which accepts the login session too.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from poolplan.accounts.models import Role
from poolplan.logbook import selectors, services
from poolplan.logbook.forms import LogEntryChangeForm, LogEntryForm
from poolplan.logbook.models import LogEntry, SupportKind
from poolplan.logbook.schemas import month_parse
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.models import Assistant, Child, NeedProfileEntry, PeriodKind


def _month(text: str) -> datetime.date:
    try:
        return month_parse(text)
    except ValueError:
        raise Http404("No such month.") from None


def _suggestion(child: Child, me: Assistant | None, now: datetime.datetime) -> dict:
    """What the session just held most likely was: from today's published plan if there is
    one, else from the child's need profile. The period that started last (or the next one)."""
    today, time = now.date(), now.time()
    periods = []
    planned = selectors.planned_periods(child=child, assistant=me, day=today)
    if planned:
        periods = planned
    else:
        periods = [e.period for e in NeedProfileEntry.objects.filter(
            child=child, need__gte=1, period__weekday=today.isoweekday()).select_related(
            "period")]
    periods.sort(key=lambda p: p.start)
    started = [p for p in periods if p.start <= time]
    period = started[-1] if started else (periods[0] if periods else None)
    if period is None:
        start = (now - datetime.timedelta(minutes=45)).time().replace(second=0, microsecond=0)
        return {"date": today, "start": start, "end": time.replace(second=0, microsecond=0)}
    kind = (SupportKind.TRANSITION if period.kind == PeriodKind.BREAK
            else SupportKind.LEARNING)
    return {"date": today, "start": period.start, "end": period.end, "kind": kind}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quick_entry(request):
    user = request.user
    children = selectors.loggable_children(user=user)
    if user.role not in selectors.POOL_ROLES:
        raise PermissionDenied(_("Only the pool's members log sessions."))
    me = Assistant.objects.filter(user=user).first()
    assistants = (roster_selectors.assistant_list(user=user)
                  if user.role == Role.COORDINATOR else None)
    if request.method == "POST":
        form = LogEntryForm(request.POST, children=children, assistants=assistants)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assistant = selectors.log_entry_assistant(
                    user=user, child=data["child"],
                    assistant_id=data["assistant"].pk if data.get("assistant") else None)
                entry, created = services.log_entry_create(
                    actor=user, child=data["child"], assistant=assistant, date=data["date"],
                    start=data["start"], end=data["end"], kind=data["kind"],
                    presence=data["presence"], minutes_away=data["minutes_away"],
                    note=data["note"], incident=data["incident"], group=data["group"],
                    idempotency_key=data["idempotency_key"])
            except services.IdempotencyConflict as conflict:
                form.add_error(None, str(conflict))
            except PermissionDenied as error:
                form.add_error(None, str(error))
            except ValidationError as error:
                _form_errors(form, error)
            else:
                if created:
                    messages.success(request, _("Saved: %(minutes)d minutes with %(child)s.")
                                     % {"minutes": entry.delivered_minutes,
                                        "child": entry.child.display_code})
                else:
                    messages.info(request, _("This session was saved already."))
                return redirect(reverse("log_entry_quick") + f"?child={entry.child_id}")
    else:
        child = None
        if request.GET.get("child", "").isdigit():
            child = children.filter(pk=int(request.GET["child"])).first()
        if child is None and me is not None:
            child = children.filter(primary_assistant=me).first()
        child = child or children.first()
        initial = {"child": child}
        if child is not None:
            initial.update(_suggestion(child, me, timezone.localtime()))
        form = LogEntryForm(initial=initial, children=children, assistants=assistants)
    today = timezone.localdate()
    recent = (selectors.log_entry_list(user=user)
              .filter(date=today, superseded_by__isnull=True).prefetch_related("group"))
    if me is not None and user.role == Role.ASSISTANT:
        recent = recent.filter(assistant=me)
    return render(request, "logbook/quick_entry.html",
                  {"form": form, "recent": recent.order_by("start"), "today": today})


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _entry_initial(entry) -> dict:
    return {"date": entry.date, "start": timezone.localtime(entry.start).time(),
            "end": timezone.localtime(entry.end).time(), "presence": entry.presence,
            "kind": entry.kind, "minutes_away": entry.minutes_away,
            "group": list(entry.group.all()), "note": entry.note, "incident": entry.incident,
            "version": services.log_entry_version(entry)}


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def log_entry_change(request, entry_id: int):
    """Change a logged session: in place before its month is signed (the author or the
    coordinator), as a correction with a reason afterwards (the coordinator). The author of a
    signed entry may still fix its note."""
    user = request.user
    entry = selectors.log_entry_get(user=user, entry_id=entry_id)
    correction = LogEntry.objects.filter(supersedes=entry).first()
    if correction is not None:
        messages.info(request, _("This entry was corrected; this is the correction."))
        return redirect("log_entry_change", entry_id=correction.pk)
    signed = selectors.log_entry_is_signed(entry=entry)
    if signed and selectors.log_entry_can_correct(user=user, entry=entry):
        mode = "correct"
    elif selectors.log_entry_can_edit(user=user, entry=entry):
        mode = "note" if signed else "edit"
    else:
        raise PermissionDenied(_("Only the entry's author and the pool's coordinator change it; "
                                 "after signing, the coordinator corrects it."))
    fallback = (reverse("child_ledger", args=[entry.child_id, f"{entry.date:%Y-%m}"])
                if selectors.month_can_sign(user=user, child=entry.child)
                else reverse("log_entry_quick"))
    back = _next_url(request, fallback)
    children = selectors.loggable_children(user=user).exclude(pk=entry.child_id)
    if request.method == "POST":
        form = LogEntryChangeForm(request.POST, children=children, mode=mode)
        if form.is_valid():
            data = form.cleaned_data
            changes = {name: data[name] for name in LogEntryChangeForm.KEY_FIELDS + (
                "note", "incident") if name in form.fields}
            try:
                if mode == "correct":
                    services.log_entry_correct(actor=user, entry=entry, reason=data["reason"],
                                               idempotency_key=data["idempotency_key"],
                                               **changes)
                else:
                    services.log_entry_update(actor=user, entry=entry, version=data["version"],
                                              **changes)
            except services.IdempotencyConflict as conflict:
                form.add_error(None, str(conflict))
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Corrected: the proof shows the correction and "
                                            "its reason.") if mode == "correct"
                                 else _("The entry is changed."))
                return redirect(back)
    else:
        form = LogEntryChangeForm(initial=_entry_initial(entry), children=children, mode=mode)
    return render(request, "logbook/entry_change.html", {
        "entry": entry, "form": form, "mode": mode, "signed": signed, "back": back})


@login_required
@require_safe
def ledger_current(request, child_id: int):
    return redirect("child_ledger", child_id=child_id,
                    month=timezone.localdate().strftime("%Y-%m"))


@login_required
@require_safe
def ledger(request, child_id: int, month: str):
    first = _month(month)
    user = request.user
    child = selectors.ledger_child_get(user=user, child_id=child_id)
    month_ledger = selectors.month_ledger(user=user, child=child, month=first)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return render(request, "logbook/ledger.html", {
        "child": child, "ledger": month_ledger, "month": first,
        "month_text": first.strftime("%Y-%m"),
        "previous": previous.strftime("%Y-%m"), "following": following.strftime("%Y-%m"),
        "can_sign": (month_ledger.signature is None and first <= timezone.localdate()
                     and selectors.month_can_sign(user=user, child=child)),
        "can_download": selectors.proof_can_download(user=user),
        "can_change": selectors.month_can_sign(user=user, child=child),
    })


@login_required
@require_POST
def ledger_sign(request, child_id: int, month: str):
    first = _month(month)
    user = request.user
    child = selectors.month_sign_child_get(user=user, child_id=child_id)
    try:
        services.month_sign(actor=user, child=child, month=first)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(month)s is signed; its entries are locked.")
                         % {"month": services.month_label(first)})
    return redirect("child_ledger", child_id=child.pk, month=month)

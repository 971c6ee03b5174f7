"""Pages of the log book: quick entry on the phone, a child's month ledger, signing a month.

Thin: permissions and reads come from `logbook.selectors`, writes from `logbook.services`.
The proof files are served by the API (`/api/children/<id>/proof?month=&format=pdf|csv`),
which accepts the login session too.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from poolplan.accounts.models import Role
from poolplan.logbook import charts, evaluation, meeting, selectors, services
from poolplan.logbook.forms import LogEntryChangeForm, LogEntryForm, StrategyForm
from poolplan.logbook.models import LogEntry, SupportKind
from poolplan.logbook.schemas import month_parse
from poolplan.planning.weeks import WeekError, iso_week_label, iso_week_monday
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.models import Assistant, Child, NeedProfileEntry, PeriodKind


def _month(text: str) -> datetime.date:
    try:
        return month_parse(text)
    except ValueError:
        raise Http404("No such month.") from None


def _month_nav(first: datetime.date) -> dict:
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return {"month": first, "month_text": f"{first:%Y-%m}", "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}"}


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


def _from_card(user, child: Child) -> dict:
    """Times of the session a "done" on the child's card closed: from "I'm going" (or from
    when the card turned) to "done"; nothing if the user pressed no "done" today."""
    event = selectors.card_done_last(user=user, child=child)
    if event is None:
        return {}
    end = timezone.localtime(event.at)
    began = event.acknowledged_at or event.raised_at or event.at
    start = min(timezone.localtime(began), end - datetime.timedelta(minutes=1))
    return {"date": end.date(), "start": start.time().replace(second=0, microsecond=0),
            "end": (end + datetime.timedelta(seconds=59)).time().replace(second=0,
                                                                         microsecond=0)}


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
        # ?card=<child id>: from the live board's "done", prefilled from the card.
        wanted = request.GET.get("card") or request.GET.get("child") or ""
        if wanted.isdigit():
            child = children.filter(pk=int(wanted)).first()
        if child is None and me is not None:
            child = children.filter(primary_assistant=me).first()
        child = child or children.first()
        initial = {"child": child}
        if child is not None:
            initial.update(_suggestion(child, me, timezone.localtime()))
            if "card" in request.GET:
                initial.update(_from_card(user, child))
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
        form = LogEntryChangeForm(request.POST, initial=_entry_initial(entry),
                                  children=children, mode=mode)
        if form.is_valid():
            data = form.cleaned_data
            # Only what was changed: the audit row names it.
            changes = {name: data[name] for name in form.changed_data
                       if name in LogEntryChangeForm.KEY_FIELDS + ("note", "incident")}
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
    return render(request, "logbook/ledger.html", {
        "child": child, "ledger": month_ledger, **_month_nav(first),
        "can_sign": (month_ledger.signature is None and first <= timezone.localdate()
                     and selectors.month_can_sign(user=user, child=child)),
        "can_download": selectors.proof_can_download(user=user),
        "can_change": selectors.month_can_sign(user=user, child=child),
        "can_see_pool": selectors.pool_can_view(user=user, school=child.school),
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


@login_required
@require_safe
def pool_ledger_current(request, school_id: int):
    return redirect("pool_ledger", school_id=school_id,
                    month=timezone.localdate().strftime("%Y-%m"))


@login_required
@require_safe
def pool_ledger(request, school_id: int, month: str):
    """The pool's month: the budget of a school-budget pool against the staff minutes planned
    and delivered, and how the minutes were shared among the children."""
    first = _month(month)
    school = selectors.pool_school_get(user=request.user, school_id=school_id)
    return render(request, "logbook/pool_ledger.html", {
        "school": school, "ledger": selectors.pool_ledger(school=school, month=first),
        **_month_nav(first),
        "show_names": roster_selectors.role_access(user=request.user).name,
    })


# --- the weekly team meeting and the pilot review ---------------------------------------------


@login_required
@require_safe
def team_meeting_current(request, school_id: int):
    return redirect("team_meeting", school_id=school_id,
                    week=iso_week_label(timezone.localdate()))


def _week(text: str) -> datetime.date:
    try:
        return iso_week_monday(text)
    except WeekError:
        raise Http404("No such week.") from None


@login_required
@require_safe
def team_meeting(request, school_id: int, week: str):
    """The agenda of the weekly team meeting: red cards and incidents, hours at risk, make-up
    debt, absences ahead and the strategies added this week (the coordinators')."""
    monday = _week(week)
    school = meeting.meeting_school_get(user=request.user, school_id=school_id)
    return _team_meeting_page(request, school, monday, StrategyForm(
        children=roster_selectors.child_list(user=request.user, school=school)))


def _team_meeting_page(request, school, monday, form, status=200):
    agenda = meeting.team_meeting_agenda(user=request.user, school=school, monday=monday)
    return render(request, "logbook/team_meeting.html", {
        "school": school, "agenda": agenda, "form": form,
        "previous": iso_week_label(monday - datetime.timedelta(days=7)),
        "following": iso_week_label(monday + datetime.timedelta(days=7)),
    }, status=status)


@login_required
@require_POST
def strategy_add(request, school_id: int, week: str):
    monday = _week(week)
    school = meeting.meeting_school_get(user=request.user, school_id=school_id)
    form = StrategyForm(request.POST, children=roster_selectors.child_list(
        user=request.user, school=school))
    if form.is_valid():
        try:
            services.strategy_create(actor=request.user, child=form.cleaned_data["child"],
                                     text=form.cleaned_data["text"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The strategy is shared with the pool."))
            return redirect(reverse("team_meeting", args=[school.pk, week]) + "#strategies")
    return _team_meeting_page(request, school, monday, form, status=422)


@login_required
@require_safe
def evaluation_dashboard(request, school_id: int):
    """The monthly or six-month pilot review of a pool, with charts and a CSV export (the
    coordinators and the provider)."""
    school = selectors.pool_school_get(user=request.user, school_id=school_id)
    today = timezone.localdate()
    try:
        end_month = month_parse(request.GET["month"]) if "month" in request.GET else today
        months = int(request.GET.get("months", "1"))
    except ValueError:
        raise Http404("No such period.") from None
    if months not in evaluation.PERIODS:
        raise Http404("No such period.")
    result = evaluation.evaluation(user=request.user, school=school, end_month=end_month,
                                   months=months)
    month_text = f"{end_month:%Y-%m}"
    if request.GET.get("format") == "csv":
        response = HttpResponse(evaluation.evaluation_csv(result),
                                content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="evaluation-{slugify(school.name)}-{month_text}-'
            f'{months}m.csv"')
        return response
    return render(request, "logbook/evaluation.html", {
        "school": school, "result": result, "months": months,
        **_month_nav(end_month.replace(day=1)), "charts": charts.evaluation_charts(result),
    })

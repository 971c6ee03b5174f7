"""Pages of the traffic-light cards: the pool's live board, the teacher's cards, the classroom
tablet (paired by code) and the coordinator's device list.

Every page works without JavaScript (forms post and redirect back); `static/poolplan/cards.js`
adds the live updates over WebSocket, falling back to polling the `state` JSON. Reads and
rules come from `selectors`, changes go through `services`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from poolplan.board import selectors, services
from poolplan.board.consumers import DEVICE_SESSION_KEY
from poolplan.board.models import CardColour, ClassroomDevice
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.models import Child, SchoolClass


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return redirect(target or fallback)


def _answer(request: HttpRequest, child: Child, error: str | None, fallback: str,
            status: int = 409) -> HttpResponse:
    """JSON for the page's script, a message and a redirect for a plain form post."""
    if _wants_json(request):
        if error:
            return JsonResponse({"message": error, "details": None}, status=status)
        card = selectors.card_views(children=Child.objects.filter(pk=child.pk))[0]
        return JsonResponse({"card": card.as_dict()})
    if error:
        messages.error(request, error)
    return _back(request, fallback)


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _device(request: HttpRequest) -> ClassroomDevice | None:
    device = selectors.device_get_active(request.session.get(DEVICE_SESSION_KEY))
    if device is None and request.session.get(DEVICE_SESSION_KEY):
        # Revoked since it was paired: the tablet loses its access at once.
        del request.session[DEVICE_SESSION_KEY]
    return device


# --- the pool's board -------------------------------------------------------------------------


@login_required
@require_safe
def board_index(request: HttpRequest) -> HttpResponse:
    schools = [s for s in roster_selectors.school_list(user=request.user)
               if selectors.board_can_view(user=request.user, school=s)]
    if not schools:
        raise PermissionDenied(_("The live board is for pool members."))
    return redirect("board", school_id=schools[0].pk)


@login_required
@require_safe
def board(request: HttpRequest, school_id: int) -> HttpResponse:
    school = selectors.board_school_get(user=request.user, school_id=school_id)
    state = selectors.board_state(school=school)
    cards = [{**card, "suggestion": selectors.suggestion_worded(card["suggestion"])}
             for card in state["cards"]]
    return render(request, "board/board.html", {
        "school": school, "state": state, "cards": cards,
        "reason_texts": selectors.reason_texts(),
        "ws_path": f"/ws/board/{school.pk}/",
        "state_url": reverse("board_state", args=[school.pk]),
    })


@login_required
@require_safe
def board_state(request: HttpRequest, school_id: int) -> HttpResponse:
    school = selectors.board_school_get(user=request.user, school_id=school_id)
    return JsonResponse({"type": "snapshot", **selectors.board_state(school=school)})


def _child_for_response(request: HttpRequest, child_id: int) -> Child:
    child = get_object_or_404(Child.objects.select_related("school", "school_class"),
                              pk=child_id)
    if not selectors.card_can_respond(user=request.user, child=child):
        raise Http404("No such card.")
    return child


@login_required
@require_POST
def card_acknowledge(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _child_for_response(request, child_id)
    error = None
    try:
        services.card_acknowledge(actor=request.user, child=child)
    except ValidationError as exc:
        error = _error_text(exc)
    return _answer(request, child, error, reverse("board", args=[child.school_id]))


@login_required
@require_POST
def card_done(request: HttpRequest, child_id: int) -> HttpResponse:
    child = _child_for_response(request, child_id)
    error = None
    try:
        services.card_done(actor=request.user, child=child)
    except ValidationError as exc:
        error = _error_text(exc)
    return _answer(request, child, error, reverse("board", args=[child.school_id]))


# --- turning a card (teacher, pool member or paired device) ------------------------------------


@require_POST
def card_set(request: HttpRequest, child_id: int) -> HttpResponse:
    child = get_object_or_404(Child.objects.select_related("school", "school_class"),
                              pk=child_id)
    device = None
    if request.user.is_authenticated and selectors.card_can_set(user=request.user, child=child):
        actor, fallback = request.user, reverse("teacher_cards")
    else:
        device = _device(request)
        if not selectors.device_can_set(device=device, child=child):
            # Not revealing whether the child exists.
            raise Http404("No such card.")
        actor, fallback = None, reverse("device_cards")
    colour = request.POST.get("colour", "")
    error = None
    try:
        services.card_set(child=child, colour=colour, actor=actor, device=device)
    except ValidationError as exc:
        return _answer(request, child, _error_text(exc), fallback, status=422)
    return _answer(request, child, error, fallback)


def _colour_choices() -> list[dict]:
    return [
        {"value": CardColour.GREEN, "label": _("All good")},
        {"value": CardColour.YELLOW, "label": _("Please keep an eye on me")},
        {"value": CardColour.RED, "label": _("I need help")},
    ]


@login_required
@require_safe
def teacher_cards(request: HttpRequest) -> HttpResponse:
    sections = [{
        "school_class": school_class,
        "cards": [card.as_dict() for card in cards],
        "ws_path": f"/ws/cards/class/{school_class.pk}/",
        "state_url": reverse("class_cards_state", args=[school_class.pk]),
    } for school_class, cards in selectors.teacher_card_sections(user=request.user)]
    if not sections:
        raise PermissionDenied(_("This page shows the cards of a teacher's classes."))
    return render(request, "board/teacher_cards.html", {
        "sections": sections, "colours": _colour_choices(),
    })


@login_required
@require_safe
def class_cards_state(request: HttpRequest, class_id: int) -> HttpResponse:
    return JsonResponse({"type": "snapshot",
                         **selectors.class_cards_state(user=request.user, class_id=class_id)})


# --- the classroom tablet ---------------------------------------------------------------------


def device_pair(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            device = services.device_pair(code=request.POST.get("code", ""))
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            request.session.cycle_key()
            request.session[DEVICE_SESSION_KEY] = device.pk
            return redirect("device_cards")
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return render(request, "board/device_pair.html", {"error": error},
                  status=422 if error else 200)


@require_safe
def device_cards(request: HttpRequest) -> HttpResponse:
    device = _device(request)
    if device is None:
        messages.info(request, _("This tablet is not paired (or its pairing was revoked). "
                                 "Enter the pairing code from the coordinator."))
        return redirect("device_pair")
    cards = [c.as_dict() for c in
             selectors.card_views(children=selectors.device_children(device=device),
                                  with_rooms=False)]
    return render(request, "board/device_cards.html", {
        "device": device, "cards": cards, "colours": _colour_choices(),
        "ws_path": "/ws/cards/device/", "state_url": reverse("device_cards_state"),
    })


@require_safe
def device_cards_state(request: HttpRequest) -> HttpResponse:
    device = _device(request)
    if device is None:
        return JsonResponse({"message": _("This tablet is not paired."), "details": None},
                            status=403)
    return JsonResponse({"type": "snapshot", **selectors.cards_state(
        children=selectors.device_children(device=device))})


@require_POST
def device_unpair(request: HttpRequest) -> HttpResponse:
    request.session.pop(DEVICE_SESSION_KEY, None)
    return redirect("device_pair")


# --- the coordinator's devices ----------------------------------------------------------------


@login_required
def devices(request: HttpRequest, school_id: int) -> HttpResponse:
    school = roster_selectors.school_get(user=request.user, school_id=school_id)
    device_rows = selectors.device_list(user=request.user, school=school)
    new_code = None
    if request.method == "POST":
        target = request.POST.get("target", "")
        kind, _sep, pk = target.partition(":")
        child = school_class = None
        try:
            if kind == "child":
                child = school.children.get(pk=int(pk), archived_at__isnull=True)
            elif kind == "class":
                school_class = school.classes.get(pk=int(pk))
            device, new_code = services.device_create(
                actor=request.user, school=school, child=child, school_class=school_class,
                name=request.POST.get("name", "")[:100])
        except (ValueError, Child.DoesNotExist, SchoolClass.DoesNotExist):
            messages.error(request, _("Choose a child or a class of this school."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return render(request, "board/devices.html", {
        "school": school, "devices": device_rows, "new_code": new_code,
        "children": school.children.filter(archived_at__isnull=True),
        "classes": school.classes.all(),
    })


@login_required
@require_POST
def device_revoke(request: HttpRequest, device_id: int) -> HttpResponse:
    device = get_object_or_404(ClassroomDevice.objects.select_related("school"), pk=device_id)
    roster_selectors.school_get(user=request.user, school_id=device.school_id)
    services.device_revoke(actor=request.user, device=device)
    messages.success(request, _("The device was revoked; it can no longer turn cards."))
    return redirect("devices", school_id=device.school_id)

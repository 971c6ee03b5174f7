"""Cards endpoints: a school's cards, turning a card, "I'm going" and "done".

Thin like roster/api.py, with the pages' rules from `board.selectors`: a child or school the
caller cannot see at all is 404; one they can see but may not act on is 403 (a parent, the
provider's management, a teacher at the board). Changes go through `board.services`, which
record, audit and broadcast to the live screens; a change the card's current state does not
allow (acknowledging a green card, someone else already on the way) is 409.
"""

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Router
from ninja.errors import HttpError

from poolplan.accounts.models import Role
from poolplan.board import selectors, services
from poolplan.board.schemas import CardOut, CardSetIn, CardsOut
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.models import Child
from poolplan.roster.schemas import MAX_ID, Error

router = Router(tags=["cards"])

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


def ok(schema, *, conflict: bool = False) -> dict:
    return {200: schema, **ERRORS, **({409: Error} if conflict else {})}


def _card_out(card: dict, *, staff: bool) -> dict:
    out = {key: value for key, value in card.items()
           if key not in ("colour", "default_colour", "suggestion", "assigned")}
    out["state"] = card["colour"]
    out["default_state"] = card["default_colour"]
    if staff:
        out["suggestion"] = selectors.suggestion_worded(card.get("suggestion"))
        out["assigned"] = card.get("assigned", [])
    return out


def _one_card(child: Child) -> dict:
    """The changed card alone. Dispatch suggestions concern every open card of the school, so
    they come with the list (and the board's live news), not with each write's answer: that
    would solve the dispatch a second time on every flip."""
    card = selectors.card_views(children=Child.objects.filter(pk=child.pk))[0].as_dict()
    return _card_out(card, staff=False)


def _child_get(user, child_id: int) -> Child:
    """The child if the caller may see it at all (else 404, as for any unknown id)."""
    child = roster_selectors.child_list(user=user).filter(pk=child_id).first()
    if child is None:
        raise Http404(_("No card with child id %(id)s among the children you can see.")
                      % {"id": child_id})
    return child


def _conflict(exc: DjangoValidationError) -> HttpError:
    return HttpError(409, " ".join(str(m) for m in exc.messages))


@router.get("/schools/{school_id}/cards", response=ok(CardsOut), exclude_unset=True)
def list_cards(request: HttpRequest, school_id: PathId):
    """The school's cards, red first, then yellow, longest waiting first. Pool members get
    every card with the dispatch suggestion and the plan's assignment; a teacher gets the
    cards of their own classes only."""
    user = request.auth
    school = roster_selectors.school_get(user=user, school_id=school_id)
    if selectors.board_can_view(user=user, school=school):
        state = selectors.board_state(school=school)
        return {"school_id": school.pk, "at": state["at"],
                "cards": [_card_out(c, staff=True) for c in state["cards"]]}
    if user.role == Role.TEACHER:
        children = selectors.card_children(user=user).filter(school=school)
        return {"school_id": school.pk, "at": timezone.now(),
                "cards": [_card_out(c.as_dict(), staff=False)
                          for c in selectors.card_views(children=children)]}
    raise PermissionDenied(_("The cards of %(school)s are for its pool members and teachers.")
                           % {"school": school.name})


@router.put("/cards/{child_id}", response=ok(CardOut), exclude_unset=True)
def set_card(request: HttpRequest, child_id: PathId, payload: CardSetIn):
    """Turn the child's card green, yellow or red (the child's teachers and the pool members
    of its school). Setting the state the card already shows changes nothing."""
    user = request.auth
    child = _child_get(user, child_id)
    if not selectors.card_can_set(user=user, child=child):
        raise PermissionDenied(_("Only the child's teachers and the pool members of its school "
                                 "turn its card."))
    services.card_set(child=child, colour=payload.state, actor=user)
    return _one_card(child)


def _responder_child(user, child_id: int) -> Child:
    child = _child_get(user, child_id)
    if not selectors.card_can_respond(user=user, child=child):
        raise PermissionDenied(_("Only the pool members of this school respond to cards."))
    return child


@router.post("/cards/{child_id}/acknowledge", response=ok(CardOut, conflict=True),
             exclude_unset=True)
def acknowledge_card(request: HttpRequest, child_id: PathId):
    """"I'm going" (pool members of the child's school): shows on every screen at once.
    409 when the card is green or someone else is already on the way."""
    user = request.auth
    child = _responder_child(user, child_id)
    try:
        services.card_acknowledge(actor=user, child=child)
    except DjangoValidationError as exc:
        raise _conflict(exc) from None
    return _one_card(child)


@router.post("/cards/{child_id}/done", response=ok(CardOut, conflict=True),
             exclude_unset=True)
def finish_card(request: HttpRequest, child_id: PathId):
    """The support was given: the card turns green and the response times are recorded.
    409 when the card is already green."""
    user = request.auth
    child = _responder_child(user, child_id)
    try:
        services.card_done(actor=user, child=child)
    except DjangoValidationError as exc:
        raise _conflict(exc) from None
    return _one_card(child)

"""The pure dispatch: one assignment over all open cards (no database)."""

from poolplan.board.dispatch import Helper, OpenCard, suggest


def by_child(suggestions):
    return {s.child_id: s for s in suggestions}


def test_it_solves_all_cards_together_not_greedily():
    # Card 1 is red and first; card 2 needs nursing. Card by card, the best person for card 1
    # (the nurse, its primary person) would leave card 2 without anyone.
    cards = [OpenCard(1, "Fox 1", "red", primary_helper=10),
             OpenCard(2, "Owl 2", "red", required_skills=frozenset({"Nursing"}))]
    helpers = [Helper(10, "Nurse", skills=frozenset({"Nursing"})), Helper(11, "Ben")]
    result = by_child(suggest(cards, helpers))
    assert (result[1].helper_id, result[2].helper_id) == (11, 10)


def test_it_staffs_red_before_yellow():
    cards = [OpenCard(1, "Fox 1", "yellow", primary_helper=10, room="R1"),
             OpenCard(2, "Owl 2", "red")]
    result = by_child(suggest(cards, [Helper(10, "Anna", room="R1")]))
    assert result[2].helper_id == 10
    assert result[1].helper_id is None
    assert result[1].reasons == (("needed_elsewhere",),)


def test_it_respects_fixed_persons_and_skills():
    cards = [OpenCard(1, "Fox 1", "red", fixed_helpers=frozenset({12}))]
    result = suggest(cards, [Helper(10, "Anna"), Helper(11, "Ben")])
    assert result[0].helper_id is None and result[0].reasons == (("nobody_qualified",),)
    result = suggest(cards, [Helper(10, "Anna"), Helper(12, "Cem")])
    assert result[0].helper_id == 12 and ("fixed",) in result[0].reasons


def test_it_never_takes_someone_from_a_child_whose_card_is_not_green():
    cards = [OpenCard(1, "Fox 1", "red")]
    busy = Helper(10, "Anna", with_child_code="Owl 2", with_child_colour="yellow")
    assert suggest(cards, [busy])[0].helper_id is None
    with_green = Helper(10, "Anna", with_child_code="Owl 2", with_child_colour="green")
    result = suggest(cards, [with_green])[0]
    assert result.helper_id == 10 and ("with_green_child", "Owl 2") in result.reasons


def test_it_prefers_free_known_and_close_people_and_says_why():
    card = OpenCard(1, "Fox 1", "red", primary_helper=11, room="R1", floor="1")
    helpers = [Helper(10, "Anna", with_child_code="Owl 2", with_child_colour="green"),
               Helper(11, "Ben", room="R2", floor="1")]
    [result] = suggest([card], helpers)
    assert result.helper_id == 11
    assert result.reasons == (("free",), ("primary",), ("same_floor", "1"))
    [near] = suggest([card], [Helper(12, "Cem", room="R1"), Helper(13, "Dan", room="R9")])
    assert near.helper_id == 12 and ("same_room", "R1") in near.reasons


def test_it_answers_with_no_cards_or_no_helpers():
    assert suggest([], [Helper(1, "Anna")]) == []
    [result] = suggest([OpenCard(1, "Fox 1", "red")], [])
    assert result.helper_id is None

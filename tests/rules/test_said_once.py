"""said_once: each text of a row once, none that another one already says in full."""

from __future__ import annotations

from exports.rules.said_once import said_once


def test_a_text_another_one_starts_with_is_left_out_whichever_comes_first():
    short = "Før opp antall deltakere i appen."
    full = "Før opp antall deltakere i appen; en gruppe må ha minst tre."
    assert said_once([full, short]) == [full]
    assert said_once([short, full]) == [full]


def test_repeats_differing_only_in_case_space_and_closing_stop_are_said_once():
    assert said_once(["Rett varigheten i appen.", "rett  varigheten i appen", "Rett kommunenummeret."]) == [
        "Rett varigheten i appen.",
        "Rett kommunenummeret.",
    ]


def test_a_text_inside_another_is_left_out_and_different_texts_all_stay_in_order():
    texts = [
        "Slett den ene registreringen i appen.",
        "Gjentar registrering 7 av Kari. Slett den ene registreringen i appen; gruppen telles én gang.",
        "Registrer likepersonen som deltok, i appen.",
    ]
    assert said_once(texts) == texts[1:]
    assert said_once(["B", "A", "C"]) == ["B", "A", "C"]
    assert said_once([]) == [] and said_once(["Én"]) == ["Én"]

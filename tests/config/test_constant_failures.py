"""Expressions that fail on every row are refused when saved, in Norwegian words; those that may succeed pass."""

from __future__ import annotations

import ast

import pytest

from exports.config.constant_failures import refuse_always_failing
from exports.config.expressions import ExpressionEngine, ExpressionError
from exports.config.row_variables import ROW_VARIABLES


def refuse(source: str) -> None:
    """Compile `source` as a rule's expression and run the check on it."""
    engine = ExpressionEngine({"kommuner": {"0301": "Oslo"}})
    refuse_always_failing(engine.compile(source, allowed_names=ROW_VARIABLES), engine=engine)


@pytest.mark.parametrize(
    "source",
    [
        "duration_minutes / participant_count >= 45",
        "duration_minutes % participant_count == 0",
        "duration_minutes >= 45 * 1 and len('abc') == 3",
        "activity_type in ['hjemmebesok', 'samtale']",
        "int('12') + duration_minutes > 0",
        "label('kommuner', municipality_code) != ''",
        "duration_minutes / 2 > 1",
    ],
)
def test_an_expression_that_can_succeed_on_some_row_is_accepted(source):
    refuse(source)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("duration_minutes / 0 > 1", "feiler alltid: «duration_minutes / 0» deler på null"),
        ("duration_minutes // 0 > 1", "feiler alltid: «duration_minutes // 0» deler på null"),
        ("duration_minutes % (2 - 2) == 0", "feiler alltid: «duration_minutes % (2 - 2)» deler på null"),
        ("duration_minutes / False > 1", "feiler alltid: «duration_minutes / False» deler på null"),
        ("duration_minutes / 0.0 > 1", "feiler alltid: «duration_minutes / 0.0» deler på null"),
    ],
)
def test_a_division_by_a_divisor_that_is_zero_on_every_row_is_refused(source, message):
    with pytest.raises(ExpressionError) as raised:
        refuse(source)
    assert str(raised.value) == message


def test_a_part_without_row_fields_that_divides_by_zero_is_refused_as_uncomputable():
    with pytest.raises(ExpressionError) as raised:
        refuse("duration_minutes > 1 / 0")
    assert str(raised.value) == "feiler alltid: «1 / 0» kan ikke beregnes (deling på null)"


def test_a_conversion_that_fails_whatever_the_row_is_refused_with_its_reason():
    with pytest.raises(ExpressionError) as raised:
        refuse("int('x') == duration_minutes")
    assert str(raised.value) == (
        "feiler alltid: «int('x')» kan ikke beregnes "
        "(en verdi som ikke kan gjøres om, for eksempel int() av tekst som ikke er et tall)"
    )


def test_a_wrong_type_in_a_constant_part_is_refused_even_behind_a_condition():
    with pytest.raises(ExpressionError) as raised:
        refuse("duration_minutes if has_peer_mentor else len(5)")
    assert str(raised.value) == (
        "feiler alltid: «len(5)» kan ikke beregnes "
        "(en verdi av feil type (for eksempel tekst der det trengs et tall, eller en tom verdi))"
    )


def test_a_long_failing_part_is_shortened_to_eighty_characters_in_the_message():
    with pytest.raises(ExpressionError) as raised:
        refuse("int('" + "x" * 100 + "') == duration_minutes")
    message = str(raised.value)
    shown = "int('" + "x" * 74 + "…"
    assert message.startswith(f"feiler alltid: «{shown}» kan ikke beregnes (")
    assert len(shown) == 80


def test_the_check_leaves_the_expression_as_written_and_computable():
    engine = ExpressionEngine()
    compiled = engine.compile("duration_minutes * (3 - 1) > participant_count", allowed_names=ROW_VARIABLES)
    refuse_always_failing(compiled, engine=engine)
    assert ast.unparse(compiled.tree) == "duration_minutes * (3 - 1) > participant_count"
    assert engine.evaluate(compiled, names={"duration_minutes": 10, "participant_count": 19}) is True

"""How an expression failed on a row, in Norwegian words: the reason read from the error, and the rule or column."""

from __future__ import annotations

import pytest

from exports.config.expression_failures import BrokenExpression, ExpressionPlace, failure_in_words
from exports.config.expressions import ExpressionEngine, ExpressionError
from exports.config.row_variables import ROW_VARIABLES


def raised_on_a_row(source: str, **row: object) -> ExpressionError:
    """The error the expression engine raises for `source` on `row`."""
    engine = ExpressionEngine()
    compiled = engine.compile(source, allowed_names=ROW_VARIABLES)
    with pytest.raises(ExpressionError) as raised:
        engine.evaluate(compiled, names=row)
    return raised.value


def wrapped(cause: BaseException) -> ExpressionError:
    """An ExpressionError raised from `cause`, as the engine raises one."""
    try:
        raise ExpressionError("«x»: technical") from cause
    except ExpressionError as exc:
        return exc


@pytest.mark.parametrize(
    ("source", "row", "words"),
    [
        ("duration_minutes / participant_count", {"duration_minutes": 60, "participant_count": 0}, "deling på null"),
        (
            "duration_minutes + 5",
            {"duration_minutes": None},
            "en verdi av feil type (for eksempel tekst der det trengs et tall, eller en tom verdi)",
        ),
        (
            "int(description) > 1",
            {"description": "mange"},
            "en verdi som ikke kan gjøres om, for eksempel int() av tekst som ikke er et tall",
        ),
    ],
    ids=["division by zero", "a wrong type", "a conversion"],
)
def test_the_reason_a_row_broke_an_expression_is_said_in_norwegian(source, row, words):
    assert failure_in_words(raised_on_a_row(source, **row)) == words


def test_a_number_too_large_is_named():
    assert failure_in_words(wrapped(OverflowError("int too large to convert to float"))) == "et for stort tall"


def test_an_error_of_the_language_itself_keeps_its_own_message():
    error = raised_on_a_row("description + description", description="x" * 20_000)
    assert failure_in_words(error) == "sammensatt tekst ble lengre enn 32767 tegn"


def test_an_unknown_cause_or_an_empty_message_is_named_by_its_kind():
    assert failure_in_words(wrapped(KeyError("duration_minutes"))) == "en uventet feil (KeyError)"
    assert failure_in_words(RuntimeError()) == "en uventet feil (RuntimeError)"


def test_a_broken_expression_keeps_the_reason_in_words_and_a_short_technical_text():
    error = raised_on_a_row("duration_minutes / participant_count", duration_minutes=60, participant_count=0)
    broken = BrokenExpression.of(ExpressionPlace.COUNTING_RULE, name="min_45", error=error)
    assert (broken.place, broken.name, broken.reason) == (ExpressionPlace.COUNTING_RULE, "min_45", "deling på null")
    assert broken.technical == "«duration_minutes / participant_count»: ZeroDivisionError: division by zero"
    long = BrokenExpression.of(ExpressionPlace.COLUMN, name="Varighet", error=ValueError("x" * 1_000))
    assert long.technical == "x" * 300


def test_the_same_failure_on_two_rows_is_one_broken_expression():
    first = BrokenExpression.of(
        ExpressionPlace.VALIDATION,
        name="kommune",
        error=raised_on_a_row("int(description) > 1", description="mange"),
    )
    second = BrokenExpression.of(
        ExpressionPlace.VALIDATION,
        name="kommune",
        error=raised_on_a_row("int(description) > 1", description="noen"),
    )
    assert first.technical != second.technical
    assert first == second
    assert list(dict.fromkeys([first, second])) == [first]
    other_place = BrokenExpression(place=ExpressionPlace.COUNTING_RULE, name="kommune", reason=first.reason)
    assert other_place != first


@pytest.mark.parametrize(
    ("place", "title"),
    [
        (ExpressionPlace.COUNTING_RULE, "telleregelen «min_45»"),
        (ExpressionPlace.VALIDATION, "datakontrollen «min_45»"),
        (ExpressionPlace.COLUMN, "kolonnen «min_45»"),
    ],
)
def test_the_title_names_the_rule_or_column_in_norwegian(place, title):
    assert BrokenExpression(place=place, name="min_45", reason="deling på null").title() == title


def test_the_places_keep_the_names_a_stored_trial_holds():
    assert [place.value for place in ExpressionPlace] == ["counting_rule", "validation", "column"]
    assert ExpressionPlace("validation") is ExpressionPlace.VALIDATION

"""The expression language: what it accepts, compiled once to a function, with every operator guarded."""

from __future__ import annotations

import pytest

from exports.config import expressions
from exports.config.expressions import ExpressionEngine, ExpressionError
from exports.config.row_variables import COLUMN_VARIABLES

ENGINE = ExpressionEngine({"koder": {"kurs": "3"}})
ROW = dict.fromkeys(COLUMN_VARIABLES) | {
    "duration_minutes": 60,
    "participant_count": 4,
    "category": "kurs",
    "municipality_code": "4601",
    "description": "x" * expressions.MAX_TEXT_LENGTH,
    "has_peer_mentor": True,
    "branch_name": "Bergen",
}


def evaluate(source: str):
    """Compile and evaluate `source` on ROW."""
    return ENGINE.evaluate(ENGINE.compile(source, allowed_names=COLUMN_VARIABLES), names=ROW)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("45 <= duration_minutes <= 1440", True),
        ("duration_minutes is not None and participant_count >= 3", True),
        ("category in ['kurs', 'samtalegruppe']", True),
        ("category not in ('kurs',)", False),
        ("duration_minutes * 2 + 1", 121),
        ("duration_minutes / 4", 15.0),
        ("duration_minutes // 7 + duration_minutes % 7", 12),
        ("-duration_minutes", -60),
        ("branch_name + ' (' + municipality_code + ')'", "Bergen (4601)"),
        ("'ja' if has_peer_mentor else 'nei'", "ja"),
        ("label('koder', category)", "3"),
        ("lower(branch_name)", "bergen"),
        ("len(branch_name)", 6),
        ("int('12') + 1", 13),
        ("str(duration_minutes)", "60"),
        ("county_name('46')", "Vestland"),
        ("true and not false and null is None", True),
    ],
)
def test_the_language_evaluates_what_it_accepts(source, value):
    assert evaluate(source) == value


def test_an_expression_is_compiled_once_to_a_function_without_builtins():
    compiled = ENGINE.compile("duration_minutes + 1", allowed_names=COLUMN_VARIABLES)
    assert callable(compiled.function)
    assert compiled.function.__globals__["__builtins__"] == {}
    assert compiled.function(ROW) == 61


@pytest.mark.parametrize(
    "source",
    [
        "description + description",
        "branch_name * 3",
        "'%s' + branch_name % 1",
        "duration_minutes * 1000000000000 * 1000000000000",
        "int('9' * 40)",
        "duration_minutes / 0",
        "duration_minutes + 'x'",
        "municipality_code < 5",
    ],
)
def test_guarded_operators_refuse_at_run_time_with_an_expression_error(source):
    with pytest.raises(ExpressionError):
        evaluate(source)


def test_limits_are_small_enough_for_the_per_row_bound():
    assert expressions.MAX_NODES * expressions.MAX_TEXT_LENGTH <= 10_000_000
    assert expressions.MAX_DEPTH <= 32

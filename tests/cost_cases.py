"""The worst case of the cost bound: the costliest configuration it accepts and a row with every text at a cell's limit.

Used by tests/config/test_cost.py and by scripts/cost_bound.py (which prints time and peak memory per row).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from exports.config.cost import CELL, MAX_ROW_TEXT, MAX_RULE_TEXT, SHORT
from exports.config.schema import MAX_COLUMNS, MAX_RULES
from exports.config.validation import MAX_DOCUMENT_CALLS
from exports.demo.configs import nhf_config
from exports.source.activities import ActivityRecord
from tests.records import activity_record

WHOLE_CELL_SOURCES = (
    "description",
    "peer_mentor_name",
    "branch_name",
    "activity_type",
    "activity_label",
    "status",
    "country_code",
    "municipality_code",
    "county_code",
    "county_name_of_branch",
    "branch_municipality_code",
    "not_counted_reason",
    "data_issues",
)
WHOLE_CELL_EXPRESSIONS = ("lower(peer_mentor_name)", "str(branch_name)", "label('koder', description)")
_PATTERN = "\U0001f600\x07é\nø"
"""What a worst text repeats: an astral character (two UTF-16 units: the cut must count them), a character a cell
refuses (it must be removed), non-ASCII, a line break."""


def worst_text(seed: str) -> str:
    """A 32,767-character text that costs the most to clean: formula-like, with refused and astral characters.

    It ends with `seed`, so texts of different fields differ only at their end (comparisons read them whole).
    """
    body = _PATTERN * (CELL // len(_PATTERN) + 1)
    return "=" + body[: CELL - 1 - len(seed)] + seed


def worst_record() -> ActivityRecord:
    """An activity whose every text field from the app holds a whole cell's worth of the costliest text."""
    return activity_record(
        activity_type=worst_text("type"),
        started_at=dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC),
        duration_minutes=None,
        participant_count=None,
        country_code=worst_text("country"),
        municipality_code=worst_text("municipality"),
        description=worst_text("description"),
        status=worst_text("status"),
        peer_mentor_name=worst_text("mentor"),
        peer_mentor_certified_on=None,
        local_branch_name=worst_text("branch"),
        local_branch_county_code=worst_text("county"),
        local_branch_municipality_code=worst_text("branch municipality"),
    )


def _rules(prefix: str, count: int, calls: int) -> list[dict[str, Any]]:
    """`count` rules the worst row fails, each comparing two whole texts; the first `calls` lower-case one first."""
    share = MAX_RULE_TEXT // (2 * MAX_RULES) // 2  # reason and action: the budget shared by 200 rules
    return [
        {
            "id": f"{prefix}_{index}",
            "require": ("lower(description) == status" if index < calls else "description == status"),
            "reason": f"{prefix} {index} ".ljust(share, "r"),
            "action": f"{prefix} {index} ".ljust(share, "a"),
        }
        for index in range(count)
    ]


def costliest_config(*, whole: int = MAX_ROW_TEXT // CELL - 1) -> dict[str, Any]:
    """The costliest document the bound accepts: `whole` columns of whole cells (one more than it accepts is
    refused), the rest of the 200 columns datetimes, all 200 rules with the whole budget of reasons and actions,
    and every function call the document may make."""
    document = copy.deepcopy(nhf_config())
    document["value_lists"] = {"koder": {"x": "y"}}
    specs = [{"source": source} for source in WHOLE_CELL_SOURCES] + [
        {"expression": expression} for expression in WHOLE_CELL_EXPRESSIONS
    ]
    specs = (specs * 2)[:whole] + [{"source": "started_at", "format": "datetime"}] * (MAX_COLUMNS - whole)
    document["columns"] = [
        {"key": f"k{index}", "heading": f"Kolonne {index}", "format": "text", **spec}
        for index, spec in enumerate(specs)
    ]
    calls = MAX_DOCUMENT_CALLS - sum(spec.get("expression", "").count("(") for spec in specs)
    document["counting_rules"] = _rules("telling", MAX_RULES, calls)
    document["validations"] = _rules("sjekk", MAX_RULES, 0)
    return document


def row_budget_used(document: dict[str, Any]) -> int:
    """The characters of row text the bound counts for the document's columns (one datetime: SHORT)."""
    return sum(SHORT if column.get("format") == "datetime" else CELL for column in document["columns"])

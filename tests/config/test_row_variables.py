"""The variables of a row: what the mapper offers rules and plugins, what columns may read, and what rules may not."""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from exports.config.expressions import CONSTANT_NAMES, FUNCTION_NAMES
from exports.config.plugins import ExportRulePlugin
from exports.config.row_variables import COLUMN_VARIABLES, RESULT_VARIABLES, ROW_VARIABLES
from exports.config.validation import compile_document, validate_document
from exports.demo.configs import nhf_config
from exports.rules.column_mapper import BufdirColumnMapper
from exports.source.activities import ActivityRecord
from tests.records import activity_record

ACTIVITY_ID = uuid.UUID("0b5e1f7a-2c3d-4e5f-8a9b-0c1d2e3f4a5b")


def record(**fields: Any) -> ActivityRecord:
    """A 60-minute home visit in Bergen on 2 June 2025 at 12:00 Oslo time by a peer mentor certified in 2020."""
    values: dict[str, Any] = {
        "id": ACTIVITY_ID,
        "started_at": dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC),
        "country_code": "no",
        "description": "Besøk hjemme",
        "local_branch_name": "NHF Bergen",
    }
    return activity_record(**(values | fields))


class Recorder(ExportRulePlugin):
    """A plugin that keeps the variables it was shown."""

    def __init__(self) -> None:
        self.seen: dict[str, Any] = {}

    def reasons_not_counted(self, row: Mapping[str, Any]) -> Sequence[str]:
        self.seen = dict(row)
        return ()


def with_rule(require: str) -> dict:
    """NHF's document with one more counting rule."""
    document = copy.deepcopy(nhf_config())
    document["counting_rules"].append({"id": "ekstra", "require": require, "reason": "Ekstra"})
    return document


def test_the_mapper_offers_rules_and_plugins_exactly_the_row_variables():
    recorder = Recorder()
    BufdirColumnMapper().map(record(), config=compile_document(nhf_config()), plugins=[recorder])
    assert set(recorder.seen) == ROW_VARIABLES


def test_a_column_may_read_every_column_variable_with_the_rows_values():
    document = copy.deepcopy(nhf_config())
    names = sorted(COLUMN_VARIABLES)
    document["columns"] = [{"key": name, "heading": name, "source": name, "format": "text"} for name in names]
    mapped = BufdirColumnMapper().map(record(), config=compile_document(document))
    values = dict(zip(names, mapped.values, strict=True))
    assert {name: values[name] for name in ("activity_id", "activity_type", "category", "local_date")} == {
        "activity_id": str(ACTIVITY_ID),
        "activity_type": "hjemmebesok",
        "category": "oppsokende",
        "local_date": dt.date(2025, 6, 2),
    }
    assert (values["local_time"], values["country_code"], values["peer_mentor_certified"]) == (
        dt.time(12, 0),
        "NO",
        True,
    )
    assert (values["counts"], values["not_counted_reason"], values["data_issues"]) == (True, "", "")


def test_a_rule_may_read_a_row_variable_but_not_a_result_of_the_rules():
    assert validate_document(with_rule("duration_minutes >= 0 and not is_duplicate")) == []
    for name in sorted(RESULT_VARIABLES):
        errors = validate_document(with_rule(f"{name} == {name}"))
        paths = {error.path for error in errors}
        assert paths == {f"$.counting_rules[{len(nhf_config()['counting_rules'])}].require"}, (name, errors)


def test_no_variable_hides_a_function_or_a_constant_of_the_expression_language():
    assert not COLUMN_VARIABLES & (FUNCTION_NAMES | CONSTANT_NAMES)
    assert not ROW_VARIABLES & RESULT_VARIABLES
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in COLUMN_VARIABLES)

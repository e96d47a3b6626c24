"""The JSON Schema of a configuration: a valid schema that accepts the demo documents and refuses wrong shapes."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from jsonschema import Draft202012Validator

from exports.config.schema import (
    COLUMN_CONFIG_SCHEMA,
    MAX_ACTIVITY_URL_LENGTH,
    MAX_COLUMNS,
    MAX_LABEL_INTEGER,
    MAX_REASON_LENGTH,
)
from exports.demo.configs import hlf_config, nhf_config
from exports.regulation import CATEGORIES

VALIDATOR = Draft202012Validator(COLUMN_CONFIG_SCHEMA)


def minimal() -> dict:
    """The smallest document the schema accepts: one activity type, one column, no rules."""
    return {
        "format_version": 1,
        "template": {"name": "Mal", "date_format": "DD.MM.YYYY", "boolean_labels": {"true": "Ja", "false": "Nei"}},
        "activity_types": {"besok": {"label": "Besøk", "category": "oppsokende"}},
        "columns": [{"key": "dato", "heading": "Dato", "source": "local_date", "format": "date"}],
        "counting_rules": [],
    }


def problems(document: dict) -> set[tuple[str, str]]:
    """Each schema error of `document` as (JSON path, the keyword that failed)."""
    return {(error.json_path, str(error.validator)) for error in VALIDATOR.iter_errors(document)}


def changed(change: Callable[[dict], object]) -> dict:
    """The minimal document with one change applied."""
    document = copy.deepcopy(minimal())
    change(document)
    return document


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(COLUMN_CONFIG_SCHEMA)
    assert COLUMN_CONFIG_SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("document", [minimal(), nhf_config(), hlf_config()], ids=["minimal", "nhf", "hlf"])
def test_the_minimal_and_the_demo_documents_satisfy_the_schema(document):
    assert problems(document) == set()


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_of_the_regulation_is_accepted_and_nothing_else(category):
    assert problems(changed(lambda d: d["activity_types"]["besok"].update(category=category))) == set()
    assert problems(changed(lambda d: d["activity_types"]["besok"].update(category=category.upper()))) == {
        ("$.activity_types.besok.category", "enum")
    }


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: d.pop("counting_rules"), ("$", "required")),
        (lambda d: d.update(format_version=2), ("$.format_version", "const")),
        (lambda d: d.update(extra=True), ("$", "additionalProperties")),
        (lambda d: d.update(activity_types={}), ("$.activity_types", "minProperties")),
        (lambda d: d.update(columns=[]), ("$.columns", "minItems")),
        (lambda d: d["columns"][0].update(format="money"), ("$.columns[0].format", "enum")),
        (lambda d: d["columns"][0].update(width=0), ("$.columns[0].width", "minimum")),
        (lambda d: d["columns"][0].update(width=256), ("$.columns[0].width", "maximum")),
        (lambda d: d["columns"][0].update(key="Dato"), ("$.columns[0].key", "pattern")),
        (lambda d: d["columns"][0].update(heading=""), ("$.columns[0].heading", "minLength")),
        (lambda d: d["template"]["boolean_labels"].pop("false"), ("$.template.boolean_labels", "required")),
        (
            lambda d: d["activity_types"].update({"Besøk!": d["activity_types"]["besok"]}),
            ("$.activity_types", "pattern"),
        ),
    ],
    ids=[
        "no counting rules",
        "another format version",
        "an unknown field",
        "no activity types",
        "no columns",
        "an unknown column format",
        "a width of zero",
        "a width past Excel's",
        "a key in capitals",
        "an empty heading",
        "no label for no",
        "an activity type name with capitals",
    ],
)
def test_a_wrong_shape_is_refused_at_its_field(change, problem):
    assert problem in problems(changed(change))


def test_a_column_takes_its_value_from_exactly_one_of_source_and_expression():
    expression = changed(lambda d: d["columns"][0].pop("source"))
    expression["columns"][0]["expression"] = "local_date"
    assert problems(expression) == set()
    both = changed(lambda d: d["columns"][0].update(expression="local_date"))
    neither = changed(lambda d: d["columns"][0].pop("source"))
    assert problems(both) == {("$.columns[0]", "oneOf")}
    assert problems(neither) == {("$.columns[0]", "oneOf")}


def test_a_rule_needs_an_id_a_requirement_and_a_reason_within_its_length():
    rule = {"id": "min_45", "require": "duration_minutes >= 45", "reason": "x" * MAX_REASON_LENGTH}
    assert problems(changed(lambda d: d["counting_rules"].append(rule))) == set()
    too_long = {**rule, "reason": "x" * (MAX_REASON_LENGTH + 1)}
    assert problems(changed(lambda d: d.update(validations=[too_long]))) == {("$.validations[0].reason", "maxLength")}
    no_reason = {"id": "min_45", "require": "duration_minutes >= 45"}
    assert problems(changed(lambda d: d["counting_rules"].append(no_reason))) == {("$.counting_rules[0]", "required")}


def test_the_counts_and_lengths_are_held_to_their_limits():
    column = minimal()["columns"][0]
    at_most = changed(lambda d: d.update(columns=[column] * MAX_COLUMNS, activity_url="a" * MAX_ACTIVITY_URL_LENGTH))
    assert problems(at_most) == set()
    past = changed(
        lambda d: d.update(columns=[column] * (MAX_COLUMNS + 1), activity_url="a" * (MAX_ACTIVITY_URL_LENGTH + 1))
    )
    assert problems(past) == {("$.columns", "maxItems"), ("$.activity_url", "maxLength")}


@pytest.mark.parametrize(
    ("label", "accepted"),
    [
        ("Ja", True),
        ("", True),
        (1, True),
        (MAX_LABEL_INTEGER, True),
        (MAX_LABEL_INTEGER + 1, False),
        (1.5, False),
        (True, False),
    ],
)
def test_a_yes_or_no_label_is_a_short_text_or_a_bounded_whole_number(label, accepted):
    document = changed(lambda d: d["template"]["boolean_labels"].update(true=label))
    assert (problems(document) == set()) is accepted

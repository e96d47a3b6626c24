"""A configuration's fields and what JSON Schema expects of them, said in Norwegian words an administrator reads."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from jsonschema import Draft202012Validator

from exports.config.schema import COLUMN_CONFIG_SCHEMA
from exports.config.wording import describe_schema_error, field_in_words
from exports.demo.configs import nhf_config

VALIDATOR = Draft202012Validator(COLUMN_CONFIG_SCHEMA)


def described(change: Callable[[dict], object]) -> list[tuple[tuple, str]]:
    """Every schema error of NHF's document with `change` applied, described."""
    document = copy.deepcopy(nhf_config())
    change(document)
    return [entry for error in VALIDATOR.iter_errors(document) for entry in describe_schema_error(error)]


@pytest.mark.parametrize(
    ("parts", "words"),
    [
        ((), "dokumentet"),
        (("columns",), "kolonner"),
        (("columns", 2, "heading"), "kolonne 3, overskrift"),
        (("counting_rules", 0, "require"), "telleregel 1, krav (require)"),
        (("validations", 4), "datakontroll 5"),
        (("template", "boolean_labels", "true"), "mal, ja/nei-tekster, tekst for ja"),
        (("activity_types", "stand", "category"), "aktivitetstype «stand», kategori"),
        (("value_lists", "kommuner", "0301"), "verdiliste «kommuner», oppføring «0301»"),
        (("activity_url",), "adressen til en registrering i appen"),
        (("columns", 0, "farge", 1), "kolonne 1, «farge», oppføring 2"),
    ],
)
def test_a_field_is_named_in_norwegian_with_numbers_counted_from_one(parts, words):
    assert field_in_words(parts) == words


def test_an_unknown_name_is_quoted_and_a_long_one_shortened():
    assert field_in_words(("farger",)) == "«farger»"
    assert field_in_words(("template", "x" * 100)) == "mal, «" + "x" * 57 + "…»"
    assert field_in_words(("activity_types", "y" * 61)) == "aktivitetstype «" + "y" * 57 + "…»"


def test_each_missing_field_is_named_where_it_is_missing():
    assert sorted(described(lambda d: [d.pop("columns"), d["template"].pop("name")])) == [
        (("columns",), "mangler; feltet er påkrevd"),
        (("template", "name"), "mangler; feltet er påkrevd"),
    ]


def test_each_unknown_field_is_named_with_the_advice_to_remove_or_correct_it():
    assert sorted(described(lambda d: d["template"].update(farge="rød", navn="NHF"))) == [
        (("template", "farge"), "er ikke et felt kolonneoppsettet kjenner; fjern det eller rett navnet"),
        (("template", "navn"), "er ikke et felt kolonneoppsettet kjenner; fjern det eller rett navnet"),
    ]


@pytest.mark.parametrize(
    ("change", "entry"),
    [
        (lambda d: d["columns"][0].update(width="bred"), (("columns", 0, "width"), "må være et tall")),
        (
            lambda d: d["columns"][0].update(format="money"),
            (("columns", 0, "format"), "må være en av: text, integer, date, datetime, time, boolean"),
        ),
        (lambda d: d.update(format_version=2), (("format_version",), "må være 1")),
        (lambda d: d["columns"][1].update(heading=""), (("columns", 1, "heading"), "kan ikke være tom")),
        (lambda d: d["columns"][0].update(width=300), (("columns", 0, "width"), "kan være høyst 255")),
        (
            lambda d: d["columns"][1].update(expression="local_time"),
            (("columns", 1), "oppgi nøyaktig ett av «source» (et felt på raden) og «expression»"),
        ),
        (
            lambda d: d["template"]["boolean_labels"].update(true=1.5),
            (("template", "boolean_labels", "true"), "må være en tekst (høyst 200 tegn) eller et heltall"),
        ),
        (
            lambda d: d["counting_rules"][0].update(id="Min45"),
            (
                ("counting_rules", 0, "id"),
                "«Min45» har feil form: bruk små bokstaver a-z, sifre og _, og begynn med en bokstav",
            ),
        ),
        (
            lambda d: d["activity_types"].update({"Stand!": {"label": "Stand", "category": "annet"}}),
            (("activity_types", "Stand!"), "er ikke et gyldig navn: bruk bare a-z, 0-9 og _ (høyst 60 tegn)"),
        ),
        (
            lambda d: d.setdefault("value_lists", {}).update({"Fylker i Norge " * 5: {"46": "Vestland"}}),
            (("value_lists", "Fylker i Norge " * 5), "er for langt til å være et navn: høyst 60 tegn"),
        ),
    ],
    ids=["type", "enum", "const", "empty", "maximum", "one of", "any of", "pattern", "property name", "long name"],
)
def test_what_the_schema_expects_is_said_in_norwegian_at_the_field(change, entry):
    assert described(change) == [entry]


@pytest.mark.parametrize(
    ("schema", "instance", "message"),
    [
        ({"type": ["string", "null"]}, 3, "må være en tekst i anførselstegn eller null"),
        ({"type": "array"}, {}, "må være en liste [ … ]"),
        ({"type": "string", "minLength": 3}, "ab", "må være minst 3 tegn lang"),
        ({"type": "array", "maxItems": 2}, [1, 2, 3], "kan ha høyst 2 oppføringer"),
        ({"type": "number", "minimum": 1}, 0, "må være minst 1"),
        ({"multipleOf": 5}, 7, "7 is not a multiple of 5"),
    ],
    ids=["two types", "a list", "too short", "too many entries", "too small", "a rule without words"],
)
def test_a_schema_keyword_is_put_in_words_and_an_unknown_one_keeps_jsonschemas_message(schema, instance, message):
    (error,) = Draft202012Validator(schema).iter_errors(instance)
    assert describe_schema_error(error) == [((), message)]

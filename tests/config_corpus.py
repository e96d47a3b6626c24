"""A corpus of malformed and malicious column configuration documents, each with the field it must be refused at.

Each case is (name, make, path): `make()` builds the document (a Python value), `path` is the JSON path
(as jsonschema spells it) that the refusal must name. TEXT_CASES are documents as typed into the admin.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from exports.demo.configs import hlf_config, nhf_config


def nhf(change: Callable[[dict], Any]) -> Callable[[], Any]:
    """NHF's document with one change applied in place."""

    def make() -> Any:
        document = copy.deepcopy(nhf_config())
        change(document)
        return document

    return make


RULES = len(nhf_config()["counting_rules"])


def rule(index: int, **fields: Any) -> Callable[[dict], None]:
    """Set fields of counting rule `index`."""
    return lambda d: d["counting_rules"][index].update(fields)


def column_expression(index: int, expression: str) -> Callable[[dict], None]:
    """Make column `index` computed by `expression`."""

    def change(document: dict) -> None:
        document["columns"][index].pop("source", None)
        document["columns"][index]["expression"] = expression

    return change


def nested_list(depth: int) -> list:
    """A list nested `depth` levels deep, built without recursion."""
    value: list = []
    for _level in range(depth):
        value = [value]
    return value


def many_columns(count: int) -> Callable[[dict], None]:
    """`count` distinct text columns."""
    return lambda d: d.update(
        columns=[{"key": f"k{i}", "heading": f"H{i}", "source": "branch_name", "format": "text"} for i in range(count)]
    )


REQUIRE = "$.counting_rules[1].require"
COLUMN_EXPRESSION = "$.columns[2].expression"

_EXPRESSIONS = [
    ("spaces only", "   "),
    ("comment only", "# nothing"),
    ("unary minus 100000 deep", "-" * 100_000 + "1"),
    ("1 MB of 1+1", "+".join(["1"] * 500_000)),
    ("unary minus past depth", "-" * 900 + "1"),
    ("nested negations past depth", "-(" * 100 + "1" + ")" * 100),
    ("nested not past depth", "not " * 30 + "has_peer_mentor"),
    ("too many parts", " + ".join(["duration_minutes"] * 300)),
    ("power of huge numbers", "4000000**4000000"),
    ("power of a field", "duration_minutes ** duration_minutes"),
    ("list repetition", "[[1]*99999]*99999"),
    ("text repetition", "'x' * 99999999"),
    ("text repetition by field", "'ab' * duration_minutes"),
    ("percent formatting", "'%0999999999d' % 1"),
    ("percent formatting of a field", "'%s' % municipality_code"),
    ("f-string width", "f'{1:0999999999}'"),
    ("f-string", "f'{municipality_code}'"),
    ("format method", "'{:099999999}'.format(1)"),
    ("import statement", "import os"),
    ("function definition", "def f(): pass"),
    ("assignment", "x = 1"),
    ("two statements", "1; 2"),
    ("walrus", "(x := 1)"),
    ("lambda", "lambda: 1"),
    ("attribute access", "municipality_code.__class__"),
    ("dunder chain", "().__class__.__bases__[0].__subclasses__()"),
    ("subscript", "municipality_code[0]"),
    ("slice", "municipality_code[::-1]"),
    ("list comprehension", "[x for x in 'abc']"),
    ("generator", "sum(x for x in 'abc')"),
    ("set comprehension", "{x for x in 'abc'}"),
    ("dict comprehension", "{x: 1 for x in 'abc'}"),
    ("dict literal", "{'a': 1}"),
    ("list outside in", "[1, 2] == [1, 2]"),
    ("in a field", "'a' in municipality_code"),
    ("in a list of fields", "category in [category, status]"),
    ("too long list", "category in [" + ", ".join(str(i) for i in range(200)) + "]"),
    ("starred", "len(*municipality_code)"),
    ("keyword argument", "int(x=1)"),
    ("wrong arity", "label('bufdir_kategori')"),
    ("unknown function", "open('/etc/passwd')"),
    ("import function", "__import__('os')"),
    ("eval", "eval('1')"),
    ("getattr", "getattr(1, 'real')"),
    ("globals", "globals()"),
    ("unknown name", "duraton_minutes >= 45"),
    ("builtins name", "__builtins__"),
    ("function not called", "len"),
    ("bit shift", "1 << 100000"),
    ("bit or", "1 | 2"),
    ("bit invert", "~duration_minutes"),
    ("matrix multiply", "duration_minutes @ duration_minutes"),
    ("huge int literal", "10000000000000000000000 > duration_minutes"),
    ("huge float literal", "1e999 > duration_minutes"),
    ("complex literal", "1j"),
    ("bytes literal", "b'x'"),
    ("ellipsis", "..."),
    ("long text literal", "'" + "x" * 600 + "'"),
    ("yield", "(yield 1)"),
    ("await", "await x"),
    ("conditional without else", "1 if has_peer_mentor"),
    ("syntax error", "has_peer_mentor and"),
    ("NUL in expression", "has_peer_mentor\x00"),
]

CASES: list[tuple[str, Callable[[], Any], str]] = (
    [(f"require: {name}", nhf(rule(1, require=source)), REQUIRE) for name, source in _EXPRESSIONS]
    + [
        (f"column: {name}", nhf(column_expression(2, source)), COLUMN_EXPRESSION)
        for name, source in _EXPRESSIONS[:8]
        + [
            ("list value", "[1, 2]"),
            ("dict value", "{'a': 1}"),
            ("set value", "{1, 2}"),
            ("function value", "len"),
            ("tuple value", "(1, 2)"),
        ]
    ]
    + [
        ("when: power", nhf(rule(4, when="2 ** 99999999")), "$.counting_rules[4].when"),
        (
            "validation: statement",
            nhf(lambda d: d["validations"][0].update(require="import os")),
            "$.validations[0].require",
        ),
        ("not an object", lambda: ["not", "an", "object"], "$"),
        ("null document", lambda: None, "$"),
        ("text document", lambda: "{}", "$"),
        ("number document", lambda: 42, "$"),
        ("empty object", dict, "$.format_version"),
        ("10000-deep list", lambda: nested_list(10_000), "$[0][0][0][0][0][0][0][0]"),
        (
            "deep list in a column",
            nhf(lambda d: d["columns"][0].update(width=nested_list(50))),
            "$.columns[0].width[0][0][0][0][0]",
        ),
        ("set in the document", nhf(lambda d: d["template"].update(name={"a"})), "$.template.name"),
        ("function in the document", nhf(lambda d: d["template"].update(name=len)), "$.template.name"),
        ("bytes in the document", nhf(lambda d: d["template"].update(name=b"x")), "$.template.name"),
        ("NaN width", nhf(lambda d: d["columns"][0].update(width=float("nan"))), "$.columns[0].width"),
        ("infinite width", nhf(lambda d: d["columns"][0].update(width=float("inf"))), "$.columns[0].width"),
        ("zero width", nhf(lambda d: d["columns"][0].update(width=0)), "$.columns[0].width"),
        ("huge width", nhf(lambda d: d["columns"][0].update(width=1e9)), "$.columns[0].width"),
        ("text width", nhf(lambda d: d["columns"][0].update(width="10")), "$.columns[0].width"),
        (
            "huge integer label",
            nhf(lambda d: d["template"]["boolean_labels"].update(true=10**20)),
            "$.template.boolean_labels.true",
        ),
        (
            "list label",
            nhf(lambda d: d["template"]["boolean_labels"].update(true=["Ja"])),
            "$.template.boolean_labels.true",
        ),
        (
            "missing yes label",
            nhf(lambda d: d["template"]["boolean_labels"].pop("true")),
            "$.template.boolean_labels.true",
        ),
        ("NUL in heading", nhf(lambda d: d["columns"][0].update(heading="Dato\x00")), "$.columns[0].heading"),
        ("U+FFFE in heading", nhf(lambda d: d["columns"][0].update(heading="Dato\ufffe")), "$.columns[0].heading"),
        ("lone surrogate in name", nhf(lambda d: d["template"].update(name="NHF \ud800")), "$.template.name"),
        ("control character in reason", nhf(rule(0, reason="a\x07b")), "$.counting_rules[0].reason"),
        ("NUL in a key", nhf(lambda d: d["template"].update({"na\x00me": "x"})), "$.template['na\ufffdme']"),
        ("too long heading", nhf(lambda d: d["columns"][0].update(heading="x" * 201)), "$.columns[0].heading"),
        ("megabyte heading", nhf(lambda d: d["columns"][0].update(heading="x" * 1_000_000)), "$.columns[0].heading"),
        ("too long reason", nhf(rule(0, reason="x" * 1001)), "$.counting_rules[0].reason"),
        ("duplicate heading", nhf(lambda d: d["columns"][1].update(heading="Dato")), "$.columns[1].heading"),
        (
            "duplicate heading by case and spaces",
            nhf(lambda d: d["columns"][1].update(heading=" dato ")),
            "$.columns[1].heading",
        ),
        ("blank heading", nhf(lambda d: d["columns"][1].update(heading="   ")), "$.columns[1].heading"),
        ("empty heading", nhf(lambda d: d["columns"][1].update(heading="")), "$.columns[1].heading"),
        (
            "free-text date format",
            nhf(lambda d: d["template"].update(date_format="unbalanced [Red")),
            "$.template.date_format",
        ),
        (
            "colour in date format",
            nhf(lambda d: d["template"].update(date_format="[Red]DD.MM.YYYY")),
            "$.template.date_format",
        ),
        ("number format as date", nhf(lambda d: d["template"].update(date_format="0.00")), "$.template.date_format"),
        (
            "General as date format",
            nhf(lambda d: d["template"].update(date_format="General")),
            "$.template.date_format",
        ),
        ("text format as date", nhf(lambda d: d["template"].update(date_format="@")), "$.template.date_format"),
        (
            "sections in date format",
            nhf(lambda d: d["template"].update(date_format="DD;MM;YYYY")),
            "$.template.date_format",
        ),
        (
            "time in date format only",
            nhf(lambda d: d["template"].update(date_format="HH:MM")),
            "$.template.date_format",
        ),
        ("date as time format", nhf(lambda d: d["template"].update(time_format="DD.MM")), "$.template.time_format"),
        (
            "condition in time format",
            nhf(lambda d: d["template"].update(time_format="[>1]HH:MM")),
            "$.template.time_format",
        ),
        ("long date format", nhf(lambda d: d["template"].update(date_format="DD." * 30)), "$.template.date_format"),
        (
            "datetime format without time",
            nhf(lambda d: d["template"].update(datetime_format="DD.MM.YYYY")),
            "$.template.datetime_format",
        ),
        ("20000 columns", nhf(many_columns(20_000)), "$.columns"),
        ("201 columns", nhf(many_columns(201)), "$.columns"),
        ("no columns", nhf(lambda d: d.update(columns=[])), "$.columns"),
        ("columns not a list", nhf(lambda d: d.update(columns={"a": 1})), "$.columns"),
        (
            "too many rules",
            nhf(
                lambda d: d.update(
                    counting_rules=[{"id": f"r{i}", "require": "has_peer_mentor", "reason": "x"} for i in range(101)]
                )
            ),
            "$.counting_rules",
        ),
        ("missing columns", nhf(lambda d: d.pop("columns")), "$.columns"),
        ("missing template", nhf(lambda d: d.pop("template")), "$.template"),
        ("missing require", nhf(lambda d: d["counting_rules"][0].pop("require")), "$.counting_rules[0].require"),
        ("unknown top-level field", nhf(lambda d: d.update(extra=1)), "$.extra"),
        ("unknown column field", nhf(lambda d: d["columns"][0].update(formula="=1+1")), "$.columns[0].formula"),
        ("format version 2", nhf(lambda d: d.update(format_version=2)), "$.format_version"),
        (
            "unknown category",
            nhf(lambda d: d["activity_types"]["stand"].update(category="moro")),
            "$.activity_types.stand.category",
        ),
        (
            "bad activity type key",
            nhf(lambda d: d["activity_types"].update({"Bad Key!": d["activity_types"]["stand"]})),
            "$.activity_types['Bad Key!']",
        ),
        ("unknown column format", nhf(lambda d: d["columns"][0].update(format="money")), "$.columns[0].format"),
        ("bad column key", nhf(lambda d: d["columns"][0].update(key="1abc")), "$.columns[0].key"),
        ("duplicate column key", nhf(lambda d: d["columns"][1].update(key="dato")), "$.columns[1].key"),
        (
            "duplicate rule id",
            nhf(lambda d: d["counting_rules"].append(dict(d["counting_rules"][0]))),
            f"$.counting_rules[{RULES}].id",
        ),
        ("bad rule id", nhf(rule(0, id="Bad id")), "$.counting_rules[0].id"),
        ("unknown source", nhf(lambda d: d["columns"][2].update(source="fylke")), "$.columns[2].source"),
        ("source and expression", nhf(lambda d: d["columns"][0].update(expression="local_date")), "$.columns[0]"),
        ("neither source nor expression", nhf(lambda d: d["columns"][0].pop("source")), "$.columns[0]"),
        ("undefined value list", nhf(column_expression(6, "label('mangler', category)")), "$.columns[6].expression"),
        (
            "value list entry a list",
            nhf(lambda d: d.update(value_lists={"koder": {"kurs": ["x"]}})),
            "$.value_lists.koder.kurs",
        ),
        (
            "too many value list entries",
            nhf(lambda d: d.setdefault("value_lists", {}).update(big={str(i): "x" for i in range(1001)})),
            "$.value_lists.big",
        ),
        (
            "rule not an object",
            nhf(lambda d: d["counting_rules"].append("has_peer_mentor")),
            f"$.counting_rules[{RULES}]",
        ),
        ("expression a number", nhf(rule(1, require=1)), REQUIRE),
        ("expression null", nhf(rule(1, require=None)), REQUIRE),
        (
            "HLF: power in a column",
            lambda: _hlf_with(column_expression(6, "9 ** 9 ** 9")),
            COLUMN_EXPRESSION.replace("[2]", "[6]"),
        ),
    ]
)


def _hlf_with(change: Callable[[dict], Any]) -> dict:
    """HLF's document with one change applied."""
    document = copy.deepcopy(hlf_config())
    change(document)
    return document


def _valid_text() -> str:
    """NHF's document as the admin shows it."""
    return json.dumps(nhf_config(), indent=2, ensure_ascii=False)


TEXT_CASES: list[tuple[str, Callable[[], str], str]] = [
    ("trailing comma", lambda: _valid_text().replace('"Ja",', '"Ja",,', 1), "linje"),
    ("unclosed object", lambda: _valid_text()[:-1], "linje"),
    ("single quotes", lambda: _valid_text().replace('"Ja"', "'Ja'", 1), "linje"),
    ("NaN", lambda: _valid_text().replace('"width": 28', '"width": NaN', 1), "NaN"),
    ("Infinity", lambda: _valid_text().replace('"width": 28', '"width": Infinity', 1), "Infinity"),
    ("10000-deep JSON array", lambda: "[" * 10_000 + "]" * 10_000, "nøstet for dypt"),
    ("1 MB document", lambda: json.dumps({"x": "1+" * 500_000}), "lengre enn"),
    ("huge integer", lambda: _valid_text().replace('"width": 28', '"width": ' + "9" * 5000, 1), "invalid"),
    ("empty text", lambda: "   ", "required"),
    ("NUL escape", lambda: _valid_text().replace('"Dato"', '"Da\\u0000to"', 1), "$.columns[0].heading"),
]

"""Validates a column configuration document and compiles it into a ready-to-run form.

Validation never raises anything but InvalidColumnConfig, however deep, large or strange the document: its
shape and size are checked without recursion first, then JSON Schema, then the expressions and formats.
"""

from __future__ import annotations

import ast
import logging
import math
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema import ValidationError as SchemaError

from exports.config.activity_links import url_template_problem
from exports.config.cell_safety import REFUSED_CHARACTERS
from exports.config.constant_failures import refuse_always_failing
from exports.config.cost import cost_problems
from exports.config.expressions import (
    CompiledExpression,
    ExpressionEngine,
    ExpressionError,
)
from exports.config.row_variables import COLUMN_VARIABLES, ROW_VARIABLES
from exports.config.schema import COLUMN_CONFIG_SCHEMA
from exports.config.wording import describe_schema_error, field_in_words

logger = logging.getLogger(__name__)
_SCHEMA_VALIDATOR = Draft202012Validator(COLUMN_CONFIG_SCHEMA)
MAX_DOCUMENT_DEPTH = 8
MAX_DOCUMENT_VALUES = 50_000
MAX_CONTAINER_ENTRIES = 1_000
MAX_DOCUMENT_NODES = 1_000
MAX_DOCUMENT_CALLS = 32
"""Budgets for all expressions of a document together: they bound the cost of one row, not just one expression."""
MAX_STRING_LENGTH = 10_000
MAX_JSON_INTEGER = 10**15

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ConfigError:
    """One problem in a document: where (JSON path and the field in words) and what is expected."""

    path: str
    message: str
    field: str = ""

    def __str__(self) -> str:
        return f"{self.field} ({self.path}): {self.message}" if self.field else f"{self.path}: {self.message}"


class InvalidColumnConfig(ValueError):
    """A document that failed validation; `errors` says where and why."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


@dataclass(frozen=True)
class CompiledRule:
    """A rule: when `when` holds, the row must satisfy `require`, or `reason` applies."""

    id: str
    when: CompiledExpression | None
    require: CompiledExpression
    reason: str
    action: str = ""


@dataclass(frozen=True)
class CompiledColumn:
    """One output column: heading, format and where its value comes from."""

    key: str
    heading: str
    format: str
    source: str | None
    expression: CompiledExpression | None
    width: float | None


@dataclass(frozen=True)
class CompiledConfig:
    """A validated document with every expression compiled."""

    template_name: str
    date_format: str
    datetime_format: str
    time_format: str
    true_label: Any
    false_label: Any
    activity_types: dict[str, dict[str, str]]
    counting_rules: tuple[CompiledRule, ...]
    validations: tuple[CompiledRule, ...]
    columns: tuple[CompiledColumn, ...]
    engine: ExpressionEngine = field(compare=False)
    activity_url: str = ""
    """The app address of one registration, with `{id}` (empty when the organisation names none)."""


def json_path(parts: Sequence[str | int]) -> str:
    """The JSON path of `parts`, spelled exactly as jsonschema spells `ValidationError.json_path`."""
    return SchemaError("", path=deque(parts)).json_path


def error_at(parts: Path, *, message: str) -> ConfigError:
    """A ConfigError at `parts`, naming the field in words (characters no page can show replaced by �)."""
    return ConfigError(
        *(REFUSED_CHARACTERS.sub("\ufffd", text) for text in (json_path(parts), message, field_in_words(parts)))
    )


def _shape_errors(document: Any) -> list[ConfigError]:
    """Problems no schema can be trusted with: depth, size, types JSON lacks, characters a database refuses."""
    errors: list[ConfigError] = []
    stack: list[tuple[Any, Path]] = [(document, ())]
    seen = 0
    while stack and len(errors) < 20:
        value, parts = stack.pop()
        seen += 1
        if seen > MAX_DOCUMENT_VALUES:
            return [error_at((), message=_("is too large: at most %(max)s values") % {"max": MAX_DOCUMENT_VALUES})]
        if len(parts) > MAX_DOCUMENT_DEPTH:
            return [
                error_at(
                    parts[:MAX_DOCUMENT_DEPTH],
                    message=_("is nested too deeply: at most %(max)s levels") % {"max": MAX_DOCUMENT_DEPTH},
                )
            ]
        if isinstance(value, dict | list) and len(value) > MAX_CONTAINER_ENTRIES:
            errors.append(
                error_at(parts, message=_("may have at most %(max)s entries") % {"max": MAX_CONTAINER_ENTRIES})
            )
        elif isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    errors.append(error_at(parts, message=_("has a field name that is not text")))
                    continue
                problem = _text_problem(key)
                if problem:
                    errors.append(error_at((*parts, key[:60]), message=problem))
                stack.append((item, (*parts, key)))
        elif isinstance(value, list):
            stack.extend((item, (*parts, index)) for index, item in enumerate(value))
        elif isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                errors.append(error_at(parts, message=problem))
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if not -MAX_JSON_INTEGER <= value <= MAX_JSON_INTEGER:
                errors.append(
                    error_at(parts, message=_("is a number too large: at most %(max)s") % {"max": MAX_JSON_INTEGER})
                )
        elif isinstance(value, float):
            if not math.isfinite(value):
                errors.append(error_at(parts, message=_("must be a finite number")))
        else:
            errors.append(
                error_at(parts, message=_("is not a JSON value (text, number, true/false, null, list or object)"))
            )
    return errors


def _text_problem(text: str) -> str | None:
    """Why a text cannot be stored (too long, or with characters a spreadsheet or database refuses)."""
    if len(text) > MAX_STRING_LENGTH:
        return _("is longer than %(max)s characters") % {"max": MAX_STRING_LENGTH}
    if REFUSED_CHARACTERS.search(text):
        return _("contains control characters or characters that are not allowed (such as U+0000 or U+FFFE)")
    return None


def _schema_errors(document: Any) -> list[ConfigError]:
    """Problems of shape reported by JSON Schema, in words, each once."""
    found: dict[tuple[str, str], ConfigError] = {}
    for error in _SCHEMA_VALIDATOR.iter_errors(document):
        for parts, message in describe_schema_error(error):
            problem = error_at(parts, message=message)
            found.setdefault((problem.path, problem.message), problem)
    return sorted(found.values(), key=lambda e: e.path)


class _Compiler:
    """Compiles a schema-valid document, collecting every error instead of stopping at the first."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.engine = ExpressionEngine(document.get("value_lists", {}))
        self.errors: list[ConfigError] = []
        self.nodes = 0
        self.calls = 0
        self.over_budget = False

    def expression(self, parts: Path, source: str | None, names: frozenset[str]) -> CompiledExpression | None:
        """Compile one expression, recording an error at `parts` when it is wrong."""
        if source is None:
            return None
        try:
            compiled = self.engine.compile(source, allowed_names=names)
            refuse_always_failing(compiled, engine=self.engine)
        except ExpressionError as exc:
            self.errors.append(error_at(parts, message=str(exc)))
            return None
        self.nodes += compiled.nodes
        self.calls += compiled.calls
        if not self.over_budget and (self.nodes > MAX_DOCUMENT_NODES or self.calls > MAX_DOCUMENT_CALLS):
            self.over_budget = True
            self.errors.append(
                error_at(
                    parts,
                    message=_(
                        "makes the expressions of the document too large together: at most %(nodes)s parts and "
                        "%(calls)s function calls in all"
                    )
                    % {"nodes": MAX_DOCUMENT_NODES, "calls": MAX_DOCUMENT_CALLS},
                )
            )
        lists = self.document.get("value_lists", {})
        for name in _label_list_names(compiled):
            if name not in lists:
                self.errors.append(
                    error_at(
                        parts,
                        message=_("uses the value list «%(name)s», which is not defined in value_lists")
                        % {"name": name},
                    )
                )
        return compiled

    def rules(self, key: str) -> tuple[CompiledRule, ...]:
        """Compile the rules listed under `key`, checking that their ids are unique."""
        compiled, seen = [], set()
        for index, rule in enumerate(self.document.get(key, [])):
            if rule["id"] in seen:
                self.errors.append(
                    error_at(
                        (key, index, "id"),
                        message=_("«%(id)s» is used by another rule; each rule needs its own id") % {"id": rule["id"]},
                    )
                )
            seen.add(rule["id"])
            when = self.expression((key, index, "when"), rule.get("when"), ROW_VARIABLES)
            require = self.expression((key, index, "require"), rule["require"], ROW_VARIABLES)
            if require is not None:
                compiled.append(CompiledRule(rule["id"], when, require, rule["reason"], rule.get("action", "")))
        return tuple(compiled)

    def columns(self) -> tuple[CompiledColumn, ...]:
        """Compile the columns, checking keys, headings and sources."""
        compiled, keys, headings = [], set(), set()
        for index, column in enumerate(self.document["columns"]):
            if column["key"] in keys:
                self.errors.append(
                    error_at(
                        ("columns", index, "key"),
                        message=_("«%(key)s» is used by another column; each column needs its own key")
                        % {"key": column["key"]},
                    )
                )
            keys.add(column["key"])
            heading = " ".join(column["heading"].split()).casefold()
            if not heading:
                self.errors.append(error_at(("columns", index, "heading"), message=_("must not be blank")))
            elif heading in headings:
                self.errors.append(
                    error_at(
                        ("columns", index, "heading"),
                        message=_("«%(heading)s» is the heading of another column; headings must be unique")
                        % {"heading": column["heading"]},
                    )
                )
            headings.add(heading)
            source = column.get("source")
            if source is not None and source not in COLUMN_VARIABLES:
                self.errors.append(
                    error_at(
                        ("columns", index, "source"),
                        message=_("«%(source)s» is not a field of the row; use one of %(fields)s")
                        % {"source": source, "fields": ", ".join(sorted(COLUMN_VARIABLES))},
                    )
                )
            expression = self.expression(("columns", index, "expression"), column.get("expression"), COLUMN_VARIABLES)
            compiled.append(
                CompiledColumn(
                    column["key"], column["heading"], column["format"], source, expression, column.get("width")
                )
            )
        return tuple(compiled)

    def formats(self) -> None:
        """Check the date and time formats against the tokens Excel accepts."""
        template = self.document["template"]
        for key, needs_date, needs_time in (
            ("date_format", True, False),
            ("datetime_format", True, True),
            ("time_format", False, True),
        ):
            text = template.get(key)
            if text is not None and not is_date_time_format(text, needs_date=needs_date, needs_time=needs_time):
                self.errors.append(
                    error_at(
                        ("template", key),
                        message=_(
                            "«%(format)s» is not a date/time format Excel accepts; use tokens such as DD, MM, YYYY, "
                            "HH, "
                            "MM, SS with . - / : or spaces between them, e.g. DD.MM.YYYY or HH:MM"
                        )
                        % {"format": text[:64]},
                    )
                )

    def activity_url(self) -> str:
        """The checked app address of one registration, or "" when the document names none."""
        url: str = self.document.get("activity_url", "")
        problem = url_template_problem(url) if url else None
        if problem:
            self.errors.append(error_at(("activity_url",), message=problem))
        return url

    def compile(self) -> CompiledConfig:
        """Compile the whole document or raise InvalidColumnConfig."""
        template = self.document["template"]
        self.formats()
        activity_url = self.activity_url()
        counting_rules = self.rules("counting_rules")
        validations = self.rules("validations")
        columns = self.columns()
        self.errors += [
            error_at(parts, message=message)
            for parts, message in cost_problems(self.document, expressions=[column.expression for column in columns])
        ]
        if self.errors:
            raise InvalidColumnConfig(self.errors)
        return CompiledConfig(
            template_name=template["name"],
            date_format=template["date_format"],
            datetime_format=template.get("datetime_format", f"{template['date_format']} HH:MM"),
            time_format=template.get("time_format", "HH:MM"),
            true_label=template["boolean_labels"]["true"],
            false_label=template["boolean_labels"]["false"],
            activity_types=dict(self.document["activity_types"]),
            counting_rules=counting_rules,
            validations=validations,
            columns=columns,
            engine=self.engine,
            activity_url=activity_url,
        )


def _label_list_names(expression: CompiledExpression) -> Iterator[str]:
    """The literal list names of `label(...)` calls in a compiled expression."""
    for node in ast.walk(expression.tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "label"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value


def compile_document(document: Any) -> CompiledConfig:
    """Validate `document` and compile it, or raise InvalidColumnConfig (and nothing else)."""
    try:
        errors = _shape_errors(document) or _schema_errors(document)
        if errors:
            raise InvalidColumnConfig(errors)
        return _Compiler(document).compile()
    except InvalidColumnConfig:
        raise
    except (RecursionError, MemoryError) as exc:
        raise InvalidColumnConfig([error_at((), message=_("is too deep or too large to check; simplify it"))]) from exc
    except Exception as exc:  # validation must answer with a message, never with a crash
        logger.exception("column configuration could not be checked")
        raise InvalidColumnConfig(
            [error_at((), message=_("could not be checked (%(error)s); simplify it") % {"error": type(exc).__name__})]
        ) from exc


def validate_document(document: Any) -> list[ConfigError]:
    """Every problem of `document`; an empty list when it may be saved."""
    try:
        compile_document(document)
    except InvalidColumnConfig as exc:
        return exc.errors
    return []


_DATE_TOKENS = r"yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d"
_TIME_TOKENS = r"\[hh?\]|\[mm?\]|\[ss?\]|hh|h|mm|m|ss|s|am/pm|a/p|\.0{1,3}"
_LITERALS = r'[ .,:/\-_()]|"[^"\\\x00-\x1f]{0,20}"|\\[^\x00-\x1f"\\]'
_FORMAT = re.compile(rf"(?:{_DATE_TOKENS}|{_TIME_TOKENS}|{_LITERALS})+", re.IGNORECASE)
_HAS_TIME = re.compile(r"[hs]", re.IGNORECASE)
MAX_FORMAT_LENGTH = 64


def is_date_time_format(text: str, *, needs_date: bool, needs_time: bool) -> bool:
    """Whether `text` is a date/time format Excel accepts, built only from the whitelisted tokens.

    Tokens: d dd ddd dddd, m mm mmm mmmm mmmmm, yy yyyy, h hh, [h] [m] [s], s ss, .0-.000, AM/PM, A/P;
    literals: space . , : / - _ ( ), a backslash before one character, or a short "quoted text".
    No colours, conditions, number placeholders or sections (`;`).
    """
    if not isinstance(text, str) or not 0 < len(text) <= MAX_FORMAT_LENGTH or not _FORMAT.fullmatch(text):
        return False
    unquoted = re.sub(r'"[^"]*"|\\.', "", text)
    if needs_date and not re.search(r"[dy]", unquoted, re.IGNORECASE):
        return False
    return not (needs_time and not _HAS_TIME.search(unquoted))

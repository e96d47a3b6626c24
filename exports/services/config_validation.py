"""Validates a column configuration document and compiles it into a ready-to-run form."""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from exports.services.config_schema import COLUMN_CONFIG_SCHEMA
from exports.services.expressions import (
    CompiledExpression,
    ExpressionEngine,
    ExpressionError,
)
from exports.services.row_variables import COLUMN_VARIABLES, ROW_VARIABLES

_SCHEMA_VALIDATOR = Draft202012Validator(COLUMN_CONFIG_SCHEMA)


@dataclass(frozen=True)
class ConfigError:
    """One problem in a document, at a JSON path such as `columns[2].expression`."""

    path: str
    message: str


class InvalidColumnConfig(ValueError):
    """A document that failed validation; `errors` says where and why."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.path}: {e.message}" for e in errors))


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


def _json_path(parts: Any) -> str:
    """Render a jsonschema path deque as `a.b[2].c`."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


def _schema_errors(document: Any) -> list[ConfigError]:
    """Problems of shape, reported by JSON Schema."""
    return [
        ConfigError(_json_path(error.absolute_path), error.message)
        for error in sorted(_SCHEMA_VALIDATOR.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]


class _Compiler:
    """Compiles a schema-valid document, collecting every error instead of stopping at the first."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.engine = ExpressionEngine(document.get("value_lists", {}))
        self.errors: list[ConfigError] = []

    def expression(self, path: str, source: str | None, names: frozenset[str]) -> CompiledExpression | None:
        """Compile one expression, recording an error at `path` when it is wrong."""
        if source is None:
            return None
        try:
            return self.engine.compile(source, names)
        except ExpressionError as exc:
            self.errors.append(ConfigError(path, str(exc)))
            return None

    def rules(self, key: str) -> tuple[CompiledRule, ...]:
        """Compile the rules listed under `key`, checking that their ids are unique."""
        compiled, seen = [], set()
        for index, rule in enumerate(self.document.get(key, [])):
            path = f"{key}[{index}]"
            if rule["id"] in seen:
                self.errors.append(ConfigError(f"{path}.id", f"duplicate rule id «{rule['id']}»"))
            seen.add(rule["id"])
            when = self.expression(f"{path}.when", rule.get("when"), ROW_VARIABLES)
            require = self.expression(f"{path}.require", rule["require"], ROW_VARIABLES)
            if require is not None:
                compiled.append(CompiledRule(rule["id"], when, require, rule["reason"], rule.get("action", "")))
        return tuple(compiled)

    def columns(self) -> tuple[CompiledColumn, ...]:
        """Compile the columns, checking keys and sources."""
        compiled, seen = [], set()
        for index, column in enumerate(self.document["columns"]):
            path = f"columns[{index}]"
            if column["key"] in seen:
                self.errors.append(ConfigError(f"{path}.key", f"duplicate column key «{column['key']}»"))
            seen.add(column["key"])
            source = column.get("source")
            if source is not None and source not in COLUMN_VARIABLES:
                self.errors.append(ConfigError(f"{path}.source", f"unknown source field «{source}»"))
            expression = self.expression(f"{path}.expression", column.get("expression"), COLUMN_VARIABLES)
            compiled.append(
                CompiledColumn(column["key"], column["heading"], column["format"], source, expression,
                               column.get("width"))
            )
        return tuple(compiled)

    def label_calls(self) -> None:
        """Check that every `label('list', ...)` call names a value list the document has."""
        lists = set(self.document.get("value_lists", {}))
        for index, column in enumerate(self.document["columns"]):
            source = column.get("expression") or ""
            for name in _label_list_names(source):
                if name not in lists:
                    message = f"value list «{name}» is not defined in value_lists"
                    self.errors.append(ConfigError(f"columns[{index}].expression", message))

    def compile(self) -> CompiledConfig:
        """Compile the whole document or raise InvalidColumnConfig."""
        template = self.document["template"]
        counting_rules = self.rules("counting_rules")
        validations = self.rules("validations")
        columns = self.columns()
        self.label_calls()
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
        )


def _label_list_names(source: str) -> list[str]:
    """The literal list names of `label(...)` calls in an expression."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return []
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "label"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def compile_document(document: Any) -> CompiledConfig:
    """Validate `document` against the schema and compile it, or raise InvalidColumnConfig."""
    errors = _schema_errors(document)
    if errors:
        raise InvalidColumnConfig(errors)
    return _Compiler(document).compile()


def validate_document(document: Any) -> list[ConfigError]:
    """Every problem of `document`; an empty list when it may be saved."""
    try:
        compile_document(document)
    except InvalidColumnConfig as exc:
        return exc.errors
    return []

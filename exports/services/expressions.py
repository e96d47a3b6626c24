"""Safe expressions for column configurations, evaluated with simpleeval (no eval of user text)."""
from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from simpleeval import EvalWithCompoundTypes

from exports.geography import county_name, is_municipality, municipality_county


class ExpressionError(ValueError):
    """An expression that cannot be compiled or evaluated."""


def _label(value_lists: Mapping[str, Mapping[str, str]]) -> Callable[[str, Any], Any]:
    """Build `label(list, value)`: the value's label in one of the document's value lists."""

    def label(list_name: str, value: Any) -> Any:
        return value_lists.get(list_name, {}).get(str(value), value)

    return label


BASE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "is_municipality": is_municipality,
    "municipality_county": municipality_county,
    "county_name": county_name,
    "len": len,
    "str": str,
    "int": int,
    "lower": lambda text: str(text).lower() if text is not None else None,
}
FUNCTION_NAMES = frozenset(BASE_FUNCTIONS) | {"label"}
CONSTANT_NAMES = frozenset({"True", "False", "None", "true", "false", "null"})


@dataclass(frozen=True)
class CompiledExpression:
    """An expression parsed once and checked against the names it may use."""

    source: str
    tree: ast.AST


class ExpressionEngine:
    """Compiles and evaluates expressions over a row's variables."""

    def __init__(self, value_lists: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._functions = dict(BASE_FUNCTIONS, label=_label(value_lists or {}))
        self._evaluator = EvalWithCompoundTypes(functions=self._functions, names={})

    def compile(self, source: str, allowed_names: frozenset[str]) -> CompiledExpression:
        """Parse `source` and reject syntax errors, unknown names and unsupported constructs."""
        try:
            tree = self._evaluator.parse(source)
        except SyntaxError as exc:
            raise ExpressionError(f"syntax error in «{source}»: {exc.msg}") from exc
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                if node.id not in allowed_names | FUNCTION_NAMES | CONSTANT_NAMES:
                    raise ExpressionError(f"unknown name «{node.id}» in «{source}»")
            elif isinstance(node, ast.Call):
                if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTION_NAMES:
                    raise ExpressionError(f"only the functions {sorted(FUNCTION_NAMES)} may be called in «{source}»")
            elif isinstance(node, (ast.Attribute, ast.Lambda, ast.ListComp, ast.DictComp, ast.SetComp,
                                   ast.GeneratorExp, ast.NamedExpr, ast.Starred)):
                raise ExpressionError(f"«{type(node).__name__}» is not allowed in «{source}»")
        return CompiledExpression(source=source, tree=tree)

    def evaluate(self, expression: CompiledExpression, names: Mapping[str, Any]) -> Any:
        """Evaluate a compiled expression with the row's variables."""
        self._evaluator.names = {"true": True, "false": False, "null": None, **names}
        try:
            return self._evaluator.eval(expression.source, previously_parsed=expression.tree)
        except Exception as exc:  # simpleeval raises many kinds; all mean the same to the caller
            raise ExpressionError(f"«{expression.source}» failed: {exc}") from exc

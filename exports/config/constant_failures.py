"""Refuses expressions that fail whatever the row: a part without row fields that cannot be computed, or `/ 0`.

A part of an expression that reads no field of the row (`1/0`, `int('x')`, `len(5)`) has the same value on
every row, so it is computed once when the configuration is saved; if that fails, the expression would fail
on every row that reaches it, and the configuration is refused. A division whose divisor reads no field and
is zero fails on every row too. Each part is bounded by the expression language, so computing it is cheap.
"""

from __future__ import annotations

import ast
import copy

from django.utils.translation import gettext as _

from exports.config.expression_failures import failure_in_words
from exports.config.expressions import (
    CONSTANT_NAMES,
    CONSTANTS,
    FUNCTION_NAMES,
    CompiledExpression,
    ExpressionEngine,
    ExpressionError,
)

_DIVISIONS = (ast.Div, ast.FloorDiv, ast.Mod)
_SHOWN_PART = 80


def refuse_always_failing(expression: CompiledExpression, *, engine: ExpressionEngine) -> None:
    """Raise ExpressionError (in words) when a part of `expression` fails on every row."""
    stack: list[ast.expr] = [expression.tree.body]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Constant | ast.Name | ast.List | ast.Tuple | ast.Set):
            continue  # a literal, a field, or the literal list of «in»: nothing to compute
        if _reads_no_field(node):
            _compute(node, engine)
            continue
        if isinstance(node, ast.BinOp) and isinstance(node.op, _DIVISIONS) and _reads_no_field(node.right):
            divisor = _compute(node.right, engine)
            if type(divisor) in (int, float, bool) and divisor == 0:
                raise ExpressionError(_("always fails: «%(part)s» divides by zero") % {"part": _shown(node)})
        stack.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))


def _reads_no_field(node: ast.expr) -> bool:
    """Whether `node` has the same value on every row (it names only constants and functions)."""
    return all(
        name.id in CONSTANT_NAMES or name.id in FUNCTION_NAMES for name in ast.walk(node) if isinstance(name, ast.Name)
    )


def _compute(node: ast.expr, engine: ExpressionEngine) -> object:
    """The value of a part that reads no field, or ExpressionError saying it cannot be computed."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return CONSTANTS.get(node.id)
    part = CompiledExpression(
        source=_shown(node), tree=ast.Expression(node), function=engine.function_of(copy.deepcopy(node))
    )
    try:
        return engine.evaluate(part, names={})
    except ExpressionError as exc:
        raise ExpressionError(
            _("always fails: «%(part)s» cannot be computed (%(error)s)")
            % {"part": _shown(node), "error": failure_in_words(exc)}
        ) from exc


def _shown(node: ast.expr) -> str:
    """The part as written, shortened for a message."""
    text = ast.unparse(node)
    return text if len(text) <= _SHOWN_PART else text[: _SHOWN_PART - 1] + "…"

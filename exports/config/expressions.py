"""The configuration's expression language: a small Python subset, checked once and compiled once to a function.

What an expression may say: comparisons (incl. chains and `is None`), `and`/`or`/`not`, `+ - * / // %` on
numbers, `+` on text, `in`/`not in` a literal list, `a if condition else b`, the row's fields, literals, and
calls of the whitelisted functions. Every other syntax node is refused when the configuration is saved.

Why no accepted expression can cost more than a few milliseconds or megabytes on a row (by construction):
- size: at most MAX_SOURCE_LENGTH characters, MAX_NODES syntax nodes, MAX_CALLS function calls and MAX_DEPTH
  levels, so an evaluation performs at most MAX_NODES operations and holds at most about 2 x MAX_DEPTH
  intermediate values (a whole document is held to MAX_DOCUMENT_NODES and MAX_DOCUMENT_CALLS, see
  config.validation);
- values: every value is a scalar (text, number, boolean, None, date, time); lists exist only as literal
  right-hand sides of `in`, with at most MAX_LIST_LITERAL constant elements; there are no loops, no
  comprehensions, no attribute access, no subscripts, no `**`, no bit shifts, no f-strings;
- operators are guarded: `* / // %` take numbers only (no text repetition, no `%` formatting), `+` joins text
  only up to MAX_TEXT_LENGTH characters, and integer results beyond MAX_NUMBER are refused, so no operation
  costs more than O(MAX_TEXT_LENGTH + the row's longest text) time or memory;
- the functions are whitelisted, each linear in its argument's length, and `int` reads at most 30 digits;
- the row's texts, and the generated `not_counted_reason` and `data_issues`, reach expressions cut to just past
  what a cell holds (column_mapper), so "linear in the length" means at most MAX_TEXT_LENGTH characters; what a
  whole row can hold is bounded when the document is saved (config.cost).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from exports.geography import county_name, is_municipality, municipality_county

MAX_SOURCE_LENGTH = 1_000
MAX_NODES = 200
MAX_CALLS = 16
MAX_DEPTH = 24
MAX_STRING_LITERAL = 500
MAX_INT_LITERAL = 10**12
MAX_LIST_LITERAL = 100
MAX_TEXT_LENGTH = 32_767
MAX_NUMBER = 2**63


class ExpressionError(ValueError):
    """An expression that cannot be compiled or evaluated; the message says why, in the user's language."""


def _label(value_lists: Mapping[str, Mapping[str, str]]) -> Callable[[str, Any], Any]:
    """Build `label(list, value)`: the value's label in one of the document's value lists."""

    def label(list_name: str, value: Any) -> Any:
        return value_lists.get(list_name, {}).get(str(value), value)

    return label


def _number(value: Any) -> Any:
    """`value`, refused when it is an integer too large to be a sane count or amount."""
    if type(value) is int and not -MAX_NUMBER < value < MAX_NUMBER:
        raise ExpressionError(_("a number grew beyond %(max)s") % {"max": MAX_NUMBER})
    return value


def _is_number(value: Any) -> bool:
    """Whether arithmetic may use `value`."""
    return type(value) in (int, float, bool)


def _numbers(symbol: str, left: Any, right: Any) -> None:
    """Refuse arithmetic on anything but numbers (no text repetition, no % formatting)."""
    if not (_is_number(left) and _is_number(right)):
        raise TypeError(f"«{symbol}» needs two numbers, not {type(left).__name__} and {type(right).__name__}")


def _add(left: Any, right: Any) -> Any:
    """Numbers added, or texts joined up to what a cell holds."""
    if isinstance(left, str) and isinstance(right, str):
        if len(left) + len(right) > MAX_TEXT_LENGTH:
            raise ExpressionError(_("joined text grew beyond %(max)s characters") % {"max": MAX_TEXT_LENGTH})
        return left + right
    _numbers("+", left, right)
    return _number(left + right)


def _sub(left: Any, right: Any) -> Any:
    _numbers("-", left, right)
    return _number(left - right)


def _mul(left: Any, right: Any) -> Any:
    _numbers("*", left, right)
    return _number(left * right)


def _div(left: Any, right: Any) -> Any:
    _numbers("/", left, right)
    return left / right


def _floordiv(left: Any, right: Any) -> Any:
    _numbers("//", left, right)
    return _number(left // right)


def _mod(left: Any, right: Any) -> Any:
    _numbers("%", left, right)
    return _number(left % right)


def _int(value: Any) -> int:
    """`int()` of a number or of a short text of digits."""
    if isinstance(value, str) and len(value.strip()) > 30:
        raise ValueError("too many digits")
    number = int(value)
    _number(number)
    return number


def _lower(text: Any) -> Any:
    """Lower-case text; None stays None."""
    return str(text).lower() if text is not None else None


_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "_add",
    ast.Sub: "_sub",
    ast.Mult: "_mul",
    ast.Div: "_div",
    ast.FloorDiv: "_floordiv",
    ast.Mod: "_mod",
}
_GUARDS: dict[str, Callable[..., Any]] = {
    "_add": _add,
    "_sub": _sub,
    "_mul": _mul,
    "_div": _div,
    "_floordiv": _floordiv,
    "_mod": _mod,
}
BASE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "is_municipality": is_municipality,
    "municipality_county": municipality_county,
    "county_name": county_name,
    "len": len,
    "str": str,
    "int": _int,
    "lower": _lower,
}
FUNCTION_ARITY = {**dict.fromkeys(BASE_FUNCTIONS, 1), "label": 2}
FUNCTION_NAMES = frozenset(FUNCTION_ARITY)
CONSTANTS = {"True": True, "False": False, "None": None, "true": True, "false": False, "null": None}
CONSTANT_NAMES = frozenset(CONSTANTS)
_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.BinOp,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    *_OPERATORS,
)
_ROW = "_row"
_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.MatMult: "@",
}
_CONSTRUCTS = {
    "List": "[…] (a list outside «in»)",
    "Tuple": "(…, …)",
    "Set": "{…}",
    "Dict": "{…: …}",
    "Attribute": ". (attribute access)",
    "Subscript": "[…] (indexing)",
    "Lambda": "lambda",
    "JoinedStr": 'f"…"',
    "FormattedValue": 'f"{…}"',
    "ListComp": "[… for …]",
    "SetComp": "{… for …}",
    "DictComp": "{…: … for …}",
    "GeneratorExp": "(… for …)",
    "NamedExpr": ":=",
    "Starred": "*",
    "Await": "await",
    "Yield": "yield",
    "YieldFrom": "yield from",
    "Slice": "[…:…]",
    "Invert": "~",
}


@dataclass(frozen=True)
class CompiledExpression:
    """An expression checked once and compiled once to a Python function of the row's variables."""

    source: str
    tree: ast.Expression
    function: Callable[[Mapping[str, Any]], Any] = field(compare=False, repr=False)
    nodes: int = 0
    calls: int = 0


def _allowed_summary() -> str:
    """What an expression may use, in words."""
    return _(
        "comparisons, and/or/not, + - * / // %% on numbers, + on text, «in» with a literal list, "
        "«a if condition else b» and the functions %(functions)s"
    ) % {"functions": ", ".join(sorted(FUNCTION_NAMES))}


class _Checker:
    """Refuses every node the language does not have, and every literal or shape past its bound."""

    def __init__(self, allowed_names: frozenset[str]) -> None:
        self.allowed_names = allowed_names
        self.nodes = 0
        self.calls = 0

    def check(self, tree: ast.Expression) -> None:
        """Walk the tree without recursion, counting nodes and levels."""
        stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
        while stack:
            node, depth = stack.pop()
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise ExpressionError(_("is too large: at most %(max)s parts") % {"max": MAX_NODES})
            if depth > MAX_DEPTH:
                raise ExpressionError(_("is nested too deeply: at most %(max)s levels") % {"max": MAX_DEPTH})
            stack.extend((child, depth + 1) for child in self.children(node))

    def children(self, node: ast.AST) -> list[ast.AST]:
        """The sub-expressions of `node` still to check, after checking `node` itself."""
        if isinstance(node, ast.Constant):
            self.constant(node.value)
            return []
        if isinstance(node, ast.Name):
            if node.id in FUNCTION_NAMES:
                raise ExpressionError(_("the function «%(name)s» must be called, e.g. %(name)s(…)") % {"name": node.id})
            if node.id not in self.allowed_names and node.id not in CONSTANT_NAMES:
                raise ExpressionError(_("unknown field «%(name)s»") % {"name": node.id[:60]})
            return []
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.BinOp):
            self.binop(node)
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
            raise ExpressionError(
                _("the operator «%(op)s» is not allowed; allowed are %(allowed)s")
                % {"op": "~", "allowed": _allowed_summary()}
            )
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(
                _("«%(construct)s» is not allowed; allowed are %(allowed)s")
                % {
                    "construct": _CONSTRUCTS.get(type(node).__name__, type(node).__name__),
                    "allowed": _allowed_summary(),
                }
            )
        return [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)]

    @staticmethod
    def binop(node: ast.BinOp) -> None:
        """Only the guarded operators; only `+` may touch a text literal."""
        symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
        if type(node.op) not in _OPERATORS:
            raise ExpressionError(
                _("the operator «%(op)s» is not allowed; allowed are %(allowed)s")
                % {"op": symbol, "allowed": _allowed_summary()}
            )
        texts = [
            side for side in (node.left, node.right) if isinstance(side, ast.Constant) and isinstance(side.value, str)
        ]
        if texts and not isinstance(node.op, ast.Add):
            raise ExpressionError(_("«%(op)s» works on numbers only; text can only be joined with +") % {"op": symbol})

    def call(self, node: ast.Call) -> list[ast.AST]:
        """A call of a whitelisted function with positional arguments only, at most MAX_CALLS of them."""
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise ExpressionError(_("calls functions too often: at most %(max)s calls") % {"max": MAX_CALLS})
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTION_NAMES:
            raise ExpressionError(
                _("only the functions %(functions)s may be called") % {"functions": ", ".join(sorted(FUNCTION_NAMES))}
            )
        if (
            node.keywords
            or len(node.args) != FUNCTION_ARITY[name]
            or any(isinstance(arg, ast.Starred) for arg in node.args)
        ):
            raise ExpressionError(
                _("the function «%(name)s» takes %(count)s argument(s), without names")
                % {"name": name, "count": FUNCTION_ARITY[name]}
            )
        return list(node.args)

    def compare(self, node: ast.Compare) -> list[ast.AST]:
        """A comparison; `in` and `not in` only with a literal list of constants on the right."""
        children: list[ast.AST] = [node.left]
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(right, ast.List | ast.Tuple | ast.Set) or not all(
                    isinstance(element, ast.Constant) for element in right.elts
                ):
                    raise ExpressionError(_("«in» and «not in» need a literal list such as ['a', 'b'] on the right"))
                if len(right.elts) > MAX_LIST_LITERAL:
                    raise ExpressionError(_("a list may have at most %(max)s elements") % {"max": MAX_LIST_LITERAL})
                children.extend(right.elts)
            else:
                children.append(right)
        return children

    @staticmethod
    def constant(value: Any) -> None:
        """Text, numbers, booleans and None, each within its bound."""
        if isinstance(value, str):
            if len(value) > MAX_STRING_LITERAL:
                raise ExpressionError(
                    _("a text in quotes may be at most %(max)s characters") % {"max": MAX_STRING_LITERAL}
                )
        elif isinstance(value, bool) or value is None:
            return
        elif isinstance(value, int):
            if abs(value) > MAX_INT_LITERAL:
                raise ExpressionError(_("a number may be at most %(max)s") % {"max": MAX_INT_LITERAL})
        elif isinstance(value, float):
            if not abs(value) <= MAX_INT_LITERAL:
                raise ExpressionError(_("a number may be at most %(max)s") % {"max": MAX_INT_LITERAL})
        else:
            raise ExpressionError(
                _("«%(value)s» is not a text, a number, true/false or null") % {"value": repr(value)[:40]}
            )


class _Rewriter(ast.NodeTransformer):
    """Turns a checked tree into plain Python: fields read from the row, operators through their guards."""

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in CONSTANTS:
            return ast.copy_location(ast.Constant(CONSTANTS[node.id]), node)
        return ast.copy_location(ast.Subscript(ast.Name(_ROW, ast.Load()), ast.Constant(node.id), ast.Load()), node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        guard = ast.Name(_OPERATORS[type(node.op)], ast.Load())
        return ast.copy_location(ast.Call(guard, [node.left, node.right], []), node)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        node.args = [self.visit(arg) for arg in node.args]
        return node


def parse(source: str) -> ast.Expression:
    """Parse `source` as one expression (never a statement), within the size bound."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError(_("is empty; write an expression such as duration_minutes >= 45"))
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(_("is longer than %(max)s characters") % {"max": MAX_SOURCE_LENGTH})
    try:
        return ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            _("is not a valid expression (syntax error at character %(offset)s)") % {"offset": exc.offset or 1}
        ) from exc
    except (RecursionError, MemoryError, ValueError) as exc:
        raise ExpressionError(_("is nested too deeply: at most %(max)s levels") % {"max": MAX_DEPTH}) from exc


class ExpressionEngine:
    """Compiles expressions to functions once; evaluates them with the row's variables."""

    def __init__(self, value_lists: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._globals: dict[str, Any] = {
            "__builtins__": {},
            **_GUARDS,
            **BASE_FUNCTIONS,
            "label": _label(value_lists or {}),
        }

    def compile(self, source: str, *, allowed_names: frozenset[str]) -> CompiledExpression:
        """Check `source` against the language and its bounds, then compile it to a function."""
        tree = parse(source)
        checker = _Checker(allowed_names)
        checker.check(tree)
        function = self.function_of(ast.parse(source.strip(), mode="eval").body)
        return CompiledExpression(source=source, tree=tree, function=function, nodes=checker.nodes, calls=checker.calls)

    def function_of(self, body: ast.expr) -> Callable[[Mapping[str, Any]], Any]:
        """A checked expression tree (rewritten in place) compiled to a Python function of the row's variables."""
        body = _Rewriter().visit(body)
        arguments = ast.arguments(posonlyargs=[], args=[ast.arg(_ROW)], kwonlyargs=[], kw_defaults=[], defaults=[])
        module = ast.fix_missing_locations(ast.Expression(ast.Lambda(arguments, body)))
        function: Callable[[Mapping[str, Any]], Any] = eval(  # noqa: S307 - a checked tree
            compile(module, "<column configuration>", "eval"), self._globals
        )
        return function

    def evaluate(self, expression: CompiledExpression, *, names: Mapping[str, Any]) -> Any:
        """Evaluate a compiled expression with the row's variables."""
        try:
            return expression.function(names)
        except ExpressionError:
            raise
        except Exception as exc:  # a type error, a division by zero...: all mean the rule failed on this row
            raise ExpressionError(f"«{expression.source}»: {type(exc).__name__}: {exc}") from exc

"""Words for a configuration's fields and for what JSON Schema expects of them (translated to Norwegian)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import ValidationError as SchemaError

Parts = tuple[str | int, ...]

_TOP: dict[str, Callable[[], str]] = {
    "format_version": lambda: _("format version"),
    "template": lambda: _("template"),
    "activity_types": lambda: _("activity types"),
    "value_lists": lambda: _("value lists"),
    "columns": lambda: _("columns"),
    "counting_rules": lambda: _("counting rules"),
    "validations": lambda: _("data checks"),
    "activity_url": lambda: _("address of a registration in the app"),
}
_FIELDS: dict[str, Callable[[], str]] = {
    "name": lambda: _("name"),
    "date_format": lambda: _("date format"),
    "datetime_format": lambda: _("date-and-time format"),
    "time_format": lambda: _("time format"),
    "boolean_labels": lambda: _("yes/no labels"),
    "true": lambda: _("label for yes"),
    "false": lambda: _("label for no"),
    "label": lambda: _("label"),
    "category": lambda: _("category"),
    "key": lambda: _("key"),
    "heading": lambda: _("heading"),
    "source": lambda: _("source field"),
    "expression": lambda: _("expression"),
    "format": lambda: _("format"),
    "width": lambda: _("width"),
    "id": lambda: _("id"),
    "when": lambda: _("condition (when)"),
    "require": lambda: _("requirement (require)"),
    "reason": lambda: _("reason"),
    "action": lambda: _("what to do (action)"),
    "description": lambda: _("description"),
}
_ITEMS: dict[str, Callable[[int], str]] = {
    "columns": lambda n: _("column %(number)s") % {"number": n},
    "counting_rules": lambda n: _("counting rule %(number)s") % {"number": n},
    "validations": lambda n: _("data check %(number)s") % {"number": n},
}
_TYPES: dict[str, Callable[[], str]] = {
    "object": lambda: _("an object { … }"),
    "array": lambda: _("a list [ … ]"),
    "string": lambda: _("a text in quotes"),
    "integer": lambda: _("a whole number"),
    "number": lambda: _("a number"),
    "boolean": lambda: _("true or false"),
    "null": lambda: _("null"),
}


def _short(value: Any) -> str:
    """A value quoted for a message, cut to a readable length."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def field_in_words(parts: Sequence[str | int]) -> str:
    """The field at `parts` in words, e.g. «column 3, heading»."""
    if not parts:
        return _("the document")
    words: list[str] = []
    top = parts[0]
    words.append(_TOP[top]() if isinstance(top, str) and top in _TOP else f"«{_short(top)}»")
    rest = list(parts[1:])
    if rest and top in _ITEMS and isinstance(rest[0], int):
        words[-1] = _ITEMS[str(top)](int(rest.pop(0)) + 1)
    elif rest and top == "activity_types":
        words[-1] = _("activity type «%(key)s»") % {"key": _short(rest.pop(0))}
    elif rest and top == "value_lists":
        words[-1] = _("value list «%(key)s»") % {"key": _short(rest.pop(0))}
        if rest:
            words.append(_("entry «%(key)s»") % {"key": _short(rest.pop(0))})
    for part in rest:
        if isinstance(part, int):
            words.append(_("entry %(number)s") % {"number": part + 1})
        else:
            words.append(_FIELDS[part]() if part in _FIELDS else f"«{_short(part)}»")
    return ", ".join(words)


def _type_words(expected: Any) -> str:
    """JSON Schema type names in words."""
    names = expected if isinstance(expected, list) else [expected]
    return _(" or ").join(_TYPES[name]() if name in _TYPES else str(name) for name in names)


def describe_schema_error(error: SchemaError) -> list[tuple[Parts, str]]:
    """Where a JSON Schema error is and what is expected there, in words (one entry per field concerned)."""
    parts: Parts = tuple(error.absolute_path)
    kind: Any = error.validator
    expected: Any = error.validator_value
    instance: Any = error.instance
    schema: Any = error.schema
    if kind == "required" and isinstance(instance, dict):
        return [((*parts, key), _("is missing; it is required")) for key in expected if key not in instance]
    if kind == "additionalProperties" and expected is False and isinstance(instance, dict):
        known = schema.get("properties", {})
        return [
            ((*parts, key), _("is not a field the configuration knows; remove it or correct its name"))
            for key in instance
            if key not in known
        ]
    if kind == "propertyNames" or "propertyNames" in error.relative_schema_path:
        if "pattern" in schema:
            return [
                ((*parts, str(instance)), _("is not a valid name: use only a-z, 0-9 and _ (at most 60 characters)"))
            ]
        limit = {"max": schema.get("maxLength")}
        return [((*parts, str(instance)), _("is too long for a name: at most %(max)s characters") % limit)]
    messages: dict[str, Callable[[], str]] = {
        "type": lambda: _("must be %(type)s") % {"type": _type_words(expected)},
        "enum": lambda: _("must be one of: %(values)s") % {"values": ", ".join(map(str, expected))},
        "const": lambda: _("must be %(value)s") % {"value": expected},
        "pattern": lambda: (
            _("«%(value)s» has the wrong form: use lower-case letters a-z, digits and _, starting with a letter")
            % {"value": _short(instance)}
        ),
        "minLength": lambda: (
            _("must not be empty")
            if expected == 1
            else (_("must be at least %(min)s characters long") % {"min": expected})
        ),
        "maxLength": lambda: _("may be at most %(max)s characters long") % {"max": expected},
        "minItems": lambda: _("must have at least %(min)s entries") % {"min": expected},
        "maxItems": lambda: _("may have at most %(max)s entries") % {"max": expected},
        "minProperties": lambda: _("must have at least %(min)s entries") % {"min": expected},
        "maxProperties": lambda: _("may have at most %(max)s entries") % {"max": expected},
        "minimum": lambda: _("must be at least %(min)s") % {"min": expected},
        "maximum": lambda: _("may be at most %(max)s") % {"max": expected},
        "oneOf": lambda: _("give exactly one of «source» (a field of the row) and «expression»"),
        "anyOf": lambda: _("must be a text (at most 200 characters) or a whole number"),
    }
    message = messages.get(kind)
    return [(parts, message() if message else error.message)]

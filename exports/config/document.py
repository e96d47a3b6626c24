"""The admin's document field: JSON text read safely, with the line and column of a syntax error."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.forms.fields import InvalidJSONInput
from django.utils.formats import number_format
from django.utils.translation import gettext as _

MAX_DOCUMENT_CHARACTERS = 200_000


def _refuse_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (and PostgreSQL refuses them)."""
    raise ValueError(_("«%(name)s» is not a number JSON allows") % {"name": name})


def read_document(text: str) -> Any:
    """Parse a document typed into the admin, or raise a ValidationError that says where it is wrong."""
    if len(text) > MAX_DOCUMENT_CHARACTERS:
        limit = number_format(MAX_DOCUMENT_CHARACTERS, force_grouping=True)
        raise forms.ValidationError(
            _("The document is longer than %(max)s characters; a configuration is much smaller.") % {"max": limit},
            code="too_long",
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(
            _("The JSON is not valid at line %(line)s, column %(column)s (%(problem)s).")
            % {"line": exc.lineno, "column": exc.colno, "problem": json_problem(exc.msg)},
            code="invalid",
        ) from exc
    except RecursionError as exc:
        raise forms.ValidationError(
            _("The JSON is nested too deeply; a configuration has at most a few levels."), code="too_deep"
        ) from exc
    except ValueError as exc:
        raise forms.ValidationError(
            _("The JSON is not valid: %(problem)s") % {"problem": str(exc)[:200]}, code="invalid"
        ) from exc


class DocumentField(forms.JSONField):
    """A JSON field that never fails with anything but a validation error."""

    def to_python(self, value: Any) -> Any:
        if self.disabled or value in self.empty_values or not isinstance(value, str):
            return super().to_python(value)
        return read_document(value)

    def bound_data(self, data: Any, initial: Any) -> Any:
        if self.disabled or not isinstance(data, str):
            return super().bound_data(data, initial)
        try:
            return read_document(data)
        except forms.ValidationError:
            return InvalidJSONInput(data)


def json_problem(message: str) -> str:
    """What is wrong at the error's place, in the active language (the message of an unknown kind, unchanged)."""
    kinds = (
        ("Expecting value", _("a value was expected")),
        ("Expecting property name enclosed in double quotes", _("a property name in double quotes was expected")),
        ("Expecting ':' delimiter", _("a colon (:) was expected")),
        ("Expecting ',' delimiter", _("a comma (,) was expected")),
        ("Unterminated string starting at", _("a text in quotes is not closed")),
        ("Invalid control character", _("a control character, such as a line break, is inside a text in quotes")),
        ("Invalid \\uXXXX escape", _("a \\u escape is not followed by four hexadecimal digits")),
        ("Invalid \\escape", _("a backslash escape that JSON does not know")),
        ("Extra data", _("there is more text after the end of the document")),
        ("Illegal trailing comma before end of object", _("a comma stands before the closing }")),
        ("Illegal trailing comma before end of array", _("a comma stands before the closing ]")),
    )
    for kind, words in kinds:
        if message.startswith(kind):
            return words
    return message

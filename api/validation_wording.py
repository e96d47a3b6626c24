"""Pydantic's validation errors in the reader's words: our own validators' text without "Value error, "."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

VALUE_ERROR_PREFIX = "Value error, "


def field_message(error: dict[str, Any]) -> str:
    """One field error of a request, in the active language."""
    kind = str(error.get("type", ""))
    if kind == "value_error":
        cause = (error.get("ctx") or {}).get("error")
        text = str(cause) if cause else str(error.get("msg", ""))
        return text.removeprefix(VALUE_ERROR_PREFIX) or _("The value is not valid.")
    messages = {
        "extra_forbidden": _("This field is not allowed here."),
        "missing": _("This field is required."),
        "model_attributes_type": _("The request body must be a JSON object."),
        "dict_type": _("The request body must be a JSON object."),
        "model_type": _("The request body must be a JSON object."),
        "greater_than_equal": _("The number is too small."),
        "less_than_equal": _("The number is too large."),
        "int_type": _("must be a whole number, e.g. 2025"),
        "int_parsing": _("must be a whole number, e.g. 2025"),
        "date_type": _("must be a date written YYYY-MM-DD"),
        "date_parsing": _("must be a date written YYYY-MM-DD"),
        "date_from_datetime_parsing": _("must be a date written YYYY-MM-DD"),
    }
    return str(messages.get(kind, _("The value is not valid.")))

"""Python's JSON syntax errors in the reader's words: each kind of `json.JSONDecodeError.msg` translated."""

from __future__ import annotations

from django.utils.translation import gettext as _


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

"""How a configuration expression failed on a row: which rule or column, and why, in words."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _


class ExpressionPlace(StrEnum):
    """Where in the configuration a failing expression sits."""

    COUNTING_RULE = "counting_rule"
    VALIDATION = "validation"
    COLUMN = "column"


@dataclass(frozen=True)
class BrokenExpression:
    """A rule or column whose expression raised on a row; equal when the place, name and reason are."""

    place: ExpressionPlace
    name: str
    reason: str
    technical: str = field(default="", compare=False)

    @classmethod
    def of(cls, place: ExpressionPlace, *, name: str, error: Exception) -> BrokenExpression:
        """The failure of `name` at `place`, its reason in words read from `error`."""
        return cls(place=place, name=name, reason=failure_in_words(error), technical=str(error)[:300])

    def title(self) -> str:
        """The rule or column in words: «the data check «x»»."""
        if self.place == ExpressionPlace.COUNTING_RULE:
            return _("the counting rule «%(name)s»") % {"name": self.name}
        if self.place == ExpressionPlace.VALIDATION:
            return _("the data check «%(name)s»") % {"name": self.name}
        return _("the column «%(name)s»") % {"name": self.name}


def failure_in_words(error: BaseException) -> str:
    """Why an expression could not be computed, in the active language (division by zero, a wrong type, ...)."""
    cause = error.__cause__ if error.__cause__ is not None else error
    if isinstance(cause, ZeroDivisionError):
        return _("division by zero")
    if isinstance(cause, TypeError):
        return _("a value of the wrong type (such as text where a number is needed, or an empty value)")
    if isinstance(cause, OverflowError):
        return _("a number too large")
    if isinstance(cause, ValueError) and cause is not error:
        return _("a value that cannot be converted, such as int() of text that is not a number")
    if cause is error and str(error):
        return str(error)
    return _("an unexpected error (%(error)s)") % {"error": type(cause).__name__}

"""The trigger page's form: a calendar year or a date range."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exports.domain import Period
from exports.rules.periods import PeriodNotChosen, PeriodOutOfBounds, PeriodProblem, parse_period


def year_choices(today: dt.date) -> list[tuple[int | str, int | str]]:
    """No year (when dates are chosen), then this year and the five before it, newest first."""
    return [("", "–"), *((year, year) for year in range(today.year, today.year - 6, -1))]


class ExportPeriodForm(forms.Form):
    """Pick a year, or a range of dates (both inclusive)."""

    MODE_YEAR = "year"
    MODE_RANGE = "range"

    mode = forms.ChoiceField(
        label=_("Period"),
        choices=[(MODE_YEAR, _("Calendar year")), (MODE_RANGE, _("Date range"))],
        initial=MODE_YEAR,
        widget=forms.RadioSelect,
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        year_field = cast(forms.TypedChoiceField, self.fields["year"])
        year_field.choices = year_choices(today)
        self.fields["year"].initial = today.year - 1
        self.fields["year"].widget.attrs["data-default"] = str(today.year - 1)

    def clean(self) -> dict[str, Any]:
        """Never guess: the mode picks the year or the dates, `parse_period` decides, the page words its problems."""
        data = super().clean() or {}
        year, start, end = data.get("year"), data.get("date_from"), data.get("date_to")
        typed_dates = bool(start or end or self.data.get("date_from") or self.data.get("date_to"))
        by_year = data.get("mode") == self.MODE_YEAR
        try:
            if year and typed_dates:  # a date typed but unreadable is still a date range asked for
                raise PeriodNotChosen(frozenset({PeriodProblem.BOTH}))
            parse_period(
                year=year if by_year else None,
                date_from=None if by_year else start,
                date_to=None if by_year else end,
            )
        except PeriodNotChosen as exc:
            self._word(exc.problems, by_year=by_year)
        except PeriodOutOfBounds as exc:
            self.add_error("year" if by_year else "date_to", str(exc))
        return data

    def _word(self, problems: frozenset[PeriodProblem], *, by_year: bool) -> None:
        """The page's words, on its fields, for a request that names no period or two."""
        if PeriodProblem.BOTH in problems:
            self.add_error(
                None,
                _(
                    "Choose either a calendar year or a date range, not both: clear the dates, "
                    "or choose “Date range” and no year."
                ),
            )
        elif by_year:
            self.add_error("year", _("Choose a year."))
        else:
            if problems & {PeriodProblem.NO_START, PeriodProblem.NEITHER} and "date_from" not in self.errors:
                self.add_error("date_from", _("Enter the first date of the period."))
            if problems & {PeriodProblem.NO_END, PeriodProblem.NEITHER} and "date_to" not in self.errors:
                self.add_error("date_to", _("Enter the last date of the period."))

    def full_clean(self) -> None:
        """Validate, then point each field in error at its message (aria-invalid, aria-describedby)."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"{name}-error"})

    def period(self) -> Period:
        """The chosen period (call after is_valid())."""
        data = self.cleaned_data
        if data["mode"] == self.MODE_YEAR:
            return Period.year(data["year"])
        return Period(data["date_from"], data["date_to"])

"""The trigger page's form: a calendar year or a date range."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exports.domain import Period
from exports.services.period_rule import PeriodOutOfBounds, check_period, check_year


def year_choices(today: dt.date) -> list[tuple[int, int]]:
    """This year and the five before it, newest first."""
    return [(year, year) for year in range(today.year, today.year - 6, -1)]


class ExportPeriodForm(forms.Form):
    """Pick a year, or a range of dates (both inclusive)."""

    MODE_YEAR = "year"
    MODE_RANGE = "range"

    mode = forms.ChoiceField(
        label=_("Period"), choices=[(MODE_YEAR, _("Calendar year")), (MODE_RANGE, _("Date range"))],
        initial=MODE_YEAR, widget=forms.RadioSelect,
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].choices = year_choices(today)
        self.fields["year"].initial = today.year - 1

    def clean(self) -> dict:
        """Check that the chosen period is complete, ordered and at most a year long."""
        data = super().clean()
        if data.get("mode") == self.MODE_YEAR:
            if not data.get("year"):
                self.add_error("year", _("Choose a year."))
            else:
                try:
                    check_year(data["year"])
                except PeriodOutOfBounds as exc:
                    self.add_error("year", str(exc))
            return data
        start, end = data.get("date_from"), data.get("date_to")
        if start is None:
            self.add_error("date_from", _("Enter the first date of the period."))
        if end is None:
            self.add_error("date_to", _("Enter the last date of the period."))
        if start and end:
            try:
                check_period(start, end)
            except PeriodOutOfBounds as exc:
                self.add_error("date_to", str(exc))
        return data

    def period(self) -> Period:
        """The chosen period (call after is_valid())."""
        data = self.cleaned_data
        if data["mode"] == self.MODE_YEAR:
            return Period.year(data["year"])
        return Period(data["date_from"], data["date_to"])

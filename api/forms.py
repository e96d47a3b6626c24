"""The form that names a new personal API token and picks its lifetime."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

LIFETIME_CHOICES = [(30, _("30 days")), (90, _("90 days")), (365, _("1 year"))]


class NewTokenForm(forms.Form):
    """A name to recognise the token by, and how long it lives."""

    name = forms.CharField(
        label=_("Name"), max_length=100, strip=True, help_text=_("For example the system that will use it.")
    )
    days = forms.TypedChoiceField(label=_("Valid for"), choices=LIFETIME_CHOICES, coerce=int, initial=90)

"""The export page's choice of e-mail notice."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class NoticePreferenceForm(forms.Form):
    """Whether to get an e-mail when an export you started has finished."""

    email_when_finished = forms.BooleanField(label=_("E-mail me when an export I started has finished"), required=False)

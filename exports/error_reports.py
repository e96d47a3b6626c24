"""Django's error reports (the DEBUG page and the admins' e-mails) without the secrets hidden inside values."""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^/\s:@]*:)(?P<secret>[^@\s/]*)(?P<tail>@)", re.IGNORECASE)
_QUERY_SECRET = re.compile(
    r"(?P<head>[?&;][^=&\s]*(?:key|token|secret|pass|sig|auth|credential)[^=&\s]*=)"
    r"(?P<secret>[^&\s]+)",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?P<head>\b(?:bearer|basic)\s+)(?P<secret>[a-z0-9._~+/=-]{8,})", re.IGNORECASE)


class SecretMaskingFilter(SafeExceptionReporterFilter):
    """Django's filter, also masking passwords in URLs (REDIS_URL, DATABASE_URL, CHANNEL_LAYERS, Q_CLUSTER…),
    secret query parameters and bearer tokens wherever they appear: settings, request.META and frame variables.
    """

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|PRIVATE|DSN|SESSION", flags=re.IGNORECASE
    )

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        """Django's cleansing, then any secret inside a remaining text masked."""
        cleansed = super().cleanse_setting(key, value)
        return self.mask_text(cleansed) if isinstance(cleansed, str) else cleansed

    def mask_text(self, text: str) -> str:
        """`text` with URL passwords, secret query parameters and bearer tokens replaced by the substitute."""
        text = str(text)  # lazy strings (django-axes' settings) too
        for pattern in (_URL_PASSWORD, _QUERY_SECRET, _BEARER):
            text = pattern.sub(
                lambda match: f"{match['head']}{self.cleansed_substitute}" + (match.groupdict().get("tail") or ""), text
            )
        return text

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        """Frame variables as Django cleanses them, with secrets inside texts, lists and dicts masked too."""
        return [
            (name, self._cleanse_variable(value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    def _cleanse_variable(self, value: Any) -> Any:
        """One frame variable cleansed; one too deep to walk is not shown at all."""
        if not isinstance(value, str | dict | list | tuple):
            return value
        try:
            return self.cleanse_setting("", value)
        except RecursionError:
            return self.cleansed_substitute

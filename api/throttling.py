"""Request throttling per API token."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from api.errors import is_outage

logger = logging.getLogger(__name__)
WARN_EVERY_SECONDS = 60.0


class TokenRateThrottle(SimpleRateThrottle):
    """At most API_THROTTLE_RATE requests per token (counted in the default cache).

    Fails open: when the cache cannot be reached the request is let through (and a warning logged at most
    once a minute). The token has been checked against the database already; the throttle only spares the
    service, so an unreachable cache must not make every export unreadable.
    """

    scope = "api_token"
    _last_warning = 0.0

    def get_rate(self) -> str:
        """The configured rate, e.g. `120/m`."""
        return settings.API_THROTTLE_RATE

    def allow_request(self, request: HttpRequest) -> bool:
        """Read the rate on each request (so a changed setting applies at once), then count."""
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request)
        except Exception as error:
            if not is_outage(error):
                raise
            self._warn(error)
            return True

    def _warn(self, error: Exception) -> None:
        """Say that the throttle is off, at most once every WARN_EVERY_SECONDS."""
        now = time.monotonic()
        if now - TokenRateThrottle._last_warning >= WARN_EVERY_SECONDS:
            TokenRateThrottle._last_warning = now
            logger.warning(
                "API throttle off: its cache cannot be reached (%s: %s); requests are let through",
                type(error).__name__,
                error,
            )

    def get_cache_key(self, request: HttpRequest) -> str | None:
        """One bucket per token (its lookup prefix); unauthenticated requests never get this far."""
        grant = getattr(request, "auth", None)
        if grant is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": grant.token.prefix}

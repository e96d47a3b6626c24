"""Request throttling per API token."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """At most API_THROTTLE_RATE requests per token (counted in the default cache)."""

    scope = "api_token"

    def get_rate(self) -> str:
        """The configured rate, e.g. `120/m`."""
        return settings.API_THROTTLE_RATE

    def allow_request(self, request: HttpRequest) -> bool:
        """Read the rate on each request (so a changed setting applies at once), then count."""
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        """One bucket per token (its lookup prefix); unauthenticated requests never get this far."""
        grant = getattr(request, "auth", None)
        if grant is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": grant.token.prefix}

"""Who may see operational detail: the METRICS_TOKEN bearer when the token is set, else a loopback caller.

With METRICS_TOKEN set, loopback alone is not trusted: behind a reverse proxy on the same host every request
arrives from 127.0.0.1.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def is_loopback(request: HttpRequest) -> bool:
    """Whether the request came from this host (127.0.0.0/8 or ::1), by REMOTE_ADDR (never a forwarded header)."""
    try:
        return ipaddress.ip_address(str(request.META.get("REMOTE_ADDR", "")).split("%")[0]).is_loopback
    except ValueError:
        return False


def has_token(request: HttpRequest) -> bool:
    """Whether the request carries `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time)."""
    token = settings.METRICS_TOKEN
    scheme, _space, given = str(request.headers.get("Authorization", "")).partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def is_trusted(request: HttpRequest) -> bool:
    """Metrics and readiness detail: with METRICS_TOKEN set only its bearer; without it, only loopback callers."""
    return has_token(request) if settings.METRICS_TOKEN else is_loopback(request)

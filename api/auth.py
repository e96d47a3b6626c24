"""Bearer authentication with a personal API token, checked on every request."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from api.tokens import TokenGrant, grant_for


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer bfx_…`: the token must be live and its user still allowed to export."""

    openapi_description = "A personal API token from the token page or `manage.py create_api_token`."

    def authenticate(self, request: HttpRequest, token: str) -> TokenGrant | None:
        """The token's grant, or None (401)."""
        return grant_for(token)

"""Personal API tokens in the Django admin: read-only, with a revoke action."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens can be seen and revoked here; they are made by their user (page or command), never shown again."""

    list_display = ["name", "user", "organisation", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["organisation"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = [
        "name",
        "user",
        "organisation",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    exclude = ["token_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Tokens are made by their user, so that only they see the secret."""
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        """Revoke at once."""
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

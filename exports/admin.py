"""Django admin: column configurations (validated, readable JSON) and the read-only audit trail."""
from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from exports.models import (
    Activity,
    BufdirExportAudit,
    BufdirExportAuditEvent,
    LocalBranch,
    Membership,
    Organisation,
    OrganisationColumnConfig,
    PeerMentor,
)
from exports.services.cells import REFUSED_CHARACTERS as _UNPRINTABLE
from exports.services.config_document import DocumentField


class PrettyJSONWidget(forms.Textarea):
    """A monospace textarea that shows JSON indented."""

    def __init__(self) -> None:
        super().__init__(attrs={"rows": 40, "cols": 120, "style": "font-family: monospace; font-size: 13px;",
                                "spellcheck": "false"})

    def format_value(self, value: Any) -> str:
        """Indent valid JSON; leave text that does not parse as the user typed it."""
        try:
            document = json.loads(value)
            text = json.dumps(document, indent=2, ensure_ascii=False)
            return json.dumps(document, indent=2) if _UNPRINTABLE.search(text) else text
        except (TypeError, ValueError, RecursionError):
            return super().format_value(value)


class ColumnConfigForm(forms.ModelForm):
    """Validates the document with JSON Schema and compiles its expressions before saving."""

    class Meta:
        model = OrganisationColumnConfig
        fields = ["organisation", "is_active", "comment", "document"]

    document = DocumentField(label=_("document"), widget=PrettyJSONWidget())


@admin.register(OrganisationColumnConfig)
class OrganisationColumnConfigAdmin(admin.ModelAdmin):
    """Column configurations; saving a changed document creates a new version."""

    form = ColumnConfigForm
    list_display = ["organisation", "version", "is_active", "created_by", "created_at", "comment"]
    list_filter = ["organisation", "is_active"]
    readonly_fields = ["version", "created_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: OrganisationColumnConfig, form: Any, change: bool) -> None:
        """Keep old versions as they were: a changed document is saved as the next version."""
        if change and "document" in form.changed_data:
            obj.pk = None
            obj._state.adding = True
        obj.created_by = request.user
        super().save_model(request, obj, form, change)


class AuditEventInline(admin.TabularInline):
    """The steps of one export."""

    model = BufdirExportAuditEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "phase", "message"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Events are written by the export only."""
        return False


@admin.register(BufdirExportAudit)
class BufdirExportAuditAdmin(admin.ModelAdmin):
    """The audit trail: read-only, filterable by organisation, status and period."""

    list_display = ["id", "organisation", "period_from", "period_to", "status", "phase", "progress_percent",
                    "rows_exported", "rows_counted", "requested_by_label", "created_at", "finished_at"]
    list_filter = ["organisation", "status", "period_from", "period_to", "created_at"]
    search_fields = ["requested_by_label", "error_message", "file_key"]
    date_hierarchy = "created_at"
    inlines = [AuditEventInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Every field: the trail is evidence, not a form."""
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Audits are created by exports only."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Nobody edits the trail."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Nobody deletes the trail."""
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Organisations."""

    list_display = ["name", "slug", "org_number"]
    search_fields = ["name", "slug"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Who belongs to which organisation, with which role."""

    list_display = ["user", "organisation", "role"]
    list_filter = ["organisation", "role"]
    autocomplete_fields = ["organisation"]


@admin.register(LocalBranch)
class LocalBranchAdmin(admin.ModelAdmin):
    """Local branches (local copy of the app's table)."""

    list_display = ["name", "organisation", "county_code", "municipality_code"]
    list_filter = ["organisation", "county_code"]


@admin.register(PeerMentor)
class PeerMentorAdmin(admin.ModelAdmin):
    """Peer mentors (local copy of the app's table)."""

    list_display = ["full_name", "organisation", "local_branch", "certified_on"]
    list_filter = ["organisation"]
    search_fields = ["full_name"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Activities (local copy of the app's table)."""

    list_display = ["started_at", "organisation", "activity_type", "status", "duration_minutes",
                    "participant_count", "country_code", "municipality_code"]
    list_filter = ["organisation", "status", "activity_type"]
    raw_id_fields = ["local_branch", "peer_mentor"]
    show_full_result_count = False


admin.site.site_header = _("Bufdir export – administration")

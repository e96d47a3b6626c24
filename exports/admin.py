"""Django admin: column configurations (validated, readable JSON) and the read-only audit trail."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from exports.config.cell_safety import REFUSED_CHARACTERS as _UNPRINTABLE
from exports.config.document import DocumentField
from exports.config.versions import (
    ActivationRefused,
    activate_proven,
    document_fingerprint,
    proof_in_words,
    proof_problem,
    save_column_config,
)
from exports.domain import PHASE_LABELS
from exports.lifecycle.config_trial import TrialFigures
from exports.lifecycle.trial_runs import TrialAlreadyRunning, latest_trial, start_trial
from exports.markdown_page import render_markdown
from exports.models import (
    ACTIVE_TRIAL_STATUSES,
    ActiveConfigDeletion,
    Activity,
    BufdirExportAudit,
    BufdirExportAuditEvent,
    ConfigTrialRun,
    LocalBranch,
    Membership,
    Organisation,
    OrganisationColumnConfig,
    PeerMentor,
    TrialStatus,
)
from exports.rules.periods import PeriodNotChosen, PeriodOutOfBounds, parse_period

TRIAL_REFRESH_SECONDS = 2
"""How often the trial page reloads itself while its trial is pending or running."""

ADMIN_TEXTS_NB_LACKS = (
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
    _("Model name"),
    _("Add link"),
    _("Change or view list link"),
    _("Show counts"),
    _("Hide counts"),
    _("Successful tasks"),
    _("Failed tasks"),
    _("Scheduled tasks"),
    _("Queued tasks"),
    _("Successful task"),
    _("Failed task"),
    _("Scheduled task"),
    _("Queued task"),
)
"""Text of Django's admin and django-q2 that their Norwegian catalogues lack (translated in ours)."""


class PrettyJSONWidget(forms.Textarea):
    """A monospace textarea that shows JSON indented."""

    def __init__(self) -> None:
        super().__init__(
            attrs={"rows": 40, "cols": 120, "style": "font-family: monospace; font-size: 13px;", "spellcheck": "false"}
        )

    def format_value(self, value: Any) -> str:
        """Indent valid JSON; leave text that does not parse as the user typed it."""
        try:
            document = json.loads(value)
            text = json.dumps(document, indent=2, ensure_ascii=False)
            return json.dumps(document, indent=2) if _UNPRINTABLE.search(text) else text
        except (TypeError, ValueError, RecursionError):
            original: str = super().format_value(value) or ""
            return original


def configuration_documentation() -> str:
    """docs/configuration.md as safe HTML."""
    return render_markdown((settings.BASE_DIR / "docs" / "configuration.md").read_text(encoding="utf-8"))


class ColumnConfigForm(forms.ModelForm):
    """The document is validated once, by the model (JSON Schema, then every expression compiled).

    There is no "active" box: saving never activates; a version is activated after a trial without errors.
    """

    class Meta:
        model = OrganisationColumnConfig
        fields = ["organisation", "comment", "document"]

    document = DocumentField(label=_("document (JSON)"), widget=PrettyJSONWidget())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].help_text = format_html(
            '{} <a href="{}">{}</a>',
            _(
                "A JSON document: the organisation's activity types and their Bufdir categories, the columns of the "
                "sheet Aktiviteter, and the rules that decide what counts. Saving creates a new, inactive version."
            ),
            reverse("admin:exports_organisationcolumnconfig_documentation"),
            _("How to write it: the configuration language"),
        )


NEW_VERSION_OF = "_new_version_of"
"""The attribute save_model sets on a saved instance that became a new version: the version it was edited from."""


def _activate(modeladmin: admin.ModelAdmin, request: HttpRequest, config: OrganisationColumnConfig) -> bool:
    """Activate a proven version, or tell the user why it cannot be; whether it was activated."""
    try:
        config = activate_proven(config=config, activated_by=request.user)
    except ActivationRefused as exc:
        modeladmin.message_user(request, str(exc), messages.ERROR)
        return False
    modeladmin.message_user(
        request,
        _("Version %(version)s of %(organisation)s is now active.")
        % {"version": config.version, "organisation": config.organisation},
    )
    return True


@admin.action(permissions=["change"], description=_("Activate the selected version (after a trial without errors)"))
def activate_version(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> None:
    """Make one selected, proven version its organisation's active configuration."""
    if queryset.count() != 1:
        modeladmin.message_user(request, _("Select exactly one version to activate."), messages.WARNING)
        return
    _activate(modeladmin, request, queryset.get())


@admin.action(permissions=["delete"], description=_("Delete selected %(verbose_name_plural)s"))
def delete_inactive_versions(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> Any:
    """Django's bulk deletion, refused when the selection holds an active version."""
    active = queryset.filter(is_active=True).select_related("organisation").first()
    if active is not None:
        modeladmin.message_user(request, ActiveConfigDeletion(active).messages[0], messages.ERROR)
        return None
    return delete_selected(modeladmin, request, queryset)


class ActivePeriodYearFilter(admin.SimpleListFilter):
    """Exports by the year their period starts in."""

    title = _("year of the period")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        """The years that exports exist for, newest first."""
        years = model_admin.get_queryset(request).dates("period_from", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        """The exports whose period starts in the chosen year; any other value is the admin's invalid lookup."""
        year = self.value()
        if not year:
            return queryset
        if not (year.isascii() and year.isdigit() and len(year) <= 4 and 1 <= int(year) <= 9999):
            raise IncorrectLookupParameters(f"not a year: {year[:20]}")
        return queryset.filter(period_from__year=int(year))


class TrialPeriodForm(forms.Form):
    """The period to try a configuration on: a calendar year or a date range."""

    year = forms.IntegerField(label=_("Calendar year"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        """One period, held to the service's period rule."""
        cleaned = super().clean() or {}
        try:
            cleaned["period"] = parse_period(
                year=cleaned.get("year"), date_from=cleaned.get("date_from"), date_to=cleaned.get("date_to")
            )
        except PeriodNotChosen as exc:
            raise forms.ValidationError(_("Give a year, or both a first and a last date.")) from exc
        except PeriodOutOfBounds as exc:
            raise forms.ValidationError(str(exc)) from exc
        return cleaned


@admin.register(OrganisationColumnConfig)
class OrganisationColumnConfigAdmin(admin.ModelAdmin):
    """Column configurations: saving a changed document creates a new, inactive version; activating needs a trial."""

    form = ColumnConfigForm
    list_display = ["organisation", "version", "is_active", "proven_at", "created_at", "comment", "try_link"]
    list_filter = ["organisation", "is_active"]
    readonly_fields = [
        "version",
        "is_active",
        "proof",
        "activated_at",
        "activated_by",
        "created_by",
        "created_at",
        "try_link",
    ]
    actions = [activate_version, delete_inactive_versions]

    @admin.display(description=_("Try before activating"))
    def try_link(self, obj: OrganisationColumnConfig) -> str:
        """A link to the trial page of a saved version (where a proven version is activated)."""
        if obj.pk is None:
            return "–"
        url = reverse("admin:exports_organisationcolumnconfig_try", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Try this version on a period"))

    @admin.display(description=_("trial"))
    def proof(self, obj: OrganisationColumnConfig) -> str:
        """The version's trial without errors, in words (activation requires one)."""
        return proof_in_words(obj) if obj.pk is not None else "–"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """A saved version keeps its organisation."""
        fields = list(super().get_readonly_fields(request, obj))
        return ["organisation", *fields] if obj is not None else fields

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """The actions, with Django's bulk deletion replaced by one that spares the active version."""
        actions = super().get_actions(request)
        entry = actions.pop("delete_inactive_versions", None)
        if entry is not None:
            actions["delete_selected"] = (entry[0], "delete_selected", entry[2])
        return actions

    def get_urls(self) -> list[Any]:
        """The admin's pages, the trial page of a version and its activation."""
        trial = path(
            "<int:config_id>/try/",
            self.admin_site.admin_view(self.try_view),
            name="exports_organisationcolumnconfig_try",
        )
        activation = path(
            "<int:config_id>/activate/",
            self.admin_site.admin_view(self.activate_view),
            name="exports_organisationcolumnconfig_activate",
        )
        documentation = path(
            "documentation/",
            self.admin_site.admin_view(self.documentation_view),
            name="exports_organisationcolumnconfig_documentation",
        )
        return [trial, activation, documentation, *super().get_urls()]

    def documentation_view(self, request: HttpRequest) -> HttpResponse:
        """docs/configuration.md: how a configuration document is written, for those who may see configurations."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("The configuration language"),
            "document": configuration_documentation(),
        }
        return TemplateResponse(request, "admin/exports/organisationcolumnconfig/documentation.html", context)

    def try_view(self, request: HttpRequest, config_id: int) -> HttpResponse:
        """Start a trial of a version on a period in the worker (POST), or show the latest trial and its state."""
        config = get_object_or_404(OrganisationColumnConfig.objects.select_related("organisation"), pk=config_id)
        if not self.has_view_permission(request, config):
            raise PermissionDenied
        run = latest_trial(config) if request.method != "POST" else None
        initial = (
            {"year": timezone.localdate().year - 1}
            if run is None
            else {"date_from": run.period_from, "date_to": run.period_to}
        )
        form = TrialPeriodForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            if not self.has_change_permission(request, config):
                raise PermissionDenied
            try:
                start_trial(
                    config=config,
                    period=form.cleaned_data["period"],
                    requested_by=request.user,
                    max_seconds=settings.CONFIG_TRIAL_MAX_SECONDS,
                )
            except TrialAlreadyRunning as exc:
                self.message_user(request, str(exc), messages.WARNING)
            return HttpResponseRedirect(reverse("admin:exports_organisationcolumnconfig_try", args=[config.pk]))
        running = run is not None and run.status in ACTIVE_TRIAL_STATUSES
        finished = run is not None and run.status == TrialStatus.SUCCEEDED
        result = TrialFigures.from_json(run.result) if finished and run is not None else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": config,
            "form": form,
            "run": run,
            "running": running,
            "result": result,
            "error": run.error_message if run is not None and run.status == TrialStatus.FAILED else "",
            "changed_since": result is not None and result.document_sha256 != document_fingerprint(config),
            "proof": proof_in_words(config),
            "refresh_seconds": TRIAL_REFRESH_SECONDS,
            "can_activate": (
                not config.is_active and not proof_problem(config) and self.has_change_permission(request, config)
            ),
            "title": _("Try version %(version)s of %(organisation)s")
            % {"version": config.version, "organisation": config.organisation},
        }
        return TemplateResponse(request, "admin/exports/organisationcolumnconfig/try.html", context)

    def activate_view(self, request: HttpRequest, config_id: int) -> HttpResponse:
        """Activate a version that a trial proved (POST); refuse one that is untried or changed since."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        config = get_object_or_404(OrganisationColumnConfig.objects.select_related("organisation"), pk=config_id)
        if not self.has_change_permission(request, config):
            raise PermissionDenied
        if _activate(self, request, config):
            return HttpResponseRedirect(reverse("admin:exports_organisationcolumnconfig_change", args=[config.pk]))
        return HttpResponseRedirect(reverse("admin:exports_organisationcolumnconfig_try", args=[config.pk]))

    def save_model(self, request: HttpRequest, obj: OrganisationColumnConfig, form: Any, change: bool) -> None:
        """Save through the version service (never activating); say plainly which version exports use afterwards."""
        replaces = OrganisationColumnConfig.objects.get(pk=obj.pk) if change else None
        saved = save_column_config(
            organisation=obj.organisation,
            document=obj.document,
            comment=obj.comment,
            created_by=request.user,
            replaces=replaces,
            draft=obj,
        )
        if replaces is None or saved.pk != replaces.pk:
            setattr(obj, NEW_VERSION_OF, replaces)
        obj.pk, obj.version, obj.is_active = saved.pk, saved.version, saved.is_active
        obj._state.adding = False

    def response_add(
        self, request: HttpRequest, obj: OrganisationColumnConfig, post_url_continue: str | None = None
    ) -> HttpResponse:
        """Show the new version, saying it is not active."""
        return self._show_new_version(request, obj)

    def response_change(self, request: HttpRequest, obj: OrganisationColumnConfig) -> HttpResponse:
        """A changed document is a new version: show it, saying it is not active; else Django's answer."""
        if not hasattr(obj, NEW_VERSION_OF):
            return super().response_change(request, obj)
        return self._show_new_version(request, obj)

    def _show_new_version(self, request: HttpRequest, obj: OrganisationColumnConfig) -> HttpResponse:
        """Redirect to a newly saved version with a message naming it and the version exports still use."""
        replaced = getattr(obj, NEW_VERSION_OF, None)
        if replaced is not None:
            self.message_user(
                request,
                _("Your change is saved as a new version, %(saved)s; version %(old)s is kept as it was.")
                % {"saved": obj.version, "old": replaced.version},
            )
        active = OrganisationColumnConfig.objects.filter(organisation=obj.organisation, is_active=True).first()
        if active is None:
            self.message_user(
                request,
                _(
                    "%(organisation)s has no active configuration: its exports will fail "
                    "until a version has been tried on a period without errors and activated."
                )
                % {"organisation": obj.organisation},
                messages.WARNING,
            )
        elif not obj.is_active:
            self.message_user(
                request,
                _(
                    "Version %(saved)s is saved but not active; exports still use version "
                    "%(active)s. It becomes active only when it has been tried on a period "
                    "without errors and then activated."
                )
                % {"saved": obj.version, "active": active.version},
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:exports_organisationcolumnconfig_change", args=[obj.pk]))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """The active version cannot be deleted (the button is not offered)."""
        if obj is not None and obj.is_active:
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        """Refuse to delete the active version with a message, instead of a bare 403."""
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and obj.is_active and self.has_view_permission(request, obj):
            self.message_user(request, ActiveConfigDeletion(obj).messages[0], messages.ERROR)
            return HttpResponseRedirect(reverse("admin:exports_organisationcolumnconfig_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)


class AuditEventInline(admin.TabularInline):
    """The steps of one export."""

    model = BufdirExportAuditEvent
    template = "admin/exports/bufdirexportaudit/events_inline.html"
    extra = 0
    can_delete = False
    fields = ("at", "phase_label", "message")
    readonly_fields = ("at", "phase_label", "message")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Events are written by the export only."""
        return False

    @admin.display(description=_("phase"))
    def phase_label(self, obj: BufdirExportAuditEvent) -> str:
        """The phase in words."""
        return str(PHASE_LABELS.get(obj.phase, obj.phase))


@admin.register(BufdirExportAudit)
class BufdirExportAuditAdmin(admin.ModelAdmin):
    """The audit trail: read-only, filterable by organisation, status and period."""

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        """A date out of range in the date hierarchy (year 9999, 20 digits) is an invalid lookup, not a 500."""
        try:
            return super().get_changelist_instance(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    list_display = ["period", "organisation", "status", "exported", "counted", "requested_by_label", "created_at"]
    list_filter = ["organisation", ActivePeriodYearFilter, "status", "created_at"]
    search_fields = ["requested_by_label", "error_message", "file_key"]
    date_hierarchy = "created_at"
    inlines = [AuditEventInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Every field: the trail is evidence, not a form (the phase in words)."""
        return [("phase_label" if field.name == "phase" else field.name) for field in self.model._meta.fields]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        """The fields in model order, the phase in words."""
        return tuple(self.get_readonly_fields(request, obj))

    @admin.display(description=_("period"), ordering="period_from")
    def period(self, obj: BufdirExportAudit) -> str:
        """The period as from–to in short dates (one column keeps the list readable at 1280 px)."""
        return f"{obj.period_from:%d.%m.%Y}–{obj.period_to:%d.%m.%Y}"

    @admin.display(description=_("rows exported"), ordering="rows_exported")
    def exported(self, obj: BufdirExportAudit) -> str:
        """The rows on Aktiviteter, with Norwegian thousands separators."""
        return intcomma(obj.rows_exported) if obj.rows_exported is not None else "–"

    @admin.display(description=_("counted"), ordering="rows_counted")
    def counted(self, obj: BufdirExportAudit) -> str:
        """The counted rows, with Norwegian thousands separators."""
        return intcomma(obj.rows_counted) if obj.rows_counted is not None else "–"

    @admin.display(description=_("phase"), ordering="phase")
    def phase_label(self, obj: BufdirExportAudit) -> str:
        """The phase in words."""
        return str(PHASE_LABELS.get(obj.phase, obj.phase))

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Audits are created by exports only."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Nobody edits the trail."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Nobody deletes the trail."""
        return False


@admin.register(ConfigTrialRun)
class ConfigTrialRunAdmin(admin.ModelAdmin):
    """Configuration trials: read-only, started from a version's trial page."""

    list_display = [
        "id",
        "config",
        "period_from",
        "period_to",
        "status",
        "rows_done",
        "requested_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "config__organisation"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        """Every field: a trial is a record, not a form."""
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Trials are started from a version's trial page."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Nobody edits a trial."""
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

    list_display = [
        "started_at",
        "organisation",
        "activity_type",
        "status",
        "duration_minutes",
        "participant_count",
        "country_code",
        "municipality_code",
    ]
    list_filter = ["organisation", "status", "activity_type"]
    raw_id_fields = ["local_branch", "peer_mentor"]
    show_full_result_count = False


admin.site.site_header = _("Bufdir export – administration")
admin.site.site_title = _("Bufdir export – administration")
admin.site.index_title = _("Administration")

"""ORM models: the local copy of the app's tables, memberships, column configurations and audits."""
from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A national organisation whose peer mentors register activities (table `organisations`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.TextField(_("short name"), unique=True)
    name = models.TextField(_("name"))
    org_number = models.TextField(_("organisation number"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        db_table = "organisations"
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class LocalBranch(models.Model):
    """A local branch (lokallag) of an organisation (table `local_branches`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="branches",
                                     verbose_name=_("organisation"))
    name = models.TextField(_("name"))
    county_code = models.TextField(_("county number"))
    municipality_code = models.TextField(_("municipality number"), null=True, blank=True)

    class Meta:
        db_table = "local_branches"
        ordering = ["name"]
        verbose_name = _("local branch")
        verbose_name_plural = _("local branches")

    def __str__(self) -> str:
        return self.name


class PeerMentor(models.Model):
    """A peer mentor (likeperson); certified when `certified_on` is set (table `peer_mentors`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="peer_mentors",
                                     verbose_name=_("organisation"))
    local_branch = models.ForeignKey(LocalBranch, on_delete=models.SET_NULL, null=True, blank=True,
                                     verbose_name=_("local branch"))
    full_name = models.TextField(_("full name"))
    certified_on = models.DateField(_("certified on"), null=True, blank=True)

    class Meta:
        db_table = "peer_mentors"
        verbose_name = _("peer mentor")
        verbose_name_plural = _("peer mentors")

    def __str__(self) -> str:
        return self.full_name


class Activity(models.Model):
    """One registered peer-support activity (table `activities`), written by the mobile app."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        DELETED = "deleted", _("Deleted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="activities",
                                     verbose_name=_("organisation"))
    local_branch = models.ForeignKey(LocalBranch, on_delete=models.SET_NULL, null=True, blank=True,
                                     verbose_name=_("local branch"))
    peer_mentor = models.ForeignKey(PeerMentor, on_delete=models.SET_NULL, null=True, blank=True,
                                    verbose_name=_("peer mentor"))
    activity_type = models.TextField(_("activity type"))
    started_at = models.DateTimeField(_("started"))
    duration_minutes = models.IntegerField(_("duration (minutes)"), null=True, blank=True)
    participant_count = models.IntegerField(_("participants"), null=True, blank=True)
    country_code = models.TextField(_("country code"), default="NO")
    municipality_code = models.TextField(_("municipality number"), null=True, blank=True)
    description = models.TextField(_("description"), null=True, blank=True)
    status = models.TextField(_("status"), choices=Status.choices, default=Status.REGISTERED)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "activities"
        indexes = [models.Index(fields=["organisation", "started_at", "id"], name="activities_org_started")]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")


class Membership(models.Model):
    """A user's membership of an organisation, with the role that decides what they may do."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        COORDINATOR = "coordinator", _("Coordinator")
        PEER_MENTOR = "peer_mentor", _("Peer mentor")

    EXPORT_ROLES = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR})

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships",
                             verbose_name=_("user"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships",
                                     verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class ActiveConfigDeletion(ValidationError):
    """The organisation's active configuration cannot be deleted: its exports use it."""

    def __init__(self, config: OrganisationColumnConfig) -> None:
        super().__init__(_("Version %(version)s is the active column configuration of %(organisation)s and cannot "
                           "be deleted: its exports use it. Activate another version first.")
                         % {"version": config.version, "organisation": config.organisation})


class ColumnConfigQuerySet(models.QuerySet["OrganisationColumnConfig"]):
    """Versions; deleting refuses the active one (an organisation's deletion still takes all of its versions)."""

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete the versions, unless one of them is active."""
        active = self.filter(is_active=True).select_related("organisation").first()
        if active is not None:
            raise ActiveConfigDeletion(active)
        return super().delete()


class ColumnConfigManager(models.Manager["OrganisationColumnConfig"]):
    """`create` goes through the version service, so code and admin number and activate versions alike."""

    def get_queryset(self) -> ColumnConfigQuerySet:
        """Versions, whose deletion spares the active one."""
        return ColumnConfigQuerySet(self.model, using=self._db)

    def create(self, **fields: Any) -> OrganisationColumnConfig:
        """Save a new version (`is_active=True` activates it)."""
        from exports.services.config_versions import save_column_config

        return save_column_config(organisation=fields["organisation"], document=fields["document"],
                                  comment=fields.get("comment", ""), created_by=fields.get("created_by"),
                                  active=fields.get("is_active", False))


class OrganisationColumnConfig(models.Model):
    """A versioned column configuration (JSON document) of an organisation's Bufdir template."""

    objects = ColumnConfigManager()

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="column_configs",
                                     verbose_name=_("organisation"))
    version = models.PositiveIntegerField(_("version"), editable=False)
    is_active = models.BooleanField(
        _("active"), default=False,
        help_text=_("Exports use the active version. Activating one deactivates the organisation's previous one."))
    document = models.JSONField(_("configuration (JSON)"))
    comment = models.TextField(_("comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    proven_at = models.DateTimeField(_("tried without errors"), null=True, blank=True, editable=False,
                                     help_text=_("When a trial on a period last found no rule that fails."))
    proven_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  editable=False, related_name="+", verbose_name=_("tried by"))
    proven_period_from = models.DateField(_("tried from"), null=True, blank=True, editable=False)
    proven_period_to = models.DateField(_("tried to"), null=True, blank=True, editable=False)
    proven_rows = models.PositiveIntegerField(_("rows tried"), null=True, blank=True, editable=False)
    proven_document_sha256 = models.CharField(
        _("fingerprint of the tried document"), max_length=64, blank=True, editable=False,
        help_text=_("SHA-256 of the version and its document as tried; activation requires it to match."))
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True, editable=False)
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     editable=False, related_name="+", verbose_name=_("activated by"))

    class Meta:
        ordering = ["organisation", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "version"], name="one_config_per_version"),
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(is_active=True), name="one_active_config_per_org"
            ),
        ]
        verbose_name = _("column configuration")
        verbose_name_plural = _("column configurations")

    def __str__(self) -> str:
        return f"{self.organisation} v{self.version}"

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        """Delete this version, unless it is the active one."""
        if self.pk is not None and type(self).objects.filter(pk=self.pk, is_active=True).exists():
            raise ActiveConfigDeletion(self)
        return super().delete(using=using, keep_parents=keep_parents)

    def clean_fields(self, exclude: Any = None) -> None:
        """Check the document first (bounded, never recursing), then the other fields; report each problem once."""
        exclude = set(exclude or ())
        errors: dict[str, Any] = {}
        if "document" not in exclude and self.document is not None:
            problems = self._document_problems()
            if problems:
                errors["document"] = problems
                exclude.add("document")
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _document_problems(self) -> list[str]:
        """Every problem of the document, remembered for the content last found valid."""
        from exports.services.config_validation import validate_document

        try:
            fingerprint: str | None = repr(self.document)
        except (RecursionError, MemoryError):
            fingerprint = None
        if fingerprint is not None and getattr(self, "_valid_document", None) == fingerprint:
            return []
        problems = [str(error) for error in validate_document(self.document)]
        if not problems:
            self._valid_document = fingerprint
        return problems

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        """Check constraints, except one-active-per-organisation: the version service settles activation."""
        super().validate_constraints(exclude={*(exclude or ()), "is_active"})


class ExportStatus(models.TextChoices):
    """Where an export is in its lifecycle: pending -> running -> succeeded / failed / cancelled."""

    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("In progress")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")

    @property
    def is_active(self) -> bool:
        """Whether an export in this status is still pending or running."""
        return self in ACTIVE_STATUSES


ACTIVE_STATUSES = (ExportStatus.PENDING, ExportStatus.RUNNING)


class AuditQuerySet(models.QuerySet["BufdirExportAudit"]):
    """Audits, with the ones the retention rules never remove."""

    def latest_succeeded(self) -> AuditQuerySet:
        """The latest succeeded export of each organisation and period."""
        newer = BufdirExportAudit.objects.filter(
            organisation=models.OuterRef("organisation"), period_from=models.OuterRef("period_from"),
            period_to=models.OuterRef("period_to"), status=ExportStatus.SUCCEEDED,
        ).filter(models.Q(created_at__gt=models.OuterRef("created_at"))
                 | models.Q(created_at=models.OuterRef("created_at"), pk__gt=models.OuterRef("pk")))
        return self.filter(status=ExportStatus.SUCCEEDED).exclude(models.Exists(newer))

    def kept_forever(self) -> AuditQuerySet:
        """The audits whose bundle is never removed: today the latest succeeded export of each organisation
        and period; an export sent to Bufdir (a `submitted_at` field, once that feature adds it) too."""
        kept = models.Q(pk__in=self.latest_succeeded().values("pk"))
        if any(field.name == "submitted_at" for field in BufdirExportAudit._meta.get_fields()):
            kept |= models.Q(submitted_at__isnull=False)
        return self.filter(kept)


class BufdirExportAudit(models.Model):
    """The lifecycle of one export: who, what, which configuration, how far, and the outcome."""

    Status = ExportStatus
    ACTIVE_STATUSES = ACTIVE_STATUSES

    objects = AuditQuerySet.as_manager()

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="export_audits",
                                     verbose_name=_("organisation"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     verbose_name=_("requested by (user)"))
    requested_by_label = models.TextField(_("requested by"), blank=True)
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    config = models.ForeignKey(OrganisationColumnConfig, on_delete=models.SET_NULL, null=True, blank=True,
                               verbose_name=_("column configuration"))
    config_version = models.PositiveIntegerField(_("configuration version"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    phase = models.CharField(_("phase"), max_length=32, blank=True)
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_processed = models.PositiveIntegerField(_("rows processed"), default=0)
    rows_total = models.PositiveIntegerField(_("rows read"), null=True, blank=True)
    rows_exported = models.PositiveIntegerField(_("rows exported"), null=True, blank=True)
    rows_counted = models.PositiveIntegerField(_("counted"), null=True, blank=True)
    rows_not_counted = models.PositiveIntegerField(_("not counted"), null=True, blank=True)
    rows_deviations = models.PositiveIntegerField(_("rows on Avvik"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    file_key = models.TextField(_("file"), blank=True)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    file_bytes = models.PositiveBigIntegerField(_("file size (bytes)"), null=True, blank=True)
    bundle_removed_at = models.DateTimeField(
        _("file deleted"), null=True, blank=True, editable=False,
        help_text=_("When the retention rules deleted the file; the figures stay on the audit."))
    details_removed_at = models.DateTimeField(
        _("details deleted"), null=True, blank=True, editable=False,
        help_text=_("When the retention rules deleted the error detail and the events' messages."))
    error_message = models.TextField(_("error message"), blank=True)
    error_detail = models.TextField(_("error detail"), blank=True,
                                    help_text=_("Traceback of an unexpected failure, for administrators."))
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    progressed_at = models.DateTimeField(_("last progress"), null=True, blank=True,
                                         help_text=_("When the export last moved on (rows or a phase)."))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("cancelled by"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="audit_org_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_from__lte=models.F("period_to")), name="period_ordered"),
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_active_export_per_org",
            ),
        ]
        verbose_name = _("export audit")
        verbose_name_plural = _("export audits")

    def kept_forever(self) -> bool:
        """Whether the retention rules never remove this export's bundle (see `AuditQuerySet.kept_forever`)."""
        return type(self).objects.filter(pk=self.pk).kept_forever().exists()

    def __str__(self) -> str:
        return (f"{self.organisation} {self.period_from:%d.%m.%Y}–{self.period_to:%d.%m.%Y} "
                f"({self.get_status_display()})")


class BufdirExportAuditEvent(models.Model):
    """One recorded step of an export (phase started, finished or failed)."""

    audit = models.ForeignKey(BufdirExportAudit, on_delete=models.CASCADE, related_name="events",
                              verbose_name=_("export audit"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    phase = models.CharField(_("phase"), max_length=32)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("export audit event")
        verbose_name_plural = _("export audit events")

    def __str__(self) -> str:
        return f"{self.phase}: {self.message}"

"""ORM models: the local copy of the app's tables, memberships, column configurations and audits."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from exports.domain import PHASE_LABELS, ExportFacts

SLUG_RULE = _("Use only lowercase letters a-z, digits and hyphens (at most 50 characters).")
RESERVED_SLUGS = frozenset({"organisation", "for"})
"""Fixed segments of the export URLs (`/exports/organisation/`, `/exports/for/<slug>/`) that a slug would hide."""


def refuse_reserved_slug(value: str) -> None:
    """Refuse a short name that the export page's URL could not tell from one of its own fixed segments."""
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is a reserved word in the addresses of the export pages; choose another short name."),
            code="reserved_slug",
            params={"slug": value},
        )


SLUG_VALIDATORS: list[Callable[[Any], None]] = [
    RegexValidator(r"\A[a-z0-9-]+\Z", SLUG_RULE, code="invalid_slug"),
    MaxLengthValidator(50, SLUG_RULE),
    refuse_reserved_slug,
]
"""An organisation's short name goes into URLs, file names and e-mails: nothing there may be read as a path."""


class Organisation(models.Model):
    """A national organisation whose peer mentors register activities (table `organisations`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.TextField(_("short name"), unique=True, validators=SLUG_VALIDATORS, help_text=SLUG_RULE)
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse a short name outside the slug rule however the organisation is saved (admin, seeder, shell)."""
        self.clean_fields(exclude=[field.name for field in self._meta.fields if field.name != "slug"])
        super().save(*args, **kwargs)


class LocalBranch(models.Model):
    """A local branch (lokallag) of an organisation (table `local_branches`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="branches", verbose_name=_("organisation")
    )
    name = models.TextField(_("name"))
    county_code = models.TextField(_("county number"))
    municipality_code = models.TextField(_("municipality number"), null=True, blank=True)  # noqa: DJ001 - mirrors Supabase's nullable column

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
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="peer_mentors", verbose_name=_("organisation")
    )
    local_branch = models.ForeignKey(
        LocalBranch, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("local branch")
    )
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
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="activities", verbose_name=_("organisation")
    )
    local_branch = models.ForeignKey(
        LocalBranch, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("local branch")
    )
    peer_mentor = models.ForeignKey(
        PeerMentor, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("peer mentor")
    )
    activity_type = models.TextField(_("activity type"))
    started_at = models.DateTimeField(_("started"))
    duration_minutes = models.IntegerField(_("duration (minutes)"), null=True, blank=True)
    participant_count = models.IntegerField(_("participants"), null=True, blank=True)
    country_code = models.TextField(_("country code"), default="NO")
    municipality_code = models.TextField(_("municipality number"), null=True, blank=True)  # noqa: DJ001 - mirrors Supabase's nullable column
    description = models.TextField(_("description"), null=True, blank=True)  # noqa: DJ001 - mirrors Supabase's nullable column
    status = models.TextField(_("status"), choices=Status.choices, default=Status.REGISTERED)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "activities"
        indexes = [models.Index(fields=["organisation", "started_at", "id"], name="activities_org_started")]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        when = formats.date_format(timezone.localtime(self.started_at), "SHORT_DATETIME_FORMAT")
        return _("%(type)s on %(when)s") % {"type": self.activity_type, "when": when}


class Membership(models.Model):
    """A user's membership of an organisation, with the role that decides what they may do."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        COORDINATOR = "coordinator", _("Coordinator")
        PEER_MENTOR = "peer_mentor", _("Peer mentor")

    EXPORT_ROLES = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR})

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
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
        super().__init__(
            _(
                "Version %(version)s is the active column configuration of %(organisation)s and cannot "
                "be deleted: its exports use it. Activate another version first."
            )
            % {"version": config.version, "organisation": config.organisation}
        )


class ColumnConfigQuerySet(models.QuerySet["OrganisationColumnConfig"]):
    """Versions; deleting refuses the active one (an organisation's deletion still takes all of its versions)."""

    def delete(self) -> tuple[int, dict[str, int]]:
        """Delete the versions, unless one of them is active."""
        active = self.filter(is_active=True).select_related("organisation").first()
        if active is not None:
            raise ActiveConfigDeletion(active)
        return super().delete()


class ColumnConfigManager(models.Manager["OrganisationColumnConfig"]):
    """Versions, whose deletion spares the active one; new versions are saved by `config.versions`."""

    def get_queryset(self) -> ColumnConfigQuerySet:
        """Versions, whose deletion spares the active one."""
        return ColumnConfigQuerySet(self.model, using=self._db)


class UnnumberedVersion(ValueError):
    """A new column configuration saved without its version number (past `save_column_config`)."""


class OrganisationColumnConfig(models.Model):
    """A versioned column configuration (JSON document) of an organisation's Bufdir template."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="column_configs", verbose_name=_("organisation")
    )
    version = models.PositiveIntegerField(_("version"), editable=False)
    is_active = models.BooleanField(
        _("active"),
        default=False,
        help_text=_("Exports use the active version. Activating one deactivates the organisation's previous one."),
    )
    document = models.JSONField(_("configuration (JSON)"))
    comment = models.TextField(_("comment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    proven_at = models.DateTimeField(
        _("tried without errors"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When a trial on a period last found no rule that fails."),
    )
    proven_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("tried by"),
    )
    proven_period_from = models.DateField(_("tried from"), null=True, blank=True, editable=False)
    proven_period_to = models.DateField(_("tried to"), null=True, blank=True, editable=False)
    proven_rows = models.PositiveIntegerField(_("rows tried"), null=True, blank=True, editable=False)
    proven_document_sha256 = models.CharField(
        _("fingerprint of the tried document"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("SHA-256 of the version and its document as tried; activation requires it to match."),
    )
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True, editable=False)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("activated by"),
    )

    objects = ColumnConfigManager()

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

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a new version needs its number, which `exports.config.versions.save_column_config` gives it."""
        if self._state.adding and self.version is None:
            raise UnnumberedVersion(
                "A new column configuration is saved with exports.config.versions.save_column_config(organisation=..., "
                "document=...): it numbers the version, validates it and activates it only when asked."
            )
        super().save(*args, **kwargs)

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
        from exports.config.validation import validate_document

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


def _standing_submission() -> models.QuerySet[Submission]:
    """The submissions of the outer audit that are not withdrawn (a subquery)."""
    return Submission.objects.filter(audit=models.OuterRef("pk"), withdrawn_at__isnull=True)


class AuditQuerySet(models.QuerySet["BufdirExportAudit"]):
    """Audits, with the ones the retention rules never remove."""

    def latest_succeeded(self) -> AuditQuerySet:
        """The latest succeeded export of each organisation and period."""
        newer = BufdirExportAudit.objects.filter(
            organisation=models.OuterRef("organisation"),
            period_from=models.OuterRef("period_from"),
            period_to=models.OuterRef("period_to"),
            status=ExportStatus.SUCCEEDED,
        ).filter(
            models.Q(created_at__gt=models.OuterRef("created_at"))
            | models.Q(created_at=models.OuterRef("created_at"), pk__gt=models.OuterRef("pk"))
        )
        return self.filter(status=ExportStatus.SUCCEEDED).exclude(models.Exists(newer))

    def kept_forever(self) -> AuditQuerySet:
        """The audits whose bundle is never removed: the latest succeeded export of each organisation and period,
        and every export marked as sent to Bufdir (a `Submission` that is not withdrawn)."""
        return self.filter(
            models.Q(pk__in=self.latest_succeeded().values("pk")) | models.Exists(_standing_submission())
        )

    def submitted(self) -> AuditQuerySet:
        """The audits marked as sent to Bufdir and not withdrawn."""
        return self.filter(models.Exists(_standing_submission()))


class BufdirExportAudit(models.Model):
    """The lifecycle of one export: who, what, which configuration, how far, and the outcome."""

    Status = ExportStatus
    ACTIVE_STATUSES = ACTIVE_STATUSES

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="export_audits", verbose_name=_("organisation")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("requested by (user)"),
    )
    requested_by_label = models.TextField(_("requested by"), blank=True)
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    config = models.ForeignKey(
        OrganisationColumnConfig,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("column configuration"),
    )
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
        _("file deleted"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the retention rules deleted the file; the figures stay on the audit."),
    )
    details_removed_at = models.DateTimeField(
        _("details deleted"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the retention rules deleted the error detail and the events' messages."),
    )
    error_message = models.TextField(_("error message"), blank=True)
    error_detail = models.TextField(
        _("error detail"), blank=True, help_text=_("Traceback of an unexpected failure, for administrators.")
    )
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    progressed_at = models.DateTimeField(
        _("last progress"), null=True, blank=True, help_text=_("When the export last moved on (rows or a phase).")
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="audit_org_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_from__lte=models.F("period_to")), name="period_ordered"),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_active_export_per_org",
            ),
        ]
        verbose_name = _("export audit")
        verbose_name_plural = _("export audits")

    def __str__(self) -> str:
        return (
            f"{self.organisation} {self.period_from:%d.%m.%Y}–{self.period_to:%d.%m.%Y} ({self.get_status_display()})"
        )

    @property
    def has_file(self) -> bool:
        """Whether the export succeeded with a stored bundle (not yet removed by retention)."""
        return self.status == ExportStatus.SUCCEEDED and bool(self.file_key)

    @property
    def facts(self) -> ExportFacts | None:
        """What the export recorded when it succeeded (`ExportFacts`); None for any other export."""
        if self.status != ExportStatus.SUCCEEDED or not self.result:
            return None
        return cast(ExportFacts, self.result)

    def kept_forever(self) -> bool:
        """Whether the retention rules never remove this export's bundle (see `AuditQuerySet.kept_forever`)."""
        return type(self).objects.filter(pk=self.pk).kept_forever().exists()


class BufdirExportAuditEvent(models.Model):
    """One recorded step of an export (phase started, finished or failed)."""

    audit = models.ForeignKey(
        BufdirExportAudit, on_delete=models.CASCADE, related_name="events", verbose_name=_("export audit")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    phase = models.CharField(_("phase"), max_length=32)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("export audit event")
        verbose_name_plural = _("export audit events")

    def __str__(self) -> str:
        phase = PHASE_LABELS.get(self.phase, self.phase)
        return f"{phase}: {self.message}" if self.message else str(phase)


class TrialStatus(models.TextChoices):
    """Where a configuration trial is: pending -> running -> succeeded (ran to the end) / failed (did not)."""

    PENDING = "pending", _("Waiting to start")
    RUNNING = "running", _("In progress")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


ACTIVE_TRIAL_STATUSES = (TrialStatus.PENDING, TrialStatus.RUNNING)


class ConfigTrialRun(models.Model):
    """One trial of a configuration version on a period, run by the worker: its state, progress and figures."""

    Status = TrialStatus

    config = models.ForeignKey(
        OrganisationColumnConfig,
        on_delete=models.CASCADE,
        related_name="trial_runs",
        verbose_name=_("column configuration"),
    )
    document_sha256 = models.CharField(_("fingerprint of the tried document"), max_length=64)
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by (user)"),
    )
    status = models.CharField(_("status"), max_length=16, choices=TrialStatus.choices, default=TrialStatus.PENDING)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error_message = models.TextField(_("error message"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_from__lte=models.F("period_to")), name="trial_period_ordered"
            ),
            models.UniqueConstraint(
                fields=["config"],
                condition=models.Q(status__in=ACTIVE_TRIAL_STATUSES),
                name="one_active_trial_per_config",
            ),
        ]
        verbose_name = _("configuration trial")
        verbose_name_plural = _("configuration trials")

    def __str__(self) -> str:
        return f"{self.config} {self.period_from:%d.%m.%Y}–{self.period_to:%d.%m.%Y} ({self.get_status_display()})"


class ExportRowDigest(models.Model):
    """What a later export of the same period needs of one row of this one: id, date, peer mentor, flags, hashes.

    `hashes` holds a CRC-32 (4 bytes, little-endian) of each `Aktiviteter` value in the export's column order;
    `flags` bit 1 is "deviates", bit 2 is "listed on Aktiviteter". About 100 bytes a row.
    """

    DEVIATES = 1
    LISTED = 2

    audit = models.ForeignKey(
        BufdirExportAudit,
        on_delete=models.CASCADE,
        related_name="row_digests",
        verbose_name=_("export audit"),
        db_index=False,
    )  # the unique constraint leads with it
    activity_id = models.UUIDField(_("activity ID"))
    started_on = models.DateField(_("date"))
    peer_mentor = models.TextField(_("peer mentor"), blank=True)
    flags = models.PositiveSmallIntegerField(_("flags"), default=0)
    hashes = models.BinaryField(_("column hashes"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["audit", "activity_id"], name="one_digest_per_activity")]
        verbose_name = _("export row digest")
        verbose_name_plural = _("export row digests")

    def __str__(self) -> str:
        return f"{self.activity_id} ({self.audit_id})"


class Submission(models.Model):
    """An export marked as the one sent to Bufdir for its period: who marked, who confirmed, which bundle."""

    audit = models.ForeignKey(
        BufdirExportAudit, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("export audit")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("organisation")
    )
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to"))
    sha256 = models.CharField(_("SHA-256 of the bundle"), max_length=64)
    requires_confirmation = models.BooleanField(
        _("needs a second leader"),
        default=False,
        help_text=_("Set when the organisation had two or more administrators or coordinators when it was marked."),
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_by_label = models.TextField(_("marked by (name)"), blank=True)
    marked_at = models.DateTimeField(_("marked"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_by_label = models.TextField(_("confirmed by (name)"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_by_label = models.TextField(_("withdrawn by (name)"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawing"), blank=True)

    class Meta:
        ordering = ["-marked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period_from", "period_to"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_submission_per_period",
            )
        ]
        verbose_name = _("submission to Bufdir")
        verbose_name_plural = _("submissions to Bufdir")

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_from:%d.%m.%Y}–{self.period_to:%d.%m.%Y}"

    @property
    def is_confirmed(self) -> bool:
        """Whether the mark stands: confirmed by a second leader, or made where there is no second leader."""
        return self.withdrawn_at is None and (self.confirmed_at is not None or not self.requires_confirmation)


REASON_SEPARATOR = "\x1f"
"""Between and around a deviation's reasons in `ExportDeviation.reasons`: a character no cleaned text holds."""


class ExportDeviation(models.Model):
    """One row of an export's `Avvik`, kept so the page and the API can list, filter and link it."""

    audit = models.ForeignKey(
        BufdirExportAudit, on_delete=models.CASCADE, related_name="deviations", verbose_name=_("export audit")
    )
    activity_id = models.UUIDField(_("activity id"))
    activity_date = models.DateField(_("date"))
    activity_type = models.TextField(_("activity type"), blank=True)
    peer_mentor = models.TextField(_("peer mentor"), blank=True)
    local_branch = models.TextField(_("local branch"), blank=True)
    reasons = models.TextField(_("reasons"), help_text=_("Each reason between two separator characters."))
    action = models.TextField(_("what to do"), blank=True)
    activity_url = models.TextField(_("address in the app"), blank=True)

    class Meta:
        ordering = ["activity_date", "id"]
        indexes = [
            models.Index(fields=["audit", "activity_date"], name="deviation_audit_date"),
            models.Index(fields=["audit", "local_branch"], name="deviation_audit_branch"),
        ]
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")

    def __str__(self) -> str:
        return f"{self.activity_date:%d.%m.%Y} {self.activity_id}"

    @property
    def reason_list(self) -> list[str]:
        """The deviation's reasons, the most common first."""
        return [reason for reason in self.reasons.split(REASON_SEPARATOR) if reason]

    @staticmethod
    def joined_reasons(reasons: list[str]) -> str:
        """Reasons as stored: each between two separators, so a filter matches a whole reason only."""
        return REASON_SEPARATOR + REASON_SEPARATOR.join(reasons) + REASON_SEPARATOR

    @staticmethod
    def reason_filter(reason: str) -> str:
        """What `reasons` contains when a deviation has `reason`."""
        return REASON_SEPARATOR + reason + REASON_SEPARATOR

"""ORM models: the local copy of the app's tables, memberships, column configurations and audits."""
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A national organisation whose peer mentors register activities (table `organisations`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.TextField(unique=True)
    name = models.TextField()
    org_number = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

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
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="branches")
    name = models.TextField()
    county_code = models.TextField()
    municipality_code = models.TextField(null=True, blank=True)

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
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="peer_mentors")
    local_branch = models.ForeignKey(LocalBranch, on_delete=models.SET_NULL, null=True, blank=True)
    full_name = models.TextField()
    certified_on = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "peer_mentors"
        verbose_name = _("peer mentor")
        verbose_name_plural = _("peer mentors")

    def __str__(self) -> str:
        return self.full_name


class Activity(models.Model):
    """One registered peer-support activity (table `activities`), written by the mobile app."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        DELETED = "deleted", _("deleted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="activities")
    local_branch = models.ForeignKey(LocalBranch, on_delete=models.SET_NULL, null=True, blank=True)
    peer_mentor = models.ForeignKey(PeerMentor, on_delete=models.SET_NULL, null=True, blank=True)
    activity_type = models.TextField()
    started_at = models.DateTimeField()
    duration_minutes = models.IntegerField(null=True, blank=True)
    participant_count = models.IntegerField(null=True, blank=True)
    country_code = models.TextField(default="NO")
    municipality_code = models.TextField(null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    status = models.TextField(choices=Status.choices, default=Status.REGISTERED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "activities"
        indexes = [models.Index(fields=["organisation", "started_at", "id"], name="activities_org_started")]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")


class Membership(models.Model):
    """A user's membership of an organisation, with the role that decides what they may do."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("administrator")
        COORDINATOR = "coordinator", _("coordinator")
        PEER_MENTOR = "peer_mentor", _("peer mentor")

    EXPORT_ROLES = frozenset({Role.ADMINISTRATOR, Role.COORDINATOR})

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class OrganisationColumnConfig(models.Model):
    """A versioned column configuration (JSON document) of an organisation's Bufdir template."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="column_configs")
    version = models.PositiveIntegerField(editable=False)
    is_active = models.BooleanField(default=False)
    document = models.JSONField()
    comment = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

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

    def clean(self) -> None:
        """Validate the document against the schema and compile its expressions."""
        from exports.services.config_validation import validate_document

        errors = validate_document(self.document)
        if errors:
            raise ValidationError({"document": [f"{e.path}: {e.message}" for e in errors]})

    def validate_constraints(self, exclude: set[str] | None = None) -> None:
        """Check constraints, except one-active-per-organisation: save() deactivates the previous one."""
        super().validate_constraints(exclude=set(exclude or ()) | {"is_active"})

    def save(self, *args, **kwargs) -> None:
        """Validate, number the version and keep at most one active configuration."""
        self.full_clean(exclude=["version"])
        if self._state.adding:
            latest = OrganisationColumnConfig.objects.filter(organisation=self.organisation).aggregate(
                models.Max("version")
            )["version__max"]
            self.version = (latest or 0) + 1
        if self.is_active:
            OrganisationColumnConfig.objects.filter(organisation=self.organisation, is_active=True).exclude(
                pk=self.pk
            ).update(is_active=False)
        super().save(*args, **kwargs)


class BufdirExportAudit(models.Model):
    """The lifecycle of one export: who, what, which configuration, how far, and the outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    ACTIVE_STATUSES = (Status.PENDING, Status.RUNNING)

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="export_audits")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    requested_by_label = models.TextField(blank=True)
    period_from = models.DateField()
    period_to = models.DateField()
    config = models.ForeignKey(OrganisationColumnConfig, on_delete=models.SET_NULL, null=True, blank=True)
    config_version = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    phase = models.CharField(max_length=32, blank=True)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    rows_processed = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_exported = models.PositiveIntegerField(null=True, blank=True)
    rows_counted = models.PositiveIntegerField(null=True, blank=True)
    rows_not_counted = models.PositiveIntegerField(null=True, blank=True)
    rows_deviations = models.PositiveIntegerField(null=True, blank=True)
    file_key = models.TextField(blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="audit_org_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_from__lte=models.F("period_to")), name="period_ordered")
        ]
        verbose_name = _("export audit")
        verbose_name_plural = _("export audits")

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_from}–{self.period_to} ({self.status})"

    @property
    def is_active(self) -> bool:
        """Whether the export is still pending or running."""
        return self.status in self.ACTIVE_STATUSES


class BufdirExportAuditEvent(models.Model):
    """One recorded step of an export (phase started, finished or failed)."""

    audit = models.ForeignKey(BufdirExportAudit, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    phase = models.CharField(max_length=32)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("export audit event")
        verbose_name_plural = _("export audit events")

    def __str__(self) -> str:
        return f"{self.phase}: {self.message}"

"""Each user's notice preference, and the record that an export's notice went out (once)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticePreference(models.Model):
    """Whether a user wants an e-mail when an export they started has finished (yes unless turned off)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference")
    email_when_finished = models.BooleanField(_("e-mail me when my export has finished"), default=True)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.email_when_finished}"


class ExportNotice(models.Model):
    """The one notice of a finished export: claimed before each attempt, so it goes out at most once.

    A send that fails is tried again a bounded number of times; then, or at once when trying again cannot
    help, the notice is recorded as failed with the reason and left alone.
    """

    class State(models.TextChoices):
        SENDING = "sending"
        RETRY = "retry"
        SENT = "sent"
        FAILED = "failed"
        SKIPPED = "skipped"

    audit = models.OneToOneField("exports.BufdirExportAudit", on_delete=models.CASCADE, related_name="notice")
    recipient = models.EmailField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("export notice")
        verbose_name_plural = _("export notices")

    def __str__(self) -> str:
        return f"{self.audit_id} -> {self.recipient or '-'} ({self.state})"

    @property
    def sent(self) -> bool:
        """Whether the e-mail went out."""
        return self.state == self.State.SENT

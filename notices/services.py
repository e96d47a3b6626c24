"""Sends the one e-mail of a finished export to the person who started it, unless they turned it off."""

from __future__ import annotations

import datetime as dt
import logging
from smtplib import SMTPRecipientsRefused

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import BadHeaderError, send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from exports.models import BufdirExportAudit
from notices.models import ExportNotice, NoticePreference

logger = logging.getLogger(__name__)
Status = BufdirExportAudit.Status
State = ExportNotice.State
FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)
RETRY_AFTER = (dt.timedelta(0), dt.timedelta(minutes=5), dt.timedelta(minutes=30), dt.timedelta(hours=2))
"""How long to wait before the next attempt, after the first, second… failed one (the sweep runs the retries)."""
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
NOT_WORTH_RETRYING = (BadHeaderError, SMTPRecipientsRefused)
"""Failures that the same message to the same address would meet again."""
INTERRUPTED_AFTER = dt.timedelta(hours=1)
INTERRUPTED = "interrupted while being sent; not sent again, as it may have gone out"
MAX_REASON = 500


def wants_email(user: User) -> bool:
    """Whether the user wants an e-mail when their export has finished (yes unless turned off)."""
    preference = NoticePreference.objects.filter(user=user).first()
    return preference is None or preference.email_when_finished


def set_email_preference(user: User, *, enabled: bool) -> None:
    """Turn the user's e-mail notice on or off."""
    NoticePreference.objects.update_or_create(user=user, defaults={"email_when_finished": enabled})


def export_page_url(organisation_slug: str) -> str:
    """The absolute URL of the organisation's export page (the e-mail links there, never to the file).

    A short name that cannot be part of a URL (data from before the slug rule) links to the export page
    itself, which opens the user's own organisation: a name never stops the notice.
    """
    try:
        path = reverse("exports:page", args=[organisation_slug])
    except NoReverseMatch:
        path = reverse("exports:index")
    return settings.BUFDIR_SITE_URL.rstrip("/") + path


def recipient_language(user: User | None) -> str:
    """The language to write to the user in: the site's language (the app keeps no per-user language)."""
    return settings.LANGUAGE_CODE


def _cancelled_by_someone_else(audit: BufdirExportAudit) -> bool:
    """Whether a cancelled export was cancelled by another person than the one who started it."""
    return audit.cancelled_by_id is not None and audit.cancelled_by_id != audit.requested_by_id


def _message(audit: BufdirExportAudit) -> tuple[str, str]:
    """The subject and body of the notice, in the recipient's language (numbers formatted for it too)."""
    cancelled_by = audit.cancelled_by
    context = {
        "audit": audit,
        "succeeded": audit.status == Status.SUCCEEDED,
        "cancelled": audit.status == Status.CANCELLED,
        "user": audit.requested_by,
        "cancelled_by": (cancelled_by.get_full_name() or cancelled_by.get_username()) if cancelled_by else "",
        "page_url": export_page_url(audit.organisation.slug),
        "organisation": audit.organisation,
    }
    with translation.override(recipient_language(audit.requested_by)):
        subject = render_to_string("notices/export_finished_subject.txt", context)
        body = render_to_string("notices/export_finished_body.txt", context)
    return " ".join(subject.split()), body


def _recipient(audit: BufdirExportAudit) -> str:
    """Whom the notice goes to: the starter, if still active, with an address, and wanting it; else nobody."""
    user = audit.requested_by
    if audit.status == Status.CANCELLED and not _cancelled_by_someone_else(audit):
        return ""
    return user.email if user is not None and user.is_active and user.email and wants_email(user) else ""


def _claim(audit: BufdirExportAudit) -> ExportNotice | None:
    """The audit's notice, claimed for one attempt by this process; None when there is nothing to send now."""
    recipient = _recipient(audit)
    now = timezone.now()
    try:
        with transaction.atomic():
            notice = ExportNotice.objects.create(
                audit=audit,
                recipient=recipient,
                state=State.SENDING if recipient else State.SKIPPED,
                attempts=1 if recipient else 0,
                last_attempt_at=now if recipient else None,
            )
        return notice if recipient else None
    except IntegrityError:
        pass
    due = ExportNotice.objects.filter(audit=audit, state=State.RETRY, next_attempt_at__lte=now)
    if not recipient:
        due.update(state=State.SKIPPED, next_attempt_at=None)
        return None
    if not due.update(
        state=State.SENDING, attempts=F("attempts") + 1, last_attempt_at=now, recipient=recipient, next_attempt_at=None
    ):
        return None
    return ExportNotice.objects.get(audit=audit)


def _record_failure(notice: ExportNotice, error: Exception, *, final: bool) -> None:
    """Record a failed attempt: tried again later while that may help and attempts are left, else failed once."""
    reason = f"{type(error).__name__}: {error}"[:MAX_REASON]
    if final or notice.attempts >= MAX_ATTEMPTS:
        ExportNotice.objects.filter(pk=notice.pk).update(state=State.FAILED, failure=reason, next_attempt_at=None)
        logger.error(
            "the notice of export %s was not sent and is given up after %s attempt(s): %s",
            notice.audit_id,
            notice.attempts,
            reason,
        )
        return
    retry_at = timezone.now() + RETRY_AFTER[notice.attempts - 1]
    ExportNotice.objects.filter(pk=notice.pk).update(state=State.RETRY, failure=reason, next_attempt_at=retry_at)
    logger.warning(
        "could not send the notice of export %s (attempt %s of %s); it will be tried again: %s",
        notice.audit_id,
        notice.attempts,
        MAX_ATTEMPTS,
        reason,
    )


def notify_finished(audit_id: int) -> bool:
    """Send the notice of a finished export at most once; True when it went out now. A cancelled export is
    told of only when someone else than its starter cancelled it."""
    audit = (
        BufdirExportAudit.objects.select_related("organisation", "requested_by", "cancelled_by")
        .filter(pk=audit_id, status__in=FINISHED)
        .first()
    )
    if audit is None:
        return False
    notice = _claim(audit)
    if notice is None:
        return False
    try:
        subject, body = _message(audit)
    except Exception as error:
        _record_failure(notice, error, final=True)
        return False
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[notice.recipient])
    except Exception as error:
        _record_failure(notice, error, final=isinstance(error, NOT_WORTH_RETRYING))
        return False
    ExportNotice.objects.filter(pk=notice.pk).update(state=State.SENT, failure="", next_attempt_at=None)
    return True


def _give_up_interrupted(now: dt.datetime) -> None:
    """A notice left `sending` by a process that stopped is failed, not sent again: it may have gone out."""
    ExportNotice.objects.filter(state=State.SENDING, last_attempt_at__lt=now - INTERRUPTED_AFTER).update(
        state=State.FAILED, next_attempt_at=None, failure=INTERRUPTED
    )


def send_pending_notices(within: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Send the notices that are due (missing ones of the last `within`, retries that may still succeed); count sent."""
    now = timezone.now()
    _give_up_interrupted(now)
    missing = BufdirExportAudit.objects.filter(
        status__in=FINISHED, finished_at__gte=now - within, notice__isnull=True
    ).values_list("pk", flat=True)
    due = ExportNotice.objects.filter(state=State.RETRY, next_attempt_at__lte=now).values_list("audit_id", flat=True)
    return sum(notify_finished(audit_id) for audit_id in [*missing, *due])

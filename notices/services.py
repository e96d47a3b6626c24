"""Sends the one e-mail of a finished export to the person who started it, unless they turned it off."""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from exports.models import BufdirExportAudit
from notices.models import ExportNotice, NoticePreference

logger = logging.getLogger(__name__)
Status = BufdirExportAudit.Status
FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)


def wants_email(user: User) -> bool:
    """Whether the user wants an e-mail when their export has finished (yes unless turned off)."""
    preference = NoticePreference.objects.filter(user=user).first()
    return preference is None or preference.email_when_finished


def set_email_preference(user: User, *, enabled: bool) -> None:
    """Turn the user's e-mail notice on or off."""
    NoticePreference.objects.update_or_create(user=user, defaults={"email_when_finished": enabled})


def export_page_url(organisation_slug: str) -> str:
    """The absolute URL of the organisation's export page (the e-mail links there, never to the file)."""
    return settings.BUFDIR_SITE_URL.rstrip("/") + reverse("exports:page", args=[organisation_slug])


def recipient_language(user: User | None) -> str:
    """The language to write to the user in: the site's language (the app keeps no per-user language)."""
    return settings.LANGUAGE_CODE


def _cancelled_by_someone_else(audit: BufdirExportAudit) -> bool:
    """Whether a cancelled export was cancelled by another person than the one who started it."""
    return audit.cancelled_by_id is not None and audit.cancelled_by_id != audit.requested_by_id


def _message(audit: BufdirExportAudit) -> tuple[str, str]:
    """The subject and body of the notice, in the recipient's language (numbers formatted for it too)."""
    cancelled_by = audit.cancelled_by
    context = {"audit": audit, "succeeded": audit.status == Status.SUCCEEDED,
               "cancelled": audit.status == Status.CANCELLED, "user": audit.requested_by,
               "cancelled_by": (cancelled_by.get_full_name() or cancelled_by.get_username()) if cancelled_by else "",
               "page_url": export_page_url(audit.organisation.slug), "organisation": audit.organisation}
    with translation.override(recipient_language(audit.requested_by)):
        subject = render_to_string("notices/export_finished_subject.txt", context).strip()
        body = render_to_string("notices/export_finished_body.txt", context)
    return " ".join(subject.split()), body


def notify_finished(audit_id: int) -> bool:
    """Send the notice of a finished export at most once; True when it went out now. A cancelled export is
    told of only when someone else than its starter cancelled it."""
    audit = (BufdirExportAudit.objects.select_related("organisation", "requested_by", "cancelled_by")
             .filter(pk=audit_id, status__in=FINISHED).first())
    if audit is None:
        return False
    user = audit.requested_by
    recipient = user.email if user is not None and user.is_active and user.email and wants_email(user) else ""
    if audit.status == Status.CANCELLED and not _cancelled_by_someone_else(audit):
        recipient = ""
    try:
        with transaction.atomic():
            notice = ExportNotice.objects.create(audit=audit, recipient=recipient)
    except IntegrityError:
        return False
    if not recipient:
        return False
    try:
        subject, body = _message(audit)
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[recipient])
    except Exception:
        logger.warning("could not send the notice of export %s; it will be tried again", audit_id, exc_info=True)
        notice.delete()
        return False
    ExportNotice.objects.filter(pk=notice.pk).update(sent=True)
    return True


def send_pending_notices(within: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Send the notices of exports that finished within `within` and have none yet (e.g. failed by the reaper)."""
    pending = BufdirExportAudit.objects.filter(status__in=FINISHED, finished_at__gte=timezone.now() - within,
                                               notice__isnull=True).values_list("pk", flat=True)
    return sum(notify_finished(audit_id) for audit_id in list(pending))

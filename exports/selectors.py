"""Read-only queries the views, consumer and commands share."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from exports.models import BufdirExportAudit, Membership


def export_memberships(user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """Every membership through which `user` may export (administrator or coordinator), by organisation name."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.select_related("organisation")
        .filter(user_id=user.pk, role__in=Membership.EXPORT_ROLES)
        .order_by("organisation__name")
    )


def export_membership(
    user: AbstractBaseUser | AnonymousUser, *, organisation_id: UUID | str | None = None
) -> Membership | None:
    """The membership through which `user` may export for `organisation_id`, else their first by name, if any."""
    memberships = export_memberships(user)
    if organisation_id is not None:
        for membership in memberships:
            if str(membership.organisation_id) == str(organisation_id):
                return membership
    return memberships[0] if memberships else None


def latest_audit(organisation_id: UUID) -> BufdirExportAudit | None:
    """The organisation's most recent export."""
    return BufdirExportAudit.objects.filter(organisation_id=organisation_id).first()


def recent_audits(organisation_id: UUID, *, limit: int = 10) -> QuerySet[BufdirExportAudit]:
    """The organisation's recent exports, newest first."""
    return BufdirExportAudit.objects.filter(organisation_id=organisation_id).select_related("requested_by")[:limit]


def audit_for_member(user: AbstractBaseUser | AnonymousUser, *, audit_id: int) -> BufdirExportAudit | None:
    """The audit, when it belongs to an organisation for which `user` may export (checked now)."""
    organisation_ids = [membership.organisation_id for membership in export_memberships(user)]
    if not organisation_ids:
        return None
    return BufdirExportAudit.objects.filter(pk=audit_id, organisation_id__in=organisation_ids).first()


def memberships_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    """Every membership of `user`, with its organisation."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.select_related("organisation").filter(user_id=user.pk).order_by("organisation__name")


def administrators_of_organisations_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    """The administrators of the organisations `user` belongs to: whom to ask for access."""
    if isinstance(user, AnonymousUser):
        return Membership.objects.none()
    organisation_ids = memberships_of(user).values("organisation_id")
    return (
        Membership.objects.select_related("user", "organisation")
        .filter(organisation_id__in=organisation_ids, role=Membership.Role.ADMINISTRATOR)
        .exclude(user_id=user.pk)
        .order_by("organisation__name", "user__username")
    )


def earlier_export_of_same_length(
    organisation_id: UUID, *, period_from: dt.date, period_to: dt.date, exclude_audit_id: int | None = None
) -> BufdirExportAudit | None:
    """The organisation's latest succeeded export of an earlier period as long as this one (whole years alike)."""
    whole_year = _is_whole_year(period_from, period_to)
    days = (period_to - period_from).days
    candidates = (
        BufdirExportAudit.objects.filter(
            organisation_id=organisation_id, status=BufdirExportAudit.Status.SUCCEEDED, period_to__lt=period_from
        )
        .exclude(result={})
        .order_by("-period_from", "-finished_at")
    )
    if exclude_audit_id is not None:
        candidates = candidates.exclude(pk=exclude_audit_id)
    for audit in candidates[:50]:
        if (
            _is_whole_year(audit.period_from, audit.period_to)
            if whole_year
            else (audit.period_to - audit.period_from).days == days
        ):
            return audit
    return None


def _is_whole_year(start: dt.date, end: dt.date) -> bool:
    """Whether a period is one calendar year."""
    return (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year

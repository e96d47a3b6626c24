"""Read-only queries the views, consumer and commands share."""
from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from exports.models import BufdirExportAudit, Membership


def export_memberships(user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """Every membership through which `user` may export (administrator or coordinator), by organisation name."""
    if not user.is_authenticated:
        return []
    return list(Membership.objects.select_related("organisation")
                .filter(user=user, role__in=Membership.EXPORT_ROLES).order_by("organisation__name"))


def export_membership(user: AbstractBaseUser | AnonymousUser, organisation_id: object = None) -> Membership | None:
    """The membership through which `user` may export for `organisation_id`, else their first by name, if any."""
    memberships = export_memberships(user)
    if organisation_id is not None:
        for membership in memberships:
            if str(membership.organisation_id) == str(organisation_id):
                return membership
    return memberships[0] if memberships else None


def latest_audit(organisation_id: object) -> BufdirExportAudit | None:
    """The organisation's most recent export."""
    return BufdirExportAudit.objects.filter(organisation_id=organisation_id).first()


def recent_audits(organisation_id: object, limit: int = 10) -> QuerySet[BufdirExportAudit]:
    """The organisation's recent exports, newest first."""
    return BufdirExportAudit.objects.filter(organisation_id=organisation_id).select_related("requested_by")[:limit]


def audit_for_member(user: AbstractBaseUser | AnonymousUser, audit_id: int) -> BufdirExportAudit | None:
    """The audit, when it belongs to an organisation for which `user` may export (checked now)."""
    organisation_ids = [membership.organisation_id for membership in export_memberships(user)]
    if not organisation_ids:
        return None
    return BufdirExportAudit.objects.filter(pk=audit_id, organisation_id__in=organisation_ids).first()


def memberships_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    """Every membership of `user`, with its organisation."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.select_related("organisation").filter(user=user).order_by("organisation__name")


def administrators_of_organisations_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    """The administrators of the organisations `user` belongs to: whom to ask for access."""
    organisation_ids = memberships_of(user).values("organisation_id")
    return (Membership.objects.select_related("user", "organisation")
            .filter(organisation_id__in=organisation_ids, role=Membership.Role.ADMINISTRATOR)
            .exclude(user=user).order_by("organisation__name", "user__username"))

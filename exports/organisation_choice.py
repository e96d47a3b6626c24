"""Which organisation a request acts for: the one named in its URL, checked against the user's memberships now.

The session only remembers the last organisation the user switched to, so that `/exports/` knows where to
send them; it never decides what a page or a request acts for.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from exports.models import Membership
from exports.selectors import export_membership, export_memberships

SESSION_KEY = "exports_organisation_id"


def membership_for(user: AbstractBaseUser | AnonymousUser, *, slug: str) -> Membership | None:
    """The user's export membership of the organisation with this slug (checked now), if they hold one."""
    return next((m for m in export_memberships(user) if m.organisation.slug == slug), None)


def landing_membership(user: AbstractBaseUser | AnonymousUser, *, session: Any) -> Membership | None:
    """Where `/exports/` sends the user: the last organisation they switched to, else their first by name.

    A remembered choice the user no longer holds falls back to the first; nothing is written.
    """
    chosen = session.get(SESSION_KEY) if session is not None else None
    return export_membership(user, organisation_id=chosen)


def remember(session: Any, *, membership: Membership) -> None:
    """Remember the organisation of a membership (already checked) as the user's last choice."""
    session[SESSION_KEY] = str(membership.organisation_id)

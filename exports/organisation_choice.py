"""Which of a user's organisations the export page is for: kept in the session, checked on every use."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from exports.models import Membership
from exports.selectors import export_membership

SESSION_KEY = "exports_organisation_id"


def chosen_membership(user: AbstractBaseUser | AnonymousUser, session: Any) -> Membership | None:
    """The export membership of the organisation chosen in the session, checked against the memberships now.

    A choice the user no longer holds (or none) falls back to their first export membership by name.
    """
    chosen = session.get(SESSION_KEY) if session is not None else None
    return export_membership(user, organisation_id=chosen)


def choose(session: Any, membership: Membership) -> None:
    """Remember the organisation of a membership (already checked) as the session's choice."""
    session[SESSION_KEY] = str(membership.organisation_id)

"""Issuing, checking and revoking personal API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone

from api.models import ApiToken
from exports.models import Membership, Organisation

TOKEN_PREFIX = "bfx"  # noqa: S105 - the public prefix that marks a token, not a secret
DEFAULT_DAYS = 90
MAX_DAYS = 365
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A freshly made token: the record and the secret, which is shown once and then forgotten."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class TokenGrant:
    """What a valid token opens: its record and the export membership it acts through."""

    token: ApiToken
    membership: Membership

    def __str__(self) -> str:
        return self.token.prefix


def digest(secret: str) -> str:
    """The SHA-256 of a token, the only form in which it is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(*, user: User, organisation: Organisation, name: str, days: int = DEFAULT_DAYS) -> IssuedToken:
    """A new token of `user` for `organisation`, valid for `days` days."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a token lives between 1 and {MAX_DAYS} days")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        organisation=organisation,
        name=name.strip(),
        prefix=prefix,
        token_hash=digest(secret),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return IssuedToken(token, secret)


def _prefix_of(secret: str) -> str | None:
    """The lookup prefix inside a presented token, if it has the right form."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or len(parts[1]) > 16:
        return None
    return parts[1]


def grant_for(secret: str) -> TokenGrant | None:
    """The grant of a presented token: unrevoked, unexpired, of an active user who still may export."""
    prefix = _prefix_of(secret)
    if prefix is None:
        return None
    token = (
        ApiToken.objects.select_related("user", "organisation")
        .filter(prefix=prefix, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, digest(secret)) or not token.user.is_active:
        return None
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(user_id=token.user_id, organisation_id=token.organisation_id, role__in=Membership.EXPORT_ROLES)
        .first()
    )
    if membership is None:
        return None
    _touch(token)
    return TokenGrant(token, membership)


def _touch(token: ApiToken) -> None:
    """Record when the token was last used (at most once a minute, to spare the database)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def revoke_token(*, user: User, token_id: int) -> bool:
    """Revoke one of `user`'s own tokens at once; True when it was still active."""
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(ApiToken.objects.filter(user=user).select_related("organisation"))

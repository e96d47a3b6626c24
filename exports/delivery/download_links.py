"""Signed, expiring download tokens: issued for one export, checked with a verdict the page can explain.

The one signer of download links: the page's (bound to the export) and the API's (bound to the export and the
token's organisation too) are made and checked here.
"""

from __future__ import annotations

from enum import StrEnum

from django.core import signing

_SALT = "exports.download"


class LinkVerdict(StrEnum):
    """What a presented token is worth."""

    VALID = "valid"
    EXPIRED = "expired"
    TAMPERED = "tampered"
    OTHER_EXPORT = "other_export"


class DownloadLinks:
    """Tokens for `/exports/<id>/download?token=…` that stop working after `max_age` seconds."""

    def __init__(self, max_age: int) -> None:
        self.max_age = max_age

    def token(self, audit_id: int, *, organisation_id: object = None) -> str:
        """A new token for the audit's bundle; bound to the organisation as well when one is given."""
        payload: dict[str, object] = {"audit": audit_id}
        if organisation_id is not None:
            payload["org"] = str(organisation_id)
        return signing.dumps(payload, salt=_SALT)

    def check(self, audit_id: int, *, token: str, organisation_id: object = None) -> LinkVerdict:
        """Whether `token` opens this audit's bundle now (for this organisation, when one is given), else why not."""
        try:
            payload = signing.loads(token, salt=_SALT, max_age=self.max_age)
        except signing.SignatureExpired:
            return LinkVerdict.EXPIRED
        except signing.BadSignature:
            return LinkVerdict.TAMPERED
        if not isinstance(payload, dict) or payload.get("audit") != audit_id:
            return LinkVerdict.OTHER_EXPORT
        if organisation_id is not None and payload.get("org") != str(organisation_id):
            return LinkVerdict.OTHER_EXPORT
        return LinkVerdict.VALID

"""Versions of an organisation's column configuration: the one place they are numbered, saved, proven and activated.

Saving never activates a version in the admin: a changed document is a new, inactive version. The admin
activates only a version whose trial on a period (`record_trial`) ran the export's mapping over real rows and
found no rule or column that fails; the proof is bound to the version and its document by a fingerprint.
Code (the demo seeder, tests) may activate directly with
`save_column_config(active=True)`: its documents are reviewed and tested with the code, and a fresh database
has no rows a trial could run on.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Protocol

from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from exports.domain import Period
from exports.models import Organisation, OrganisationColumnConfig


class ActivationRefused(Exception):
    """A version the admin may not activate (not tried, tried with errors, or changed since); says why."""


@transaction.atomic
def save_column_config(
    *,
    organisation: Organisation,
    document: Any,
    comment: str = "",
    created_by: Any = None,
    active: bool = False,
    replaces: OrganisationColumnConfig | None = None,
    draft: OrganisationColumnConfig | None = None,
) -> OrganisationColumnConfig:
    """Save a configuration; activate it only when `active` (code and seeding; the admin uses activate_proven).

    A new document (no `replaces`, or one that differs from it) becomes the next version, inactive and untried;
    old versions stay as they were. With the same document, `replaces` keeps its version, its activation and its
    trial, and only its comment changes. `draft` is an unsaved instance already holding `document` (a form's),
    reused so it is validated once.
    """
    versions = _locked_versions(organisation)
    if keeps_version(replaces=replaces, document=document):
        config = OrganisationColumnConfig.objects.get(pk=replaces.pk)  # type: ignore[union-attr]
        config.comment = comment
    else:
        latest = versions.aggregate(models.Max("version"))["version__max"] or 0
        config = draft if draft is not None else OrganisationColumnConfig()
        config.pk, config._state.adding = None, True
        config.organisation, config.document, config.comment = organisation, document, comment
        config.created_by, config.version, config.is_active = created_by, latest + 1, False
        _forget_trial(config)
        config.activated_at = config.activated_by = None
    config.full_clean()
    if active and not config.is_active:
        _make_active(config, versions=versions, by=created_by)
    config.save()
    return config


@transaction.atomic
def activate_proven(*, config: OrganisationColumnConfig, activated_by: Any) -> OrganisationColumnConfig:
    """Make a proven version its organisation's active one; ActivationRefused says why it is not proven."""
    versions = _locked_versions(config.organisation)
    current = OrganisationColumnConfig.objects.select_related("organisation").get(pk=config.pk)
    problem = proof_problem(current)
    if problem:
        raise ActivationRefused(problem)
    if not current.is_active:
        _make_active(current, versions=versions, by=activated_by)
        current.save()
    return current


class TrialProof(Protocol):
    """What `record_trial` reads of a trial's figures (`lifecycle.config_trial.TrialFigures` has it)."""

    @property
    def proves(self) -> bool:
        """Whether the trial read rows and nothing failed."""

    @property
    def document_sha256(self) -> str:
        """The fingerprint of the document tried."""

    @property
    def rows_read(self) -> int:
        """How many rows the trial read."""

    @property
    def period(self) -> Period:
        """The period tried on."""


@transaction.atomic
def record_trial(*, config: OrganisationColumnConfig, proof: TrialProof, tried_by: Any) -> OrganisationColumnConfig:
    """Remember a trial on its version: as proof when it read rows and nothing failed, else forget any proof."""
    _locked_versions(config.organisation)
    tried = OrganisationColumnConfig.objects.get(pk=config.pk)
    if proof.proves and proof.document_sha256 == document_fingerprint(tried):
        tried.proven_at, tried.proven_by, tried.proven_rows = timezone.now(), tried_by, proof.rows_read
        tried.proven_period_from, tried.proven_period_to = proof.period.start, proof.period.end
        tried.proven_document_sha256 = proof.document_sha256
    else:
        _forget_trial(tried)
    tried.save(
        update_fields=[
            "proven_at",
            "proven_by",
            "proven_rows",
            "proven_period_from",
            "proven_period_to",
            "proven_document_sha256",
        ]
    )
    return tried


def document_fingerprint(config: OrganisationColumnConfig) -> str:
    """SHA-256 of the version's id and its document (keys sorted, so the database's key order does not matter)."""
    text = json.dumps(config.document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{config.pk}:{config.version}:{text}".encode()).hexdigest()


def proof_problem(config: OrganisationColumnConfig) -> str:
    """Why the admin may not activate `config` (empty when a trial of exactly this document found no errors)."""
    if config.is_active:
        return ""
    if config.proven_at is None:
        return _(
            "Version %(version)s has not been tried without errors, so it cannot be activated. Try it on a "
            "period with registrations; when the trial finds no rule that fails, it can be activated."
        ) % {"version": config.version}
    if config.proven_document_sha256 != document_fingerprint(config):
        return _("Version %(version)s has changed since it was tried, so it cannot be activated. Try it again.") % {
            "version": config.version
        }
    return ""


def proof_in_words(config: OrganisationColumnConfig) -> str:
    """The version's trial in words: when, on which period, how many rows, by whom; or that there is none."""
    if config.proven_at is None or config.proven_period_from is None or config.proven_period_to is None:
        return _("Not tried without errors")
    return _("Tried without errors on %(rows)s registrations of %(start)s–%(end)s, %(at)s by %(by)s") % {
        "rows": config.proven_rows,
        "start": date_format(config.proven_period_from, "d.m.Y"),
        "end": date_format(config.proven_period_to, "d.m.Y"),
        "at": date_format(timezone.localtime(config.proven_at), "d.m.Y H:i"),
        "by": config.proven_by or "–",
    }


def keeps_version(*, replaces: OrganisationColumnConfig | None, document: Any) -> bool:
    """Whether saving `document` over `replaces` changes that version in place (the document is the same)."""
    return replaces is not None and replaces.pk is not None and replaces.document == document


def _locked_versions(organisation: Organisation) -> models.QuerySet[OrganisationColumnConfig]:
    """The organisation's versions, locked until the transaction ends."""
    versions = OrganisationColumnConfig.objects.select_for_update().filter(organisation=organisation)
    list(versions.values_list("pk", flat=True))
    return versions


def _make_active(
    config: OrganisationColumnConfig, *, versions: models.QuerySet[OrganisationColumnConfig], by: Any
) -> None:
    """Deactivate the organisation's other version and mark `config` active (the caller saves it)."""
    versions.filter(is_active=True).exclude(pk=config.pk).update(is_active=False)
    config.is_active, config.activated_at, config.activated_by = True, timezone.now(), by


def _forget_trial(config: OrganisationColumnConfig) -> None:
    """Clear the version's proof (a new document, or a trial that failed)."""
    config.proven_at = config.proven_by = config.proven_rows = None
    config.proven_period_from = config.proven_period_to = None
    config.proven_document_sha256 = ""

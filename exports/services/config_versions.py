"""Versions of an organisation's column configuration: the one place they are numbered, saved and activated."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from exports.models import Organisation, OrganisationColumnConfig


@transaction.atomic
def save_column_config(*, organisation: Organisation, document: Any, comment: str = "", created_by: Any = None,
                       active: bool = False, replaces: OrganisationColumnConfig | None = None,
                       draft: OrganisationColumnConfig | None = None) -> OrganisationColumnConfig:
    """Save a configuration and settle which version is active.

    A new document (no `replaces`, or one that differs from it) becomes the next version; old versions stay as
    they were. With the same document, `replaces` keeps its version and only its comment and activation change.
    `draft` is an unsaved instance already holding `document` (a form's), reused so it is validated once.
    Activating deactivates the organisation's other version; the only active version cannot be switched off.
    """
    versions = OrganisationColumnConfig.objects.select_for_update().filter(organisation=organisation)
    list(versions.values_list("pk", flat=True))  # lock the organisation's versions until the end
    check_activation(replaces=replaces, document=document, active=active)
    if keeps_version(replaces=replaces, document=document):
        config = OrganisationColumnConfig.objects.get(pk=replaces.pk)  # type: ignore[union-attr]
        config.comment = comment
    else:
        latest = versions.aggregate(models.Max("version"))["version__max"] or 0
        config = draft if draft is not None else OrganisationColumnConfig()
        config.pk, config._state.adding = None, True
        config.organisation, config.document, config.comment = organisation, document, comment
        config.created_by, config.version = created_by, latest + 1
    config.is_active = active
    config.full_clean()
    if active:
        versions.filter(is_active=True).exclude(pk=config.pk).update(is_active=False)
    config.save()
    return config


def activate_column_config(*, config: OrganisationColumnConfig) -> OrganisationColumnConfig:
    """Make `config` the organisation's active version."""
    return save_column_config(organisation=config.organisation, document=config.document, comment=config.comment,
                              active=True, replaces=config)


def keeps_version(*, replaces: OrganisationColumnConfig | None, document: Any) -> bool:
    """Whether saving `document` over `replaces` changes that version in place (the document is the same)."""
    return replaces is not None and replaces.pk is not None and replaces.document == document


def check_activation(*, replaces: OrganisationColumnConfig | None, document: Any, active: bool) -> None:
    """Refuse to switch off the organisation's only active version (exports would fail)."""
    if keeps_version(replaces=replaces, document=document) and not active and OrganisationColumnConfig.objects.filter(
            pk=replaces.pk, is_active=True).exists():  # type: ignore[union-attr]
        raise ValidationError({"is_active": _(
            "This is the organisation's active configuration: exports would fail without one. "
            "Activate another version instead; that deactivates this one.")})

"""Loads the active, validated column configuration of an organisation."""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext as _

from exports.config.validation import (
    CompiledConfig,
    InvalidColumnConfig,
    compile_document,
)
from exports.domain import ExportError
from exports.models import OrganisationColumnConfig


class ColumnConfigRepository:
    """Reads configurations through the ORM."""

    def active_for(self, organisation_id: UUID) -> tuple[OrganisationColumnConfig, CompiledConfig]:
        """The active configuration and its compiled form, or an ExportError saying what is wrong."""
        config = OrganisationColumnConfig.objects.filter(organisation_id=organisation_id, is_active=True).first()
        if config is None:
            raise ExportError(
                _(
                    "The organisation has no active column configuration. "
                    "A system administrator must activate one in the admin."
                )
            )
        try:
            return config, compile_document(config.document)
        except InvalidColumnConfig as exc:
            raise ExportError(
                _("Column configuration version %(version)s is invalid: %(errors)s")
                % {"version": config.version, "errors": exc}
            ) from exc

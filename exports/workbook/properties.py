"""The workbook's document properties (author, title, subject, language) in Norwegian, not openpyxl's."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.packaging.core import DocumentProperties

from exports.config.cell_safety import without_refused
from exports.workbook.plan import WorkbookFacts

WORKBOOK_LANGUAGE = "nb-NO"


def describe_workbook(properties: DocumentProperties, *, facts: WorkbookFacts, period: str) -> None:
    """Name the service as the author and the organisation and period in the title, in the active language.

    The organisation's name loses the characters XML refuses, as it does in the cells.
    """
    organisation = without_refused(facts.organisation_name)
    author = _("Bufdir export")
    properties.creator = author
    properties.lastModifiedBy = author
    properties.title = _("Bufdir report %(organisation)s %(period)s") % {"organisation": organisation, "period": period}
    properties.subject = _("Peer-support activities of %(organisation)s for Bufdir") % {"organisation": organisation}
    properties.description = _("Made by the Bufdir export with column configuration version %(version)s.") % {
        "version": facts.config_version
    }
    properties.language = WORKBOOK_LANGUAGE

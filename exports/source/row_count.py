"""The rows a source delivered against the count it gave at the start: an export never stores a short read."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exports.domain import ExportError


def _number(value: int) -> str:
    """A row count as the user's language writes it (1 000 in Norwegian)."""
    return number_format(value, force_grouping=True)


def check_rows_read(*, counted: int, read: int) -> None:
    """Raise an ExportError naming both numbers unless the source delivered exactly the rows it counted.

    Fewer rows mean the report would be incomplete (a capped or broken read, or activities deleted while the
    export ran); more mean the activities changed while they were read. Either way the bundle is not stored.
    """
    if read == counted:
        return
    numbers = {"read": _number(read), "counted": _number(counted)}
    if read < counted:
        message = (
            ngettext(
                "The source delivered %(read)s of the %(counted)s activity in the period; the export was stopped "
                "so that no incomplete report is sent.",
                "The source delivered %(read)s of the %(counted)s activities in the period; the export was stopped "
                "so that no incomplete report is sent.",
                counted,
            )
            % numbers
        )
    else:
        message = (
            ngettext(
                "The source delivered %(read)s activity, but %(counted)s were counted in the period when the export "
                "started; the activities changed while they were read, so the export was stopped.",
                "The source delivered %(read)s activities, but %(counted)s were counted in the period when the "
                "export started; the activities changed while they were read, so the export was stopped.",
                read,
            )
            % numbers
        )
    raise ExportError(
        message + " " + _("Try again; if it happens again, contact your system administrator."),
        detail=(
            "phase: mapping\ncause: rows missing or added while read\n\n"
            f"Row count check failed: the source counted {counted} activities at the start and delivered {read}."
        ),
    )

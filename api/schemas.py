"""The shapes of the API's requests and answers (pydantic models through django-ninja)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from exports.models import ExportStatus
from exports.rules.periods import FIRST_YEAR, MAX_PERIOD_DAYS, last_year

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _one_of_year_or_range(schema: dict[str, Any]) -> None:
    """Document the body as exactly one of two shapes (validation is the period rule's, in api.periods)."""
    description = schema.get("description", "")
    schema.clear()
    schema.update(
        {
            "title": "StartExportIn",
            "description": description,
            "oneOf": [
                {
                    "title": "Year",
                    "type": "object",
                    "required": ["year"],
                    "additionalProperties": False,
                    "properties": {"year": {"type": "integer", "minimum": FIRST_YEAR, "maximum": last_year()}},
                    "examples": [{"year": last_year() - 2}],
                },
                {
                    "title": "DateRange",
                    "type": "object",
                    "required": ["from", "to"],
                    "additionalProperties": False,
                    "description": f"Both dates included, in the years {FIRST_YEAR} to {last_year()}, `from` on or "
                    f"before `to`, at most {MAX_PERIOD_DAYS} days.",
                    "properties": {
                        "from": {"type": "string", "format": "date"},
                        "to": {"type": "string", "format": "date"},
                    },
                    "examples": [{"from": f"{last_year() - 2}-01-01", "to": f"{last_year() - 2}-06-30"}],
                },
            ],
        }
    )


class StartExportIn(Schema):
    """A calendar year, or a range of dates (both inclusive): exactly one of the two."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, json_schema_extra=_one_of_year_or_range)

    year: int | None = Field(None, ge=1, le=9999)
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")

    @field_validator("year", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        """A JSON integer, not a string, a float or null."""
        if type(value) is not int:
            raise ValueError(_("must be a whole number, e.g. 2025"))
        return value

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> dt.date:
        """A date written YYYY-MM-DD, nothing else."""
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            raise ValueError(_("must be a date written YYYY-MM-DD"))
        return dt.date.fromisoformat(value)


class PeriodOut(Schema):
    """The exported period."""

    model_config = ConfigDict(populate_by_name=True)

    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")


class RowsOut(Schema):
    """How far the export got and what it found (null until known)."""

    processed: int
    total: int | None
    exported: int | None
    counted: int | None
    not_counted: int | None
    deviations: int | None


class RowBreakdownOut(Schema):
    """Every row a succeeded export read, accounted for.

    `counted` (the sum of `counted_by_category`), `phone_and_contact`, `other` and `not_counted_by_rule` add up
    to `exported` (the rows on the sheet Aktiviteter); `exported`, `rejected` and `unreadable` (only on the sheet
    Avvik) add up to `read`.
    """

    counted_by_category: dict[str, int]
    counted: int
    phone_and_contact: int | None = Field(
        description="Phone and contact services: documented, reported apart, never counted (null when the export "
        "was recorded before this breakdown)."
    )
    other: int | None = Field(description="Other activities: documented, never counted (null: not recorded).")
    not_counted_by_rule: int | None = Field(
        description="Rows of a counting category that a counting rule stops from counting (null: not recorded)."
    )
    not_counted: int
    exported: int
    rejected: int
    unreadable: int
    read: int


class ComparedExportOut(Schema):
    """The export a later one compared itself with."""

    id: int
    finished_at: dt.datetime | None
    sha256: str
    submitted: bool = Field(description="Whether it is the period's export marked as sent to Bufdir.")


class ChangesOut(Schema):
    """What changed since the period's earlier export (its submitted one when there is one)."""

    compared_with: ComparedExportOut | None = Field(
        description="Null: the period's first export, nothing to compare with."
    )
    counted_then: dict[str, int]
    counted_now: dict[str, int]
    added: int
    removed: int
    changed: int = Field(description="Registrations with a value on Aktiviteter that differs.")
    fixed: int = Field(description="Registrations that deviated then and do not now.")
    new_deviations: int
    rows: int = Field(description="The change rows on the sheet Endringer.")


class SubmissionOut(Schema):
    """The export's mark as sent to Bufdir (read-only here: marking is done on the export page)."""

    sha256: str
    marked_by: str
    marked_at: dt.datetime
    requires_confirmation: bool
    confirmed_by: str | None
    confirmed_at: dt.datetime | None
    withdrawn_by: str | None
    withdrawn_at: dt.datetime | None
    withdrawn_reason: str | None


class ExportOut(Schema):
    """One export of the token's organisation."""

    id: int
    url: str
    status: ExportStatus
    phase: str
    percent: int = Field(ge=0, le=100)
    period: PeriodOut
    requested_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    rows: RowsOut
    counted_by_category: dict[str, int] | None = Field(
        description="Counted activities per Bufdir category, when the export succeeded."
    )
    row_breakdown: RowBreakdownOut | None = Field(
        description="When succeeded: every row read, accounted for (counted per category and the rest by why)."
    )
    error_message: str | None
    download_url: str | None = Field(description="When succeeded: where to fetch the bundle, until it expires.")
    download_expires_at: dt.datetime | None
    changes: ChangesOut | None = Field(
        None,
        description="When succeeded: what changed since the period's earlier "
        "export (null for exports made before this was recorded).",
    )
    submission: SubmissionOut | None = Field(None, description="The latest mark of this export as sent to Bufdir.")


class ExportListOut(Schema):
    """The organisation's recent exports, newest first."""

    items: list[ExportOut]


class ErrorOut(Schema):
    """Every error has this shape: a stable code, a message, and field errors or the export when they apply."""

    code: str = Field(examples=["not_found"])
    message: str
    fields: dict[str, list[str]] | None = Field(None, description="Field errors (status 422).")
    export: ExportOut | None = Field(None, description="The export in the way (status 409).")


class DeviationOut(Schema):
    """One row of the sheet Avvik: a registration that does not count or needs correcting, and what to do."""

    activity_id: str
    date: dt.date
    activity_type: str
    peer_mentor: str
    local_branch: str
    reasons: list[str] = Field(description="Why, the most common reason of the export first.")
    action: str = Field(description="What to do about it, in Norwegian.")
    activity_url: str | None = Field(
        description="The registration in the organisation's app (null when the "
        "column configuration names no app address)."
    )


class DeviationListOut(Schema):
    """A page of a succeeded export's deviations, by date, with the total that pass the filters."""

    total: int
    limit: int
    offset: int
    items: list[DeviationOut]

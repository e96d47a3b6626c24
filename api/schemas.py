"""The shapes of the API's requests and answers (pydantic models through django-ninja)."""
from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import ConfigDict, Field

from exports.models import ExportStatus


class StartExportIn(Schema):
    """A calendar year, or a range of dates (both inclusive): exactly one of the two."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    year: int | None = Field(None, ge=1, le=9999, examples=[2025])
    date_from: dt.date | None = Field(None, alias="from", examples=["2025-01-01"])
    date_to: dt.date | None = Field(None, alias="to", examples=["2025-06-30"])


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
        description="Counted activities per Bufdir category, when the export succeeded.")
    error_message: str | None
    download_url: str | None = Field(description="When succeeded: where to fetch the bundle, until it expires.")
    download_expires_at: dt.datetime | None


class ExportListOut(Schema):
    """The organisation's recent exports, newest first."""

    items: list[ExportOut]


class ErrorOut(Schema):
    """Every error has this shape: a stable code, a message, and field errors or the export when they apply."""

    code: str = Field(examples=["not_found"])
    message: str
    fields: dict[str, list[str]] | None = Field(None, description="Field errors (status 422).")
    export: ExportOut | None = Field(None, description="The export in the way (status 409).")

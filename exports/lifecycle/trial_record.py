"""A trial's figures as stored on its run (JSON) and read back for the trial page, as the trial computed them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from exports.config.expression_failures import BrokenExpression, ExpressionPlace
from exports.domain import Period
from exports.lifecycle.config_trial import TrialLine, TrialResult
from exports.rules.rule_failures import RuleFailure


def trial_to_json(result: TrialResult) -> dict[str, Any]:
    """The trial's figures and failures as JSON (labels and reasons already in the active language)."""

    def lines(items: list[TrialLine]) -> list[dict[str, Any]]:
        return [{"label": line.label, "tried": line.tried, "active": line.active} for line in items]

    return {
        "period": [result.period.start.isoformat(), result.period.end.isoformat()],
        "active_version": result.active.version if result.active is not None else None,
        "totals": lines(result.totals),
        "counted_by_category": lines(result.counted_by_category),
        "deviations_by_reason": lines(result.deviations_by_reason),
        "changed_verdicts": result.changed_verdicts,
        "rows_read": result.rows_read,
        "failures": [
            {
                "place": str(failure.broken.place),
                "name": failure.broken.name,
                "reason": failure.broken.reason,
                "technical": failure.broken.technical,
                "rows": failure.rows,
                "example_activity_id": failure.example_activity_id,
            }
            for failure in result.failures
        ],
        "failure_message": result.failure_message,
        "document_sha256": result.document_sha256,
    }


@dataclass(frozen=True, kw_only=True)
class TriedFigures:
    """A finished trial's figures read back from its run: what the trial page shows."""

    period: Period
    active_version: int | None
    totals: list[TrialLine]
    counted_by_category: list[TrialLine]
    deviations_by_reason: list[TrialLine]
    changed_verdicts: int
    rows_read: int
    failures: list[RuleFailure]
    failure_message: str
    document_sha256: str

    @property
    def proves(self) -> bool:
        """Whether the trial read rows and found no rule or column that failed."""
        return self.rows_read > 0 and not self.failures

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TriedFigures:
        """The figures stored by trial_to_json."""

        def lines(items: list[dict[str, Any]]) -> list[TrialLine]:
            return [TrialLine(label=item["label"], tried=item["tried"], active=item["active"]) for item in items]

        start, end = (dt.date.fromisoformat(day) for day in data["period"])
        return cls(
            period=Period(start, end),
            active_version=data["active_version"],
            totals=lines(data["totals"]),
            counted_by_category=lines(data["counted_by_category"]),
            deviations_by_reason=lines(data["deviations_by_reason"]),
            changed_verdicts=data["changed_verdicts"],
            rows_read=data["rows_read"],
            failure_message=data["failure_message"],
            document_sha256=data["document_sha256"],
            failures=[
                RuleFailure(
                    broken=BrokenExpression(
                        place=ExpressionPlace(item["place"]),
                        name=item["name"],
                        reason=item["reason"],
                        technical=item["technical"],
                    ),
                    rows=item["rows"],
                    example_activity_id=item["example_activity_id"],
                )
                for item in data["failures"]
            ],
        )

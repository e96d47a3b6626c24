"""BufdirColumnMapper: turns one activity into one output row, its category, and whether it counts."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from exports.geography import county_name, municipality_name
from exports.services.activity_source import OSLO, ActivityRecord
from exports.services.config_validation import (
    CompiledColumn,
    CompiledConfig,
    CompiledRule,
)
from exports.services.expressions import ExpressionError
from exports.services.plugins import ExportRulePlugin

UNKNOWN_CATEGORY = "ukjent"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MappedActivity:
    """The mapper's verdict on one activity."""

    record: ActivityRecord
    category: str
    local_start: dt.datetime
    listed: bool
    counts: bool
    reasons: tuple[str, ...]
    issues: tuple[str, ...]
    values: tuple[Any, ...]

    @property
    def is_deviation(self) -> bool:
        """Whether the row belongs on `Avvik`: not listed, not counted, or with a data problem."""
        return not self.listed or not self.counts or bool(self.issues)

    @property
    def county_code(self) -> str:
        """The county the row is reported under (from its local branch)."""
        return self.record.local_branch_county_code or ""

    @property
    def branch_name(self) -> str:
        """The local branch the row is reported under."""
        return self.record.local_branch_name or ""


def _row_variables(record: ActivityRecord, config: CompiledConfig, is_duplicate: bool) -> dict[str, Any]:
    """The variables expressions and columns may read for one record."""
    local_start = record.started_at.astimezone(OSLO)
    local_date = local_start.date()
    activity_type = config.activity_types.get(record.activity_type)
    certified_on = record.peer_mentor_certified_on
    return {
        "activity_id": str(record.id),
        "activity_type": record.activity_type,
        "activity_label": activity_type["label"] if activity_type else record.activity_type,
        "category": activity_type["category"] if activity_type else UNKNOWN_CATEGORY,
        "status": record.status,
        "started_at": local_start.replace(tzinfo=None),
        "local_date": local_date,
        "local_time": local_start.time().replace(tzinfo=None),
        "duration_minutes": record.duration_minutes,
        "participant_count": record.participant_count,
        "country_code": (record.country_code or "").upper(),
        "municipality_code": record.municipality_code,
        "municipality_name": municipality_name(record.municipality_code),
        "description": record.description,
        "has_peer_mentor": record.peer_mentor_id is not None,
        "peer_mentor_name": record.peer_mentor_name or "",
        "peer_mentor_certified": certified_on is not None and certified_on <= local_date,
        "peer_mentor_certified_on": certified_on,
        "branch_name": record.local_branch_name or "",
        "county_code": record.local_branch_county_code or "",
        "county_name_of_branch": county_name(record.local_branch_county_code),
        "branch_municipality_code": record.local_branch_municipality_code,
        "is_duplicate": is_duplicate,
    }


class BufdirColumnMapper:
    """Applies a compiled column configuration and an organisation's plugins to activities."""

    def map(
        self,
        record: ActivityRecord,
        config: CompiledConfig,
        plugins: Sequence[ExportRulePlugin] = (),
        is_duplicate: bool = False,
    ) -> MappedActivity:
        """Map one activity; a problem with the row becomes a reason or an issue, never an exception."""
        variables = _row_variables(record, config, is_duplicate)
        local_start = record.started_at.astimezone(OSLO)
        category = variables["category"]
        if record.status == "rejected":
            return MappedActivity(record, category, local_start, False, False,
                                  (_("The registration was rejected"),), (), ())
        reasons: list[str] = []
        if category == UNKNOWN_CATEGORY:
            reasons.append(_("Unknown activity type «%(code)s»: add it to the column configuration")
                           % {"code": record.activity_type})
        reasons += self._failed(config, config.counting_rules, variables)
        issues = self._failed(config, config.validations, variables)
        for plugin in plugins:
            reasons += plugin.reasons_not_counted(variables)
            issues += plugin.data_issues(variables)
        counts = not reasons
        variables.update(
            counts=counts, not_counted_reason="; ".join(reasons), data_issues="; ".join(issues)
        )
        values = tuple(self._value(config, column, variables, issues) for column in config.columns)
        return MappedActivity(record, category, local_start, True, counts, tuple(reasons), tuple(issues), values)

    def map_or_flag(self, record: ActivityRecord, config: CompiledConfig, plugins: Sequence[ExportRulePlugin] = (),
                    is_duplicate: bool = False) -> MappedActivity:
        """Map one activity; a row that cannot be read at all goes to `Avvik` only, with the reason."""
        try:
            return self.map(record, config, plugins, is_duplicate)
        except Exception as exc:  # a broken row must not stop the other thousands
            logger.warning("activity %s could not be mapped", record.id, exc_info=True)
            reason = _("The row could not be read (%(error)s); correct it in the app") % {
                "error": type(exc).__name__}
            local_start = record.started_at.astimezone(OSLO)
            return MappedActivity(record, UNKNOWN_CATEGORY, local_start, False, False, (reason,), (), ())

    @staticmethod
    def _failed(config: CompiledConfig, rules: Sequence[CompiledRule], variables: Mapping[str, Any]) -> list[str]:
        """The reasons of the rules that apply to the row and that it does not satisfy."""
        failed = []
        for rule in rules:
            try:
                applies = rule.when is None or bool(config.engine.evaluate(rule.when, variables))
                satisfied = not applies or bool(config.engine.evaluate(rule.require, variables))
            except ExpressionError:
                satisfied = False
            if not satisfied:
                failed.append(rule.reason)
        return failed

    @staticmethod
    def _value(config: CompiledConfig, column: CompiledColumn, variables: Mapping[str, Any],
               issues: list[str]) -> Any:
        """The value of one column, with booleans given the template's labels."""
        try:
            if column.expression is not None:
                value = config.engine.evaluate(column.expression, variables)
            else:
                value = variables[column.source]  # type: ignore[index]
        except ExpressionError:
            issues.append(_("Column «%(heading)s» could not be computed") % {"heading": column.heading})
            return None
        if column.format == "boolean":
            return config.true_label if value else config.false_label
        if column.format == "integer" and value is not None:
            try:
                return int(value)
            except (TypeError, ValueError):
                return None
        return value

"""BufdirColumnMapper: turns one activity into one output row, its category, and whether it counts."""

from __future__ import annotations

import ast
import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from exports.config import cell_safety
from exports.config.expression_failures import BrokenExpression, ExpressionPlace
from exports.config.expressions import CONSTANT_NAMES, FUNCTION_NAMES, ExpressionError
from exports.config.plugins import ExportRulePlugin
from exports.config.schema import MAX_REASON_LENGTH
from exports.config.validation import (
    CompiledColumn,
    CompiledConfig,
    CompiledRule,
)
from exports.geography import county_name, municipality_name
from exports.regulation import (
    COUNTING_CATEGORIES,
    GROUP_CATEGORIES,
    NOT_COUNTED_BY_CATEGORY,
    REPORTED_SEPARATELY,
    UNKNOWN_CATEGORY,
    category_label,
)
from exports.rules.duplicates import RepeatedGroup
from exports.source.activities import OSLO, ActivityRecord

logger = logging.getLogger(__name__)
_TEXT_BOUND = cell_safety.MAX_TEXT_LENGTH + 1


@dataclass(frozen=True, kw_only=True)
class Finding:
    """Something the organisation can act on: what is wrong with a row, in Norwegian, and what to do."""

    text: str
    action: str


@dataclass(frozen=True, kw_only=True)
class MappedActivity:
    """The mapper's verdict on one activity.

    `reasons` are why a row does not count that the organisation can act on; a phone, contact or other row
    does not count by its category alone, which is no reason to act (`not_counted_reason` still says it).
    """

    record: ActivityRecord
    category: str
    local_start: dt.datetime
    listed: bool
    counts: bool
    reasons: tuple[Finding, ...]
    issues: tuple[Finding, ...] = ()
    values: tuple[Any, ...] = ()
    broken: tuple[BrokenExpression, ...] = ()
    """The rules and columns whose expression failed on this row (a configuration error, not bad data)."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every reason and data problem of the row, each said once (none that another already says in full)."""
        findings = _unique(self.reasons + self.issues)
        if len(findings) < 2:
            return findings
        kept = set(said_once(finding.text for finding in findings))
        return tuple(finding for finding in findings if finding.text in kept)

    @property
    def is_deviation(self) -> bool:
        """Whether the row belongs on `Avvik`: rejected, unreadable, not counted for a reason, or a data problem."""
        return (
            not self.listed
            or bool(self.issues)
            or (not self.counts and (bool(self.reasons) or self.category not in REPORTED_SEPARATELY))
        )

    @property
    def county_code(self) -> str:
        """The county the row is reported under (from its local branch), cut just past what a cell holds."""
        return cell_safety.bounded(self.record.local_branch_county_code or "")

    @property
    def branch_name(self) -> str:
        """The local branch the row is reported under, cut just past what a cell holds."""
        return cell_safety.bounded(self.record.local_branch_name or "")


def _unique(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """The findings in order, each text once."""
    seen: dict[str, Finding] = {}
    for finding in findings:
        seen.setdefault(finding.text, finding)
    return tuple(seen.values())


def _reads_only_category(rule: CompiledRule) -> bool:
    """Whether a rule is about the category alone (so a phone or other row fails it by definition)."""
    if rule.when is not None:
        return False
    names = {node.id for node in ast.walk(rule.require.tree) if isinstance(node, ast.Name)}
    return names - FUNCTION_NAMES - CONSTANT_NAMES == {"category"}


def _counting_advice() -> str:
    """What to do about a counting rule that gives no advice of its own."""
    return _("Check the registration in the app and correct it if it is wrong.")


def _data_advice() -> str:
    """What to do about a data problem whose rule gives no advice of its own."""
    return _("Correct the field in the registration in the app.")


def rejected_finding() -> Finding:
    """Why a rejected registration is on `Avvik`, and what to do."""
    return Finding(
        text=_("The registration was rejected"),
        action=_("Correct the registration in the app and approve it again, or leave it if the rejection was right."),
    )


def group_repeat_finding(first: RepeatedGroup) -> Finding:
    """Why a second registration of the same group does not count, which registration counts, and what to do."""
    return Finding(
        text=_("The same group is registered by another peer mentor too (same type, start and local branch)"),
        action=_(
            "Repeats registration %(id)s by %(name)s. Delete one of the registrations in the app; "
            "the group counts once."
        )
        % {"id": first.activity_id, "name": first.peer_mentor_name[:200] or _("(no name)")},
    )


def _row_variables(record: ActivityRecord, config: CompiledConfig, is_duplicate: bool) -> dict[str, Any]:
    """The variables expressions and columns may read for one record; text from the app is cut by `_bounded`."""
    local_start = record.started_at.astimezone(OSLO)
    local_date = local_start.date()
    activity_type = config.activity_types.get(record.activity_type)
    certified_on = record.peer_mentor_certified_on
    category = activity_type["category"] if activity_type else UNKNOWN_CATEGORY
    app_type = _bounded(record.activity_type)
    return {
        "activity_id": str(record.id),
        "activity_type": app_type,
        "activity_label": activity_type["label"] if activity_type else app_type,
        "category": category,
        "category_label": category_label(category),
        "status": _bounded(record.status),
        "started_at": local_start.replace(tzinfo=None),
        "local_date": local_date,
        "local_time": local_start.time().replace(tzinfo=None),
        "duration_minutes": record.duration_minutes,
        "participant_count": record.participant_count,
        "country_code": _bounded((record.country_code or "").upper()),
        "municipality_code": _bounded(record.municipality_code),
        "municipality_name": municipality_name(record.municipality_code),
        "description": _bounded(record.description),
        "has_peer_mentor": record.peer_mentor_id is not None,
        "peer_mentor_name": _bounded(record.peer_mentor_name or ""),
        "peer_mentor_certified": certified_on is not None and certified_on <= local_date,
        "peer_mentor_certified_on": certified_on,
        "branch_name": _bounded(record.local_branch_name or ""),
        "county_code": _bounded(record.local_branch_county_code or ""),
        "county_name_of_branch": county_name(_bounded(record.local_branch_county_code)),
        "branch_municipality_code": _bounded(record.local_branch_municipality_code),
        "is_duplicate": is_duplicate,
    }


def _bounded(value: Any) -> Any:
    """Text from the app cut just past what a cell holds, which bounds what any expression can do with it."""
    return value[:_TEXT_BOUND] if type(value) is str else value


def _bounded_finding(text: Any) -> str:
    """A plugin's reason or data problem, held to the length of a rule's reason in the configuration."""
    return cell_safety.bounded(str(text), MAX_REASON_LENGTH)


class BufdirColumnMapper:
    """Applies a compiled column configuration and an organisation's plugins to activities."""

    def map(
        self,
        record: ActivityRecord,
        *,
        config: CompiledConfig,
        plugins: Sequence[ExportRulePlugin] = (),
        is_duplicate: bool = False,
        repeats: RepeatedGroup | None = None,
    ) -> MappedActivity:
        """Map one activity; a problem with the row becomes a reason or an issue, never an exception.

        `repeats` is the registration of the same group that counts instead of this one (Bufdir's rule).
        """
        variables = _row_variables(record, config, is_duplicate)
        local_start = record.started_at.astimezone(OSLO)
        category = variables["category"]
        if record.status == "rejected":
            return MappedActivity(
                record=record,
                category=category,
                local_start=local_start,
                listed=False,
                counts=False,
                reasons=(rejected_finding(),),
            )
        reasons: list[Finding] = []
        if category == UNKNOWN_CATEGORY:
            code = cell_safety.clean_text(record.activity_type[:100]).value
            reasons.append(
                Finding(
                    text=_("Unknown activity type «%(code)s»") % {"code": code},
                    action=_(
                        "Correct the activity type in the app, or ask the system administrator to add it "
                        "to the column configuration."
                    ),
                )
            )
        separate = category in REPORTED_SEPARATELY
        broken: list[BrokenExpression] = []
        reasons += self._failed(
            config,
            config.counting_rules,
            variables,
            _counting_advice,
            skip_category_rules=category not in COUNTING_CATEGORIES,
            broken=broken,
            place=ExpressionPlace.COUNTING_RULE,
        )
        if repeats is not None and category in GROUP_CATEGORIES:
            reasons.append(group_repeat_finding(repeats))
        issues = self._failed(
            config, config.validations, variables, _data_advice, broken=broken, place=ExpressionPlace.VALIDATION
        )
        for plugin in plugins:
            reasons += [
                Finding(text=_bounded_finding(text), action=_counting_advice())
                for text in plugin.reasons_not_counted(variables)
            ]
            issues += [
                Finding(text=_bounded_finding(text), action=_data_advice()) for text in plugin.data_issues(variables)
            ]
        counts = not reasons and category in COUNTING_CATEGORIES
        explained = ([str(NOT_COUNTED_BY_CATEGORY[category])] if separate else []) + [r.text for r in reasons]
        variables.update(
            counts=counts,
            not_counted_reason=cell_safety.bounded_join("; ", said_once(explained)),
            data_issues=cell_safety.bounded_join("; ", said_once(i.text for i in issues)),
        )
        values = tuple(self._value(config, column, variables, issues, broken) for column in config.columns)
        return MappedActivity(
            record=record,
            category=category,
            local_start=local_start,
            listed=True,
            counts=counts,
            reasons=_unique(reasons),
            issues=_unique(issues),
            values=values,
            broken=tuple(dict.fromkeys(broken)),
        )

    def map_or_flag(
        self,
        record: ActivityRecord,
        *,
        config: CompiledConfig,
        plugins: Sequence[ExportRulePlugin] = (),
        is_duplicate: bool = False,
        repeats: RepeatedGroup | None = None,
    ) -> MappedActivity:
        """Map one activity; a row that cannot be read at all goes to `Avvik` only, with the reason."""
        try:
            return self.map(record, config=config, plugins=plugins, is_duplicate=is_duplicate, repeats=repeats)
        except Exception as exc:  # a broken row must not stop the other thousands
            logger.warning("activity %s could not be mapped", record.id, exc_info=True)
            finding = Finding(
                text=_("The row could not be read (%(error)s)") % {"error": type(exc).__name__},
                action=_(
                    "Open the registration in the app and save it again; if the row stays here, "
                    "tell the system administrator."
                ),
            )
            return MappedActivity(
                record=record,
                category=UNKNOWN_CATEGORY,
                local_start=record.started_at.astimezone(OSLO),
                listed=False,
                counts=False,
                reasons=(finding,),
            )

    @staticmethod
    def _failed(
        config: CompiledConfig,
        rules: Sequence[CompiledRule],
        variables: Mapping[str, Any],
        advice: Callable[[], str],
        *,
        skip_category_rules: bool = False,
        broken: list[BrokenExpression],
        place: ExpressionPlace,
    ) -> list[Finding]:
        """The findings of the rules that apply to the row and that it does not satisfy.

        A rule whose expression fails on the row is listed in `broken`, never taken as the row's fault.
        """
        failed = []
        for rule in rules:
            try:
                applies = rule.when is None or bool(config.engine.evaluate(rule.when, names=variables))
                satisfied = not applies or bool(config.engine.evaluate(rule.require, names=variables))
            except ExpressionError as exc:
                broken.append(BrokenExpression.of(place, name=rule.id, error=exc))
                continue
            if not satisfied and not (skip_category_rules and _reads_only_category(rule)):
                failed.append(Finding(text=rule.reason, action=rule.action or advice()))
        return failed

    @staticmethod
    def _value(
        config: CompiledConfig,
        column: CompiledColumn,
        variables: Mapping[str, Any],
        issues: list[Finding],
        broken: list[BrokenExpression],
    ) -> Any:
        """The value of one column, with booleans given the template's labels."""
        try:
            if column.expression is not None:
                value = config.engine.evaluate(column.expression, names=variables)
            else:
                value = variables[column.source]  # type: ignore[index]
        except ExpressionError as exc:
            broken.append(BrokenExpression.of(ExpressionPlace.COLUMN, name=column.heading, error=exc))
            issues.append(
                Finding(
                    text=_("Column «%(heading)s» could not be computed") % {"heading": column.heading},
                    action=_("Ask the system administrator to correct the column configuration."),
                )
            )
            return None
        if column.format == "boolean":
            return config.true_label if value else config.false_label
        if column.format == "integer" and value is not None:
            try:
                value = int(value)
            except (TypeError, ValueError, OverflowError):
                return None
        if cell_safety.is_plain(value):
            return value
        cleaned = cell_safety.clean(value)
        if cleaned.problem:
            issues.append(
                Finding(
                    text=_("Column «%(heading)s»: %(problem)s")
                    % {"heading": column.heading, "problem": cleaned.problem},
                    action=_(
                        "Shorten the text in the app, or ask the system administrator to correct the column "
                        "configuration."
                    ),
                )
            )
        return cleaned.value


_SPACE = re.compile(r"\s+")
_END = " .;:,!"


def _core(text: str) -> str:
    """What a text says, for comparing: case, runs of space and the closing punctuation left out."""
    return _SPACE.sub(" ", text).strip(_END).casefold()


def said_once(texts: Iterable[str]) -> list[str]:
    """The texts in order, leaving out a repeat and any text that another one already says in full."""
    kept = list(dict.fromkeys(texts))
    if len(kept) < 2:
        return kept
    cores = [_core(text) for text in kept]
    return [
        text
        for index, (text, core) in enumerate(zip(kept, cores, strict=True))
        if not any(
            core in other and (core != other or later < index) for later, other in enumerate(cores) if later != index
        )
    ]

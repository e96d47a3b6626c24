"""Accounts for every row of an export from its recorded result: counted per category, the rest by why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from exports.regulation import COUNTING_CATEGORIES

NOT_COUNTED_PARTS = ("phone_and_contact", "other", "not_counted_by_rule")
"""Why a row on `Aktiviteter` does not count, in the order the page, the sheet and the command list them."""

OUTCOME_LABELS = {
    "counted": _("Counted"),
    "phone_and_contact": _("Phone and contact services (reported apart, never counted)"),
    "other": _("Other activities (documented, never counted)"),
    "not_counted_by_rule": _("Not counted by a counting rule (listed on Avvik)"),
    "not_counted": _("Total not counted"),
    "exported": _("Rows on Aktiviteter"),
    "rejected": _("Rejected registrations (only on Avvik)"),
    "unreadable": _("Unreadable rows (only on Avvik)"),
    "read": _("Registrations read"),
}


def exported_by_outcome(*, counted: int, not_counted: int, documented_by_category: Mapping[str, int]) -> dict[str, int]:
    """The rows on `Aktiviteter` by outcome, as an audit records them; they add up to the rows exported."""
    phone = int(documented_by_category.get("kontakt", 0))
    other = int(documented_by_category.get("annet", 0))
    return {
        "counted": counted,
        "phone_and_contact": phone,
        "other": other,
        "not_counted_by_rule": not_counted - phone - other,
    }


@dataclass(frozen=True, kw_only=True)
class RowAccount:
    """Every row an export read, accounted for: the parts add up to `exported`, and with the rest to `read`."""

    counted_by_category: dict[str, int]
    counted: int
    phone_and_contact: int | None
    other: int | None
    not_counted_by_rule: int | None
    """None (each of the three) for an export recorded before the breakdown was: only the total is known."""
    not_counted: int
    exported: int
    rejected: int
    unreadable: int
    read: int

    def not_counted_parts(self) -> list[tuple[str, int]]:
        """Why the rows that do not count do not, as (key, rows); empty when the export did not record it."""
        parts = [(key, getattr(self, key)) for key in NOT_COUNTED_PARTS]
        return [(key, number) for key, number in parts if number is not None]

    def as_dict(self) -> dict[str, Any]:
        """The account as plain JSON-ready values."""
        return {
            "counted_by_category": dict(self.counted_by_category),
            "counted": self.counted,
            "phone_and_contact": self.phone_and_contact,
            "other": self.other,
            "not_counted_by_rule": self.not_counted_by_rule,
            "not_counted": self.not_counted,
            "exported": self.exported,
            "rejected": self.rejected,
            "unreadable": self.unreadable,
            "read": self.read,
        }


def row_account(result: Mapping[str, Any]) -> RowAccount:
    """The account of an audit's recorded `result` (an older result without the breakdown derives what it can)."""
    rows = result.get("rows", {})
    by_category = result.get("counted_by_category", {})
    exported, counted = int(rows.get("exported", 0)), int(rows.get("counted", 0))
    not_counted = int(rows.get("not_counted", exported - counted))
    outcome: Mapping[str, int] | None = result.get("exported_by_outcome")
    if outcome is None and "documented_by_category" in result:
        outcome = exported_by_outcome(
            counted=counted, not_counted=not_counted, documented_by_category=result["documented_by_category"]
        )
    rejected, unreadable = int(rows.get("rejected", 0)), int(rows.get("unreadable", 0))
    return RowAccount(
        counted_by_category={category: int(by_category.get(category, 0)) for category in COUNTING_CATEGORIES},
        counted=counted,
        phone_and_contact=outcome["phone_and_contact"] if outcome else None,
        other=outcome["other"] if outcome else None,
        not_counted_by_rule=outcome["not_counted_by_rule"] if outcome else None,
        not_counted=not_counted,
        exported=exported,
        rejected=rejected,
        unreadable=unreadable,
        read=int(rows.get("read", exported + rejected + unreadable)),
    )


def ranked_reasons(result: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The recorded deviations per reason, the most common first (PostgreSQL's jsonb keeps no key order)."""
    reasons = result.get("deviations_by_reason") or {}
    return sorted(reasons.items(), key=lambda item: (-item[1], item[0]))

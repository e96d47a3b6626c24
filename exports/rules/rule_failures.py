"""A broken rule is a configuration error: which rules failed, on how many rows, why, and the message that says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exports.config.expression_failures import BrokenExpression
from exports.domain import ExportError

if TYPE_CHECKING:
    from exports.rules.column_mapper import MappedActivity

SHOWN_FAILURES = 10
"""How many failing rules a message names (the most frequent first)."""


@dataclass(frozen=True, kw_only=True)
class RuleFailure:
    """One rule or column that failed: on how many rows, why, and the first row it failed on."""

    broken: BrokenExpression
    rows: int
    example_activity_id: str

    def in_words(self) -> str:
        """«the data check «x» could not be computed on 12 973 rows (division by zero)»."""
        return ngettext(
            "%(rule)s could not be computed on %(count)s row (%(error)s)",
            "%(rule)s could not be computed on %(count)s rows (%(error)s)",
            self.rows,
        ) % {
            "rule": self.broken.title(),
            "count": number_format(self.rows, force_grouping=True),
            "error": self.broken.reason,
        }


class RuleFailures:
    """Collects the rules and columns whose expressions failed while rows stream past (memory: one entry each).

    The first row's failure is kept as the key, so its technical message and activity are the example shown.
    """

    def __init__(self) -> None:
        self._rows: dict[BrokenExpression, int] = {}
        self._examples: dict[BrokenExpression, str] = {}

    def add(self, row: MappedActivity) -> None:
        """Count the failures of one mapped row."""
        for broken in row.broken:
            self._rows[broken] = self._rows.get(broken, 0) + 1
            self._examples.setdefault(broken, str(row.record.id))

    def __bool__(self) -> bool:
        return bool(self._rows)

    def most_common(self) -> list[RuleFailure]:
        """Every failure, the one on most rows first."""
        return [
            RuleFailure(broken=broken, rows=rows, example_activity_id=self._examples[broken])
            for broken, rows in sorted(self._rows.items(), key=lambda item: -item[1])
        ]

    def in_words(self) -> str:
        """That the configuration is wrong, and where: each rule, its rows and its error (the most frequent ten)."""
        failures = self.most_common()
        parts = [failure.in_words() for failure in failures[:SHOWN_FAILURES]]
        if len(failures) > SHOWN_FAILURES:
            parts.append(_("and %(more)s more") % {"more": len(failures) - SHOWN_FAILURES})
        return _("The column configuration is wrong: %(failures)s.") % {"failures": "; ".join(parts)}

    def message(self) -> str:
        """Why the export stopped, for the person who asked for it, and what to do."""
        return " ".join(
            (
                self.in_words(),
                _(
                    "A system administrator must correct the rule in the configuration in the admin, try the "
                    "new version "
                    "on a period and activate it; then export again. Nothing was exported, because the totals would "
                    "have been wrong."
                ),
            )
        )

    def detail(self) -> str:
        """Every failure for the administrator: rule, rows, reason, the first activity and the technical error."""
        lines = [
            "phase: mapping",
            "cause: configuration error",
            "",
            _("Rules and columns of the column configuration that could not be computed:"),
        ]
        for failure in self.most_common():
            lines.append(
                _("- %(failure)s; first activity: %(activity)s; error: %(technical)s")
                % {
                    "failure": failure.in_words(),
                    "activity": failure.example_activity_id,
                    "technical": failure.broken.technical or "-",
                }
            )
        return "\n".join(lines)

    def error(self) -> ExportError:
        """The export's failure, with the detail for the audit."""
        return ExportError(self.message(), detail=self.detail())

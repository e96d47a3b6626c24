"""The running totals count each mapped row once by what became of it, and record them as JSON-ready facts."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from exports.config.expression_failures import BrokenExpression, ExpressionPlace
from exports.domain import RESULT_SCHEMA_VERSION
from exports.regulation import COUNTING_CATEGORIES
from exports.rules.column_mapper import Finding, MappedActivity
from exports.rules.summary import STORED_REASONS, ExportSummary
from exports.source.activities import OSLO
from tests.records import activity_record

DAY = dt.datetime(2025, 6, 2, 10, 0, tzinfo=OSLO)
NO_MENTOR = Finding(text="Mangler likeperson", action="Registrer likepersonen.")
ABROAD = Finding(text="Aktiviteten fant sted utenfor Norge", action="Rett landet.")


def row(
    *,
    category: str = "oppsokende",
    counts: bool = True,
    listed: bool = True,
    reasons: tuple[Finding, ...] = (),
    issues: tuple[Finding, ...] = (),
    broken: tuple[BrokenExpression, ...] = (),
    **fields: Any,
) -> MappedActivity:
    """A mapped home visit in Bergen (county 46) by one peer mentor, unless told otherwise."""
    mentor = uuid.UUID("8d6c3f1e-0000-4000-8000-0000000000a1")
    return MappedActivity(
        record=activity_record(**({"started_at": DAY, "peer_mentor_id": mentor} | fields)),
        category=category,
        local_start=DAY,
        listed=listed,
        counts=counts,
        reasons=reasons,
        issues=issues,
        broken=broken,
    )


def five_rows() -> ExportSummary:
    """A counted visit, a phone call, a visit without a peer mentor, a rejected and an unreadable registration."""
    summary = ExportSummary()
    summary.add(row())
    summary.add(row(category="kontakt", counts=False))
    summary.add(row(counts=False, reasons=(NO_MENTOR,)))
    summary.add(row(listed=False, counts=False, status="rejected", reasons=(NO_MENTOR,)))
    summary.add(row(listed=False, counts=False, category="ukjent", reasons=(ABROAD,)))
    return summary


def test_each_row_is_counted_once_by_what_became_of_it():
    summary = five_rows()
    assert (summary.read, summary.exported, summary.rejected, summary.unreadable) == (5, 3, 1, 1)
    assert (summary.counted, summary.not_counted, summary.deviations) == (1, 2, 3)
    assert summary.documented_by_category == {"oppsokende": 2, "kontakt": 1}


def test_counted_rows_are_counted_by_category_county_and_branch():
    summary = ExportSummary()
    summary.add(row())
    summary.add(row(category="kurs"))
    summary.add(row(local_branch_name="Oslo", local_branch_county_code="03"))
    summary.add(row(local_branch_name="Oslo", local_branch_county_code="03", counts=False, reasons=(ABROAD,)))
    assert summary.counted_categories() == {"oppsokende": 2, "samtalegruppe": 0, "aktivitetsgruppe": 0, "kurs": 1}
    assert list(summary.counted_categories()) == list(COUNTING_CATEGORIES)
    assert summary.counted_by_county == {"46": 2, "03": 1}
    assert summary.counted_by_branch == {("Bergen", "46"): 2, ("Oslo", "03"): 1}


def test_the_rows_on_aktiviteter_by_outcome_add_up_to_the_rows_exported():
    summary = five_rows()
    summary.add(row(category="annet", counts=False))
    assert summary.outcomes() == {"counted": 1, "phone_and_contact": 1, "other": 1, "not_counted_by_rule": 1}
    assert sum(summary.outcomes().values()) == summary.exported == 4


def test_reasons_come_most_common_first_with_ties_in_order_of_appearance():
    summary = ExportSummary()
    summary.add(row(counts=False, reasons=(ABROAD,)))
    summary.add(row(counts=False, reasons=(NO_MENTOR,)))
    summary.add(row(counts=False, reasons=(NO_MENTOR, ABROAD), issues=(Finding(text="Ukjent kommune", action="-"),)))
    summary.add(row(counts=False, reasons=(NO_MENTOR,)))
    assert summary.reasons_by_frequency() == [
        ("Mangler likeperson", 3),
        ("Aktiviteten fant sted utenfor Norge", 2),
        ("Ukjent kommune", 1),
    ]
    assert summary.deviations == 4


def test_a_data_problem_makes_a_counted_row_a_deviation():
    summary = ExportSummary()
    summary.add(row(issues=(Finding(text="Kommunenummer mangler", action="Før opp kommunenummeret."),)))
    assert (summary.counted, summary.deviations) == (1, 1)
    assert summary.deviations_by_reason == {"Kommunenummer mangler": 1}


def test_broken_rules_are_counted_per_rule_and_each_row_reaches_the_peer_mentor_tally():
    broken = BrokenExpression(place=ExpressionPlace.COUNTING_RULE, name="lenge_nok", reason="en tom verdi")
    summary = ExportSummary()
    summary.add(row(broken=(broken,)))
    summary.add(row(broken=(broken,)))
    summary.add(row(peer_mentor_id=uuid.uuid4(), peer_mentor_name="Ola"))
    assert summary.broken_rules == {broken: 2}
    assert len(summary.peer_mentors) == 2
    assert sorted(line.counted for line in summary.peer_mentors.lines()) == [1, 2]


def test_the_facts_hold_every_total_as_json():
    facts = five_rows().as_facts()
    assert json.loads(json.dumps(facts)) == facts
    assert facts["schema_version"] == RESULT_SCHEMA_VERSION
    assert facts["rows"] == {
        "read": 5,
        "exported": 3,
        "counted": 1,
        "not_counted": 2,
        "deviations": 3,
        "rejected": 1,
        "unreadable": 1,
    }
    assert facts["counted_by_category"] == {"oppsokende": 1, "samtalegruppe": 0, "aktivitetsgruppe": 0, "kurs": 0}
    assert facts["exported_by_outcome"] == {"counted": 1, "phone_and_contact": 1, "other": 0, "not_counted_by_rule": 1}
    assert list(facts["documented_by_category"]) == ["kontakt", "oppsokende"]
    assert facts["counted_by_county"] == {"46": 1}
    assert facts["deviations_by_reason"] == {"Mangler likeperson": 2, "Aktiviteten fant sted utenfor Norge": 1}


def test_the_facts_keep_only_the_most_common_reasons_without_refused_characters():
    summary = ExportSummary()
    for number in range(STORED_REASONS + 5):
        reason = Finding(text=f"Årsak {number:03}", action="-")
        for _ in range(STORED_REASONS + 5 - number):
            summary.add(row(counts=False, reasons=(reason,)))
    summary.add(row(local_branch_county_code="4\x006"))
    reasons = summary.as_facts()["deviations_by_reason"]
    assert list(reasons) == [f"Årsak {number:03}" for number in range(STORED_REASONS)]
    assert reasons["Årsak 000"] == STORED_REASONS + 5
    assert summary.as_facts()["counted_by_county"] == {"46": 1}


def test_county_codes_that_clean_to_the_same_code_keep_every_counted_row():
    summary = ExportSummary()
    summary.add(row())
    summary.add(row())
    summary.add(row(local_branch_county_code="4\x006"))
    assert summary.as_facts()["counted_by_county"] == {"46": 3}

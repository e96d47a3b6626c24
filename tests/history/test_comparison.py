"""`Sammendrag` compares with the latest earlier succeeded export of a period as long, headed "I fjor" a year before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from exports.domain import Period
from exports.history.comparison import comparison_from, earlier_comparison
from exports.models import BufdirExportAudit, ExportStatus
from tests import factories

RESULT = {
    "rows": {"read": 12, "exported": 10, "counted": 8, "not_counted": 2},
    "counted_by_category": {"oppsokende": 6, "samtalegruppe": 2, "aktivitetsgruppe": 0, "kurs": 0},
    "counted_by_county": {"46": 5, "03": 3},
    "deviations_by_reason": {"Mangler likeperson": 2},
}


def test_the_same_period_a_year_before_is_headed_last_year():
    with translation.override("nb"):
        comparison = comparison_from(
            result=RESULT,
            period_from=dt.date(2024, 1, 1),
            period_to=dt.date(2024, 12, 31),
            current_from=dt.date(2025, 1, 1),
        )
    assert comparison.heading == "I fjor"


def test_another_earlier_period_is_headed_by_its_dates():
    with translation.override("nb"):
        comparison = comparison_from(
            result=RESULT,
            period_from=dt.date(2025, 3, 1),
            period_to=dt.date(2025, 5, 31),
            current_from=dt.date(2025, 6, 1),
        )
    assert comparison.heading == "Forrige 01.03.2025–31.05.2025"


def test_a_period_from_29_february_compares_with_28_february_a_year_before():
    with translation.override("nb"):
        comparison = comparison_from(
            result=RESULT,
            period_from=dt.date(2023, 2, 28),
            period_to=dt.date(2023, 3, 30),
            current_from=dt.date(2024, 2, 29),
        )
    assert comparison.heading == "I fjor"


def test_the_earlier_counts_are_taken_from_its_recorded_result():
    comparison = comparison_from(
        result=RESULT,
        period_from=dt.date(2024, 1, 1),
        period_to=dt.date(2024, 12, 31),
        current_from=dt.date(2025, 1, 1),
    )
    assert comparison.counted_by_category == RESULT["counted_by_category"]
    assert comparison.counted_by_county == {"46": 5, "03": 3}
    assert comparison.deviations_by_reason == {"Mangler likeperson": 2}
    assert comparison.rows["counted"] == 8 and comparison.result == RESULT


def test_a_result_without_counts_compares_with_empty_counts():
    comparison = comparison_from(
        result={}, period_from=dt.date(2024, 1, 1), period_to=dt.date(2024, 12, 31), current_from=dt.date(2025, 1, 1)
    )
    assert (comparison.counted_by_category, comparison.counted_by_county, comparison.deviations_by_reason) == (
        {},
        {},
        {},
    )
    assert dict(comparison.rows) == {}


def audit(org, *, start: dt.date, end: dt.date, status=ExportStatus.SUCCEEDED, result=None) -> BufdirExportAudit:
    """A finished export of `start`–`end`."""
    return BufdirExportAudit.objects.create(
        organisation=org,
        period_from=start,
        period_to=end,
        status=status,
        result=RESULT if result is None else result,
        finished_at=timezone.now(),
    )


@pytest.mark.django_db
def test_the_latest_earlier_year_is_the_comparison_of_a_year():
    org = factories.organisation("nhf")
    audit(org, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31), result={"rows": {"counted": 1}})
    audit(org, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    audit(org, start=dt.date(2024, 7, 1), end=dt.date(2024, 12, 31), result={"rows": {"counted": 99}})
    with translation.override("nb"):
        comparison = earlier_comparison(organisation_id=org.pk, period=Period.year(2025), exclude_audit_id=None)
    assert comparison is not None
    assert comparison.heading == "I fjor" and comparison.rows["counted"] == 8


@pytest.mark.django_db
def test_a_failed_an_empty_or_another_organisations_export_is_no_comparison():
    org, other = factories.organisation("nhf"), factories.organisation("hlf")
    audit(other, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    audit(org, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), status=ExportStatus.FAILED)
    audit(org, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), status=ExportStatus.SUCCEEDED, result={})
    assert earlier_comparison(organisation_id=org.pk, period=Period.year(2025), exclude_audit_id=None) is None


@pytest.mark.django_db
def test_the_excluded_export_is_never_its_own_comparison():
    org = factories.organisation("nhf")
    older = audit(org, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31), result={"rows": {"counted": 3}})
    latest = audit(org, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    with translation.override("nb"):
        comparison = earlier_comparison(organisation_id=org.pk, period=Period.year(2025), exclude_audit_id=latest.pk)
    assert comparison is not None and comparison.rows == older.result["rows"]
    assert comparison.heading == "Forrige 01.01.2023–31.12.2023"


@pytest.mark.django_db
def test_a_period_of_days_compares_with_an_earlier_period_of_as_many_days():
    org = factories.organisation("nhf")
    audit(org, start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31), result={"rows": {"counted": 31}})
    audit(org, start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30), result={"rows": {"counted": 30}})
    with translation.override("nb"):
        comparison = earlier_comparison(
            organisation_id=org.pk,
            period=Period(start=dt.date(2025, 5, 1), end=dt.date(2025, 5, 31)),
            exclude_audit_id=None,
        )
    assert comparison is not None
    assert comparison.rows == {"counted": 31} and comparison.heading == "Forrige 01.03.2025–31.03.2025"

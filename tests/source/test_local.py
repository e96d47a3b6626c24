"""The local activity source: keyset pages in (started_at, id) order, Oslo period bounds, deleted rows left out."""

from __future__ import annotations

import datetime as dt

import pytest

from exports.domain import Period
from exports.source.local import LocalActivitySource
from tests import factories

pytestmark = pytest.mark.django_db


def test_ties_on_start_time_across_page_boundaries_are_neither_lost_nor_repeated():
    org = factories.organisation()
    same = dt.datetime(2025, 4, 1, 8, tzinfo=dt.UTC)
    created = {factories.activity(org, started_at=same).id for _ in range(5)}
    created |= {factories.activity(org, started_at=same + dt.timedelta(minutes=i)).id for i in range(1, 4)}
    chunks = list(LocalActivitySource().stream(org.pk, period=Period.year(2025), chunk_size=2))
    streamed = [record.id for chunk in chunks for record in chunk]
    assert sorted(streamed) == sorted(created) and len(streamed) == 8
    assert [len(chunk) for chunk in chunks] == [2, 2, 2, 2]
    keys = [(record.started_at, str(record.id)) for chunk in chunks for record in chunk]
    assert keys == sorted(keys)


def test_only_the_organisations_period_and_no_deleted_rows():
    org, other = factories.organisation("nhf"), factories.organisation("other")
    inside = factories.activity(org, started_at=dt.datetime(2024, 12, 31, 23, 0, tzinfo=dt.UTC))
    factories.activity(org, started_at=dt.datetime(2024, 12, 31, 22, 59, tzinfo=dt.UTC))
    factories.activity(org, status="deleted")
    factories.activity(other)
    source = LocalActivitySource()
    assert source.count(org.pk, period=Period.year(2025)) == 1
    [[record]] = list(source.stream(org.pk, period=Period.year(2025), chunk_size=10))
    assert record.id == inside.id

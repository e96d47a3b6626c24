"""Contract test of the Supabase activity source: a fake at the HTTP seam pins PostgREST's request and response shapes.

The hosted Supabase API cannot be reached from here, so supabase-py talks to an httpx MockTransport that
answers the way PostgREST documents: JSON arrays with embedded resources, and `Content-Range: */N`
for `Prefer: count=exact` on a HEAD request.
"""
from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from supabase import ClientOptions, create_client

from exports.domain import Period
from exports.services.supabase_source import SupabaseActivitySource

ORG = uuid.UUID("11111111-1111-4111-8111-111111111111")
KEY = "service-role-key-for-tests"


def row(index: int, started_at: str) -> dict:
    """An activity as PostgREST returns it with embedded peer mentor and branch."""
    return {
        "id": f"00000000-0000-4000-8000-{index:012d}",
        "activity_type": "hjemmebesok",
        "started_at": started_at,
        "duration_minutes": 60,
        "participant_count": None,
        "country_code": "NO",
        "municipality_code": "4601",
        "description": "Besøk",
        "status": "approved",
        "peer_mentor_id": "22222222-2222-4222-8222-222222222222",
        "peer_mentors": {"full_name": "Kari Nordmann", "certified_on": "2020-05-01"},
        "local_branches": {"name": "NHF Bergen", "county_code": "46", "municipality_code": "4601"},
    }


class FakePostgrest:
    """Answers /rest/v1/activities like PostgREST and records every request."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.path == "/rest/v1/activities"
        query = parse_qs(urlsplit(str(request.url)).query)
        if request.method == "HEAD":
            return httpx.Response(200, headers={"Content-Range": f"*/{len(self.rows)}"})
        limit = int(query["limit"][0])
        start = 0
        if "or" in query:
            last_id = query["or"][0].rsplit("id.gt.", 1)[1].removesuffix("))")
            start = next(i for i, r in enumerate(self.rows) if r["id"] == last_id) + 1
        page = self.rows[start:start + limit]
        return httpx.Response(200, json=page, headers={"Content-Range": f"{start}-{start + len(page) - 1}/*"})


@pytest.fixture
def fake():
    rows = [row(i, f"2025-03-0{1 + i // 2}T0{i % 2}:30:00+00:00") for i in range(5)]
    return FakePostgrest(rows)


@pytest.fixture
def source(fake):
    options = ClientOptions(httpx_client=httpx.Client(transport=httpx.MockTransport(fake)))
    return SupabaseActivitySource(lambda: create_client("https://demo.supabase.co", KEY, options=options))


def test_count_asks_for_an_exact_count_without_rows(source, fake):
    assert source.count(ORG, Period.year(2025)) == 5
    [request] = fake.requests
    assert request.method == "HEAD"
    assert "count=exact" in request.headers["prefer"]
    assert request.headers["apikey"] == KEY


def test_stream_pages_by_keyset_with_filters_and_embedded_resources(source, fake):
    chunks = list(source.stream(ORG, Period.year(2025), chunk_size=2))

    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    first = chunks[0][0]
    assert first.peer_mentor_name == "Kari Nordmann" and first.peer_mentor_certified_on == dt.date(2020, 5, 1)
    assert first.local_branch_county_code == "46" and first.started_at.tzinfo is not None
    queries = [parse_qs(urlsplit(str(r.url)).query) for r in fake.requests]
    for query in queries:
        assert query["organisation_id"] == [f"eq.{ORG}"]
        assert query["started_at"] == ["gte.2025-01-01T00:00:00+01:00", "lt.2026-01-01T00:00:00+01:00"]
        assert query["status"] == ["neq.deleted"]
        assert query["order"] == ["started_at.asc,id.asc"]
        assert "peer_mentors(full_name,certified_on)" in query["select"][0]
        assert query["limit"] == ["2"]
    assert "or" not in queries[0]
    second_started = fake.rows[1]["started_at"]
    assert queries[1]["or"] == [f'(started_at.gt."{second_started}",and(started_at.eq."{second_started}",'
                                f'id.gt.{fake.rows[1]["id"]}))']
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in fake.requests)


def test_the_client_is_created_on_first_use_only():
    created = []
    SupabaseActivitySource(lambda: created.append(1))
    assert created == []

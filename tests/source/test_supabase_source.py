"""Contract test of the Supabase activity source: a fake at the HTTP seam pins PostgREST's request and response shapes.

The hosted Supabase API cannot be reached from here, so supabase-py talks to an httpx MockTransport
(tests/postgrest_fake.py) that answers the way the documentation says PostgREST does:
- PostgREST docs, "Pagination and Count" > "Limits and Pagination": `limit`/`offset` and `Range`, the
  `Content-Range: 0-999/*` header on every response, and "the server may respond with fewer if unable to meet
  your request";
- PostgREST docs, "Configuration" > `db-max-rows`, and Supabase's "Max rows" API setting (1000 by default): a
  hard cap on the rows of one response whatever `limit` asks for;
- PostgREST docs, "Pagination and Count" > "Exact Count": `Prefer: count=exact` gives `Content-Range:
  0-999/2500` and `206 Partial Content` when the response holds fewer rows than the total;
- PostgREST docs, "Errors" (PGRST001 503 while the database connection is lost), and gateways' 502/504 and
  dropped connections, which the source retries (tenacity);
- PostgREST docs, "Horizontal Filtering" / "Ordering": the filters, the `or=(…)` keyset tree and the order.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from postgrest.exceptions import APIError
from supabase import ClientOptions, create_client
from tenacity import wait_none

from exports.domain import Period
from exports.source.supabase_source import ATTEMPTS, SupabaseActivitySource, is_transient
from tests.postgrest_fake import FakePostgrest

__all__ = ["KEY", "ORG", "FakePostgrest", "row", "source_over"]

ORG = uuid.UUID("11111111-1111-4111-8111-111111111111")
KEY = "service-role-key-for-tests"
URL = "https://demo.supabase.co"


def row(index: int, started_at: str, *, activity_id: str | None = None, status: str = "approved") -> dict:
    """An activity row of the organisation's project, with the peer mentor and branch PostgREST embeds."""
    return {
        "id": activity_id or f"00000000-0000-4000-8000-{index:012d}",
        "organisation_id": str(ORG),
        "activity_type": "hjemmebesok",
        "started_at": started_at,
        "duration_minutes": 60,
        "participant_count": None,
        "country_code": "NO",
        "municipality_code": "4601",
        "description": "Besøk",
        "status": status,
        "peer_mentor_id": "22222222-2222-4222-8222-222222222222",
        "local_branch_id": "33333333-3333-4333-8333-333333333333",
        "peer_mentors": {"full_name": "Kari Nordmann", "certified_on": "2020-05-01"},
        "local_branches": {"name": "NHF Bergen", "county_code": "46", "municipality_code": "4601"},
    }


def many_rows(count: int, *, ties: int, seed: int) -> list[dict]:
    """`count` rows in 2025, `ties` of them sharing each start time, with random ids, in random order."""
    rng = random.Random(seed)
    start = dt.datetime(2025, 2, 1, 8, tzinfo=dt.UTC)
    rows = [
        row(
            i,
            (start + dt.timedelta(minutes=i // ties)).isoformat(),
            activity_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        )
        for i in range(count)
    ]
    rng.shuffle(rows)
    return rows


def source_over(fake: FakePostgrest) -> SupabaseActivitySource:
    """The real source over the fake: supabase-py's own retry off, so the source's retries are the ones tested."""
    options = ClientOptions(
        httpx_client=httpx.Client(transport=httpx.MockTransport(fake)), postgrest_client_retry=False
    )
    return SupabaseActivitySource(lambda: create_client(URL, KEY, options=options), wait=wait_none())


@pytest.fixture
def fake():
    rows = [row(i, f"2025-03-0{1 + i // 2}T0{i % 2}:30:00+00:00") for i in range(5)]
    return FakePostgrest(rows)


@pytest.fixture
def source(fake):
    options = ClientOptions(httpx_client=httpx.Client(transport=httpx.MockTransport(fake)))
    return SupabaseActivitySource(lambda: create_client(URL, KEY, options=options))


def test_count_asks_for_an_exact_count_without_rows(source, fake):
    assert source.count(ORG, period=Period.year(2025)) == 5
    [request] = fake.requests
    assert request.method == "HEAD"
    assert "count=exact" in request.headers["prefer"]
    assert request.headers["apikey"] == KEY


def test_stream_pages_by_keyset_with_filters_and_embedded_resources(source, fake):
    chunks = list(source.stream(ORG, period=Period.year(2025), chunk_size=2))

    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    first = chunks[0][0]
    assert first.peer_mentor_name == "Kari Nordmann" and first.peer_mentor_certified_on == dt.date(2020, 5, 1)
    assert first.local_branch_county_code == "46" and first.started_at.tzinfo is not None
    assert first.local_branch_id == uuid.UUID("33333333-3333-4333-8333-333333333333")
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
    assert queries[1]["or"] == [
        f'(started_at.gt."{second_started}",and(started_at.eq."{second_started}",id.gt.{fake.rows[1]["id"]}))'
    ]
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in fake.requests)
    assert len(fake.requests) == 4, "the short third page is not taken as the end; an empty page is"


def test_the_client_is_created_on_first_use_only():
    created = []
    SupabaseActivitySource(lambda: created.append(1))
    assert created == []


def test_the_fake_answers_as_postgrest_documents_it():
    fake = FakePostgrest(many_rows(2500, ties=3, seed=1))
    with httpx.Client(transport=httpx.MockTransport(fake), base_url=URL) as client:
        capped = client.get("/rest/v1/activities", params={"select": "id", "limit": "2000"})
        counted = client.get(
            "/rest/v1/activities", params={"select": "id", "limit": "2000"}, headers={"Prefer": "count=exact"}
        )
        head = client.head("/rest/v1/activities", params={"select": "id"}, headers={"Prefer": "count=exact"})
        ranged = client.get("/rest/v1/activities", params={"select": "id"}, headers={"Range": "2400-2599"})
        past = client.get(
            "/rest/v1/activities", params={"select": "id", "offset": "3000"}, headers={"Prefer": "count=exact"}
        )
        empty = client.get("/rest/v1/activities", params={"select": "id", "status": "eq.deleted"})
    assert (capped.status_code, capped.headers["content-range"], len(capped.json())) == (200, "0-999/*", 1000)
    assert (counted.status_code, counted.headers["content-range"]) == (206, "0-999/2500")
    assert (head.status_code, head.headers["content-range"], head.content) == (206, "0-999/2500", b"")
    assert (ranged.headers["content-range"], len(ranged.json())) == ("2400-2499/*", 100)
    assert (past.status_code, past.json()["code"]) == (416, "PGRST103")
    assert (empty.status_code, empty.headers["content-range"], empty.json()) == (200, "*/*", [])


@pytest.mark.parametrize(("total", "ties"), [(2500, 7), (5001, 3), (2500, 2500)])
def test_a_max_rows_cap_below_the_chunk_loses_no_row_and_repeats_none(total, ties):
    fake = FakePostgrest(many_rows(total, ties=ties, seed=total + ties), max_rows=1000)
    source = source_over(fake)

    assert source.count(ORG, period=Period.year(2025)) == total
    chunks = list(source.stream(ORG, period=Period.year(2025), chunk_size=2000))

    ids = [str(record.id) for chunk in chunks for record in chunk]
    assert Counter(ids) == Counter(r["id"] for r in fake.rows), "every row exactly once"
    keys = [(record.started_at, record.id) for chunk in chunks for record in chunk]
    assert keys == sorted(keys)
    gets = [r for r in fake.requests if r.method == "GET"]
    assert all(parse_qs(urlsplit(str(r.url)).query)["limit"] == ["2000"] for r in gets)
    assert [len(chunk) for chunk in chunks] == [1000] * (total // 1000) + ([total % 1000] if total % 1000 else [])
    assert len(gets) == len(chunks) + 1 and fake.served[-1].json() == []


def test_ties_on_the_start_time_straddle_every_page_boundary():
    rows = many_rows(2500, ties=7, seed=3)
    fake = FakePostgrest(rows, max_rows=1000)
    chunks = list(source_over(fake).stream(ORG, period=Period.year(2025), chunk_size=2000))
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert before[-1].started_at == after[0].started_at, "this data set puts a tie across each boundary"
        assert before[-1].id < after[0].id


def test_the_period_and_the_organisation_are_filtered_by_the_api():
    other = {**row(1, "2025-05-01T10:00:00+00:00"), "organisation_id": str(uuid.uuid4())}
    rows = [
        row(2, "2024-12-31T22:59:00+00:00"),
        row(3, "2024-12-31T23:00:00+00:00"),
        row(4, "2025-06-01T10:00:00+00:00", status="deleted"),
        other,
        row(5, "2025-12-31T22:59:59+00:00"),
        row(6, "2025-12-31T23:00:00+00:00"),
    ]
    source = source_over(FakePostgrest(rows))
    ids = [
        str(record.id)[-1]
        for chunk in source.stream(ORG, period=Period.year(2025), chunk_size=2000)
        for record in chunk
    ]
    assert ids == ["3", "5"]
    assert source.count(ORG, period=Period.year(2025)) == 2


@pytest.mark.parametrize("fault", ["503", "502", "504", "reset", "drop", "timeout"])
def test_transient_failures_between_pages_are_retried_and_lose_nothing(fault):
    fake = FakePostgrest(many_rows(2500, ties=5, seed=7), faults={2: fault, 4: fault, 5: fault})
    chunks = list(source_over(fake).stream(ORG, period=Period.year(2025), chunk_size=2000))
    ids = [record.id for chunk in chunks for record in chunk]
    assert len(ids) == len(set(ids)) == 2500
    assert len(fake.requests) == 4 + 3


def test_a_page_out_of_keyset_order_fails_instead_of_repeating_rows():
    fake = FakePostgrest(many_rows(30, ties=1, seed=9), max_rows=10)
    ignores_the_keyset = FakePostgrest(fake.rows, max_rows=10)

    def answer(request: httpx.Request) -> httpx.Response:
        without_or = httpx.URL(str(request.url)).copy_remove_param("or")
        return ignores_the_keyset(httpx.Request(request.method, without_or, headers=request.headers))

    options = ClientOptions(
        httpx_client=httpx.Client(transport=httpx.MockTransport(answer)), postgrest_client_retry=False
    )
    source = SupabaseActivitySource(lambda: create_client(URL, KEY, options=options), wait=wait_none())
    with pytest.raises(RuntimeError, match="out of \\(started_at, id\\) order"):
        list(source.stream(ORG, period=Period.year(2025), chunk_size=2000))


@pytest.mark.parametrize(
    ("code", "transient"),
    [
        ("PGRST000", True),
        ("PGRST001", True),
        ("PGRST002", True),
        ("PGRST003", True),
        ("PGRST100", False),
        ("PGRST103", False),
        ("42501", False),
    ],
)
def test_postgrest_error_codes_that_are_worth_another_try(code, transient):
    assert is_transient(APIError({"code": code, "message": "x", "details": None, "hint": None})) is transient


def test_retries_give_up_after_the_bounded_attempts():
    fake = FakePostgrest(many_rows(10, ties=1, seed=2), faults=dict.fromkeys(range(1, 50), "502"))
    with pytest.raises(APIError):
        list(source_over(fake).stream(ORG, period=Period.year(2025), chunk_size=2000))
    assert len(fake.requests) == ATTEMPTS

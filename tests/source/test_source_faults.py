"""The Supabase source against a flaky API: transient failures are retried with backoff, others fail plainly."""

from __future__ import annotations

import uuid

import httpx
import pytest
from postgrest.exceptions import APIError
from supabase import ClientOptions, create_client
from tenacity import wait_none

from exports.container import services
from exports.domain import ExportFailure, ExportRequest, ExportSuccess, Period
from exports.source.supabase_source import ATTEMPTS, SupabaseActivitySource
from tests import factories
from tests.source.test_supabase_source import KEY, ORG, FakePostgrest, row


class Flaky:
    """Fails the first `failures` requests in the given way, then answers like PostgREST."""

    def __init__(self, failures: int, how: str, organisation_id: uuid.UUID = ORG) -> None:
        rows = [row(i, f"2025-03-0{1 + i // 2}T0{i % 2}:30:00+00:00") for i in range(5)]
        self.inner = FakePostgrest([{**r, "organisation_id": str(organisation_id)} for r in rows])
        self.failures, self.how, self.calls = failures, how, 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls <= self.failures:
            if self.how == "timeout":
                raise httpx.ReadTimeout("timed out", request=request)
            if self.how == "reset":
                raise httpx.ReadError("connection reset by peer", request=request)
            if self.how == "garbage":
                return httpx.Response(200, content=b"<html>not json</html>")
            if self.how == "statement-timeout":
                return httpx.Response(
                    500, json={"message": "canceling statement due to statement timeout", "code": "57014"}
                )
            return httpx.Response(int(self.how), text=f"<html>{self.how} from the gateway</html>")
        return self.inner(request)


def source_over(fake: Flaky) -> SupabaseActivitySource:
    """The real source over a mock transport, without waiting between tries."""
    options = ClientOptions(httpx_client=httpx.Client(transport=httpx.MockTransport(fake)))
    return SupabaseActivitySource(
        lambda: create_client("https://demo.supabase.co", KEY, options=options), wait=wait_none()
    )


@pytest.mark.parametrize("how", ["timeout", "reset", "500", "502", "504", "statement-timeout"])
def test_transient_failures_are_retried(how):
    fake = Flaky(ATTEMPTS - 1, how)
    assert source_over(fake).count(ORG, period=Period.year(2025)) == 5
    assert fake.calls >= ATTEMPTS


def test_retries_are_bounded():
    fake = Flaky(100, "timeout")
    with pytest.raises(httpx.ReadTimeout):
        source_over(fake).count(ORG, period=Period.year(2025))
    assert fake.calls == ATTEMPTS


def test_a_client_error_is_not_retried():
    fake = Flaky(100, "400")
    with pytest.raises(APIError):
        source_over(fake).count(ORG, period=Period.year(2025))
    assert fake.calls == 1


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["timeout", "garbage"])
def test_a_source_that_keeps_failing_fails_the_export_with_a_message_naming_the_source(how, export_files):
    org = factories.organisation("nhf")
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    with services().override(activity_source=source_over(Flaky(100, how, org.pk))):
        result = services().orchestrator.run(
            ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=Period.year(2025), requested_by="x")
        )
    assert isinstance(result, ExportFailure)
    assert "kilden" in result.error_message or "source" in result.error_message
    assert not export_files._storage.exists("nhf")


@pytest.mark.django_db
def test_a_flaky_source_still_gives_a_complete_export(export_files):
    org = factories.organisation("nhf")
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    with services().override(activity_source=source_over(Flaky(2, "502", org.pk))):
        result = services().orchestrator.run(
            ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=Period.year(2025), requested_by="x")
        )
    assert isinstance(result, ExportSuccess) and result.rows_exported == 5

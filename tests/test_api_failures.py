"""Every failure under /api/v1/ is the API's JSON error: a service down (503), a body too large (413), a bug (500)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from api.tokens import issue_token
from exports.models import BufdirExportAudit
from tests import factories

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"code", "message", "fields", "export"}
CLOSED_PORT = "redis://127.0.0.1:1/0"
NORWEGIAN_UNAVAILABLE = "Eksporttjenesten får ikke kontakt med en av sine egne tjenester akkurat nå."


@pytest.fixture
def nhf():
    return factories.organisation("nhf", name="Norges Handikapforbund")


@pytest.fixture
def headers(nhf):
    secret = issue_token(user=factories.member(nhf, username="nhf-admin"), organisation=nhf, name="ci").secret
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def redis_down(settings):
    """Django's cache is Redis on a port where nothing listens (as with REDIS_URL and Redis stopped)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED_PORT}}
    with pytest.raises(RedisConnectionError):
        cache.get("anything")


@pytest.fixture
def broker_down(monkeypatch, redis_down):
    """django-q2's broker is Redis on the same closed port (its Conf is read at import, so it is patched there)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", CLOSED_PORT)
    monkeypatch.setattr(Conf, "SYNC", False)


def assert_error(response, status: int, code: str) -> dict:
    """The response is the one JSON error shape with this status and code, and shows no traceback."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS and body["code"] == code and body["message"]
    assert "Traceback" not in response.content.decode() and "<html" not in response.content.decode().lower()
    return body


def test_with_the_cache_down_the_throttle_fails_open_and_exports_stay_readable(
    client, nhf, headers, redis_down, caplog
):
    audit = BufdirExportAudit.objects.create(
        organisation=nhf,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        status="failed",
        finished_at=timezone.now(),
    )
    with caplog.at_level(logging.WARNING, logger="api.throttling"):
        listing = client.get("/api/v1/exports", **headers)
        detail = client.get(f"/api/v1/exports/{audit.pk}", **headers)
    assert listing.status_code == 200, listing.content
    assert [item["id"] for item in listing.json()["items"]] == [audit.pk]
    assert detail.status_code == 200 and detail.json()["status"] == "failed"
    assert sum("API throttle off" in record.getMessage() for record in caplog.records) <= 1
    assert_error(client.get("/api/v1/exports", HTTP_AUTHORIZATION="Bearer bfx_nope_nope"), 401, "invalid_token")


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_a_start_is_503_in_norwegian(client, nhf, headers, broker_down):
    response = client.post("/api/v1/exports", {"year": 2025}, content_type="application/json", **headers)
    body = assert_error(response, 503, "service_unavailable")
    assert int(response["Retry-After"]) > 0
    audit = BufdirExportAudit.objects.get()
    assert audit.status == BufdirExportAudit.Status.FAILED, "a start the queue refused is never left pending"
    assert body["export"]["id"] == audit.pk and body["export"]["status"] == "failed"
    assert body["message"] == audit.error_message


def test_a_broker_error_named_broker_unavailable_is_503(client, headers, monkeypatch):
    class BrokerUnavailable(RuntimeError):
        """What the start service may raise when the queue is down."""

    def refuse(*args, **kwargs):
        raise BrokerUnavailable("the queue is down")

    monkeypatch.setattr("api.v1.start_export", refuse)
    response = client.post("/api/v1/exports", {"year": 2025}, content_type="application/json", **headers)
    assert_error(response, 503, "service_unavailable")


def test_a_refused_connection_while_downloading_is_503(client, nhf, headers, monkeypatch):
    audit = BufdirExportAudit.objects.create(
        organisation=nhf,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        status="succeeded",
        finished_at=timezone.now(),
        file_key="nhf/1/bundle.zip",
    )

    class Unreachable:
        def open(self, key):
            raise ConnectionRefusedError("storage refused")

    monkeypatch.setattr("api.v1.services", lambda: type("Container", (), {"storage": Unreachable()})())
    assert_error(client.get(f"/api/v1/exports/{audit.pk}/download", **headers), 503, "service_unavailable")


def test_a_body_over_the_upload_limit_is_413(client, headers, settings):
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    big = json.dumps({"year": 2025, "padding": padding})
    assert len(big) > 2_500_000
    response = client.post("/api/v1/exports", big, content_type="application/json", **headers)
    body = assert_error(response, 413, "payload_too_large")
    assert body["message"].startswith("Forespørselen er for stor.")
    assert not BufdirExportAudit.objects.exists()
    assert_error(client.post("/api/v1/exports", big, content_type="application/json"), 401, "invalid_token")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_exception_in_an_operation_is_a_json_500(
    client, nhf, headers, monkeypatch, settings, debug, caplog
):
    settings.DEBUG = debug

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail of the bug")

    monkeypatch.setattr("api.v1.export_document", broken)
    BufdirExportAudit.objects.create(organisation=nhf, period_from=dt.date(2025, 1, 1), period_to=dt.date(2025, 12, 31))
    with caplog.at_level(logging.ERROR, logger="api.errors"):
        response = client.get("/api/v1/exports", **headers)
    body = assert_error(response, 500, "server_error")
    assert "secret detail" not in response.content.decode() and body["message"].startswith("Noe gikk galt")
    assert any(record.exc_info and "secret detail" in str(record.exc_info[1]) for record in caplog.records)


def test_an_exception_before_the_operation_is_a_json_500(client, headers, monkeypatch):
    def broken(secret):
        raise RuntimeError("the token table is gone")

    monkeypatch.setattr("api.auth.grant_for", broken)
    response = client.get("/api/v1/exports", **headers)
    assert_error(response, 500, "server_error")
    assert "token table" not in response.content.decode()


def test_an_exception_in_a_middleware_is_a_json_500_under_the_api_only(headers, monkeypatch):
    from django_htmx.middleware import HtmxMiddleware

    def broken(self, request):
        raise RuntimeError("middleware bug")

    monkeypatch.setattr(HtmxMiddleware, "__call__", broken)
    client = Client(raise_request_exception=False)
    assert_error(client.get("/api/v1/exports", **headers), 500, "server_error")
    page = client.get("/accounts/login/")
    assert page.status_code == 500 and not page["Content-Type"].startswith("application/json")


def test_a_request_django_refuses_is_a_json_400(headers):
    response = Client(raise_request_exception=False).get("/api/v1/exports", HTTP_HOST="evil.example", **headers)
    assert_error(response, 400, "bad_request")


def test_the_openapi_document_lists_the_new_error_answers(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    start = paths["/api/v1/exports"]["post"]["responses"]
    assert {"413", "500", "503"} <= set(start)
    assert start["503"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert {"500", "503"} <= set(operation["responses"]), (method, path)

"""/healthz, /readyz and `manage.py check_ready` against the real database, broker, channel layer and storage.

On the embedded default: SQLite, the ORM broker and the SQLite channel layer; in the production pass
(DATABASE_URL, REDIS_URL): PostgreSQL, the Redis broker and the Redis channel layer.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from channels.layers import channel_layers
from django.conf import settings as django_settings
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.utils import timezone

from exports.container import services
from exports.delivery.storage import ExportStorage
from operations import health
from operations.heartbeat import SEEN_WITHIN_SECONDS, beat, start_beating
from operations.models import WorkerHeartbeat

EMBEDDED = "channels" in django_settings.DATABASES  # else the production topology (PostgreSQL, Redis)
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "channels"] if EMBEDDED else ["default"])
CHECKS = {"database", "broker", "channel_layer", "storage", "worker"}
OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}
FOUND = (
    {"database": "sqlite", "broker": "ORM default", "channel_layer": "ResilientSQLiteChannelLayer"}
    if EMBEDDED
    else {"database": "postgresql", "broker": "Redis ", "channel_layer": "RedisChannelLayer"}
)


@pytest.fixture(autouse=True)
def topology(settings, export_files):
    """The configured topology's own channel layer, bundles in a temporary folder, no readiness cached."""
    from bufdir_site import settings as site_settings

    if EMBEDDED:
        settings.CHANNEL_LAYERS = site_settings.CHANNEL_LAYERS  # the SQLite layer, not the tests' in-memory one
    settings.METRICS_TOKEN = ""
    channel_layers.backends.clear()
    health._cached = None
    yield
    health._cached = None


@pytest.fixture
def worker_alive():
    """A worker that beat just now."""
    beat(worker="worker-host:4242", started_at=timezone.now())


def unwritable_storage(tmp_path) -> ExportStorage:
    """A storage whose folder cannot be made: its parent is a regular file."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    return ExportStorage(FileSystemStorage(location=blocker / "exports"))


def test_healthz_answers_without_asking_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", **OUTSIDE)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_200_with_every_check_passing_and_detail_for_loopback(client, worker_alive):
    response = client.get("/readyz")  # the test client calls from 127.0.0.1
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == CHECKS
    assert {check["status"] for check in body["checks"].values()} == {"ok"}
    assert all(isinstance(check["ms"], float) for check in body["checks"].values())
    assert body["checks"]["database"]["detail"] == FOUND["database"]
    assert body["checks"]["broker"]["detail"].startswith(FOUND["broker"])
    assert body["checks"]["channel_layer"]["detail"] == FOUND["channel_layer"]
    assert body["checks"]["storage"]["detail"] == "FileSystemStorage"
    assert body["checks"]["worker"]["detail"] == f"1 worker(s) seen within {SEEN_WITHIN_SECONDS:g} s"


def test_probes_within_the_cache_time_share_one_round_of_checks(client, worker_alive, monkeypatch):
    monkeypatch.setattr(health, "CACHE_SECONDS", 60.0)  # a slow machine must not make this test flaky
    rounds = []
    run_checks = health.run_checks
    monkeypatch.setattr(health, "run_checks", lambda: rounds.append(1) or run_checks())
    statuses = [client.get("/readyz").status_code for _ in range(5)]
    assert statuses == [200] * 5 and len(rounds) == 1


def test_the_storage_probe_leaves_nothing_behind(client, worker_alive, export_files, tmp_path):
    assert client.get("/readyz").status_code == 200
    assert [path for path in (tmp_path / "exports").rglob("*") if path.is_file()] == []


def test_anonymous_callers_get_only_the_status_and_check_names(client, worker_alive):
    response = client.get("/readyz", **OUTSIDE)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": dict.fromkeys(CHECKS, "ok")}


def test_readyz_is_503_when_the_storage_is_not_writable(client, worker_alive, tmp_path):
    with services().override(export_storage=unwritable_storage(tmp_path)):
        anonymous = client.get("/readyz", **OUTSIDE)
        health._cached = None
        trusted = client.get("/readyz")
    assert anonymous.status_code == trusted.status_code == 503
    assert anonymous.json() == {"status": "fail", "checks": {**dict.fromkeys(CHECKS, "ok"), "storage": "fail"}}
    storage = trusted.json()["checks"]["storage"]
    assert storage["status"] == "fail"
    assert "NotADirectoryError" in storage["detail"] or "FileExistsError" in storage["detail"]


@pytest.mark.parametrize("seen_seconds_ago", [None, SEEN_WITHIN_SECONDS + 1])
def test_readyz_is_503_without_a_recent_worker_heartbeat(client, seen_seconds_ago):
    if seen_seconds_ago is not None:
        beat(worker="worker-host:1", started_at=timezone.now())
        WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(seconds=seen_seconds_ago))
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["worker"] == {
        "status": "fail",
        "ms": body["checks"]["worker"]["ms"],
        "detail": f"RuntimeError: no worker was seen within {SEEN_WITHIN_SECONDS:g} s",
    }
    assert {name for name, check in body["checks"].items() if check["status"] == "ok"} == CHECKS - {"worker"}


def test_the_heartbeat_thread_of_a_worker_makes_it_ready(client):
    assert client.get("/readyz").status_code == 503
    stop = start_beating()
    try:
        deadline = timezone.now() + dt.timedelta(seconds=10)
        while not WorkerHeartbeat.objects.exists() and timezone.now() < deadline:
            stop.wait(0.05)
    finally:
        stop.set()
    health._cached = None
    assert client.get("/readyz").status_code == 200


def test_with_a_metrics_token_only_its_bearer_gets_detail(client, worker_alive, settings):
    settings.METRICS_TOKEN = "ops-token-" + "z" * 30
    assert client.get("/readyz").json()["checks"]["database"] == "ok"  # loopback alone is not enough
    trusted = client.get("/readyz", HTTP_AUTHORIZATION=f"Bearer {settings.METRICS_TOKEN}", **OUTSIDE).json()
    assert trusted["checks"]["database"]["detail"] == FOUND["database"]


def test_a_check_that_does_not_answer_fails_within_the_bound(monkeypatch):
    monkeypatch.setattr(health, "CHECK_TIMEOUT_SECONDS", 0.2)
    import threading

    release = threading.Event()
    report = health.run_checks({"quick": lambda: "fine", "stuck": lambda: str(release.wait(5))})
    release.set()
    assert report.as_json(detail=False) == {"status": "fail", "checks": {"quick": "ok", "stuck": "fail"}}
    assert report.checks[1].detail == "no answer within 0.2 s"


def test_check_ready_prints_the_report_and_exits_0_when_ready(capsys, worker_alive):
    call_command("check_ready")
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "ok" and set(report["checks"]) == CHECKS


def test_check_ready_exits_1_when_not_ready(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_ready")
    assert exit_info.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "fail" and report["checks"]["worker"]["status"] == "fail"


def test_a_probe_that_is_not_ready_logs_the_change_once_not_every_probe(client, caplog, monkeypatch):
    monkeypatch.setattr(health, "CACHE_SECONDS", 0.0)
    caplog.set_level("INFO")
    for _ in range(3):
        assert client.get("/readyz").status_code == 503
    beat(worker="worker-host:9", started_at=timezone.now())
    assert client.get("/readyz").status_code == 200
    messages = [
        record.getMessage() for record in caplog.records if record.name.startswith(("operations", "django.request"))
    ]
    assert messages == [
        f"not ready: worker: RuntimeError: no worker was seen within {SEEN_WITHIN_SECONDS:g} s",
        "ready again",
    ]


def test_probes_are_not_redirected_to_https(client, settings, worker_alive):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/exports/").status_code == 301
    assert [client.get(path).status_code for path in ("/healthz", "/readyz", "/metrics")] == [200, 200, 200]


def test_a_worker_process_starts_one_heartbeat_and_an_inline_task_none(monkeypatch):
    from django_q.conf import Conf

    from operations import heartbeat

    started = []
    monkeypatch.setattr(heartbeat, "start_beating", lambda: started.append(1))
    monkeypatch.setattr(heartbeat, "_beating_in", set())
    monkeypatch.setattr(Conf, "SYNC", True)
    heartbeat.start_in_worker(proc_name="MainProcess")
    assert started == []
    monkeypatch.setattr(Conf, "SYNC", False)
    heartbeat.start_in_worker(proc_name="Process-1")
    heartbeat.start_in_worker(proc_name="Process-1")
    assert started == [1]


def test_a_failing_checks_detail_never_carries_a_secret(settings):
    settings.SUPABASE_SERVICE_KEY = "service-key-" + "s" * 30

    def leaky() -> str:
        raise ConnectionError(f"redis://:hunter2-password@cache:6379/0 refused; key {settings.SUPABASE_SERVICE_KEY}")

    (result,) = health.run_checks({"broker": leaky}).checks
    assert not result.ok and "ConnectionError" in result.detail and "cache:6379" in result.detail
    assert "hunter2-password" not in result.detail and settings.SUPABASE_SERVICE_KEY not in result.detail

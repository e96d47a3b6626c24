"""Readiness and the queue depth on the production topology: PostgreSQL, django-q2's Redis broker, Redis layer."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from operations import health
from operations.heartbeat import beat

pytestmark = [
    pytest.mark.production,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (django_settings.REDIS_URL and django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL",
    ),
]


@pytest.fixture(autouse=True)
def redis_queue(settings, export_files):
    """An empty django-q2 queue in Redis, nothing cached, no token."""
    from django_q.brokers import get_broker

    settings.METRICS_TOKEN = ""
    health._cached = None
    get_broker().purge_queue()
    yield
    get_broker().purge_queue()
    health._cached = None


def test_readyz_on_postgresql_and_redis(client):
    beat(worker="worker-1.example:311", started_at=timezone.now())
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    checks = body["checks"]
    assert checks["database"]["detail"] == "postgresql"
    assert checks["broker"]["detail"].startswith("Redis ") and checks["broker"]["detail"].endswith(", 0 queued")
    assert checks["channel_layer"]["detail"] == "RedisChannelLayer"
    assert checks["worker"]["status"] == checks["storage"]["status"] == "ok"


def test_readyz_is_503_when_redis_does_not_answer(client, monkeypatch):
    from django_q.conf import Conf

    beat(worker="worker-1.example:311", started_at=timezone.now())
    with monkeypatch.context() as patch:
        patch.setattr(Conf, "REDIS", "redis://127.0.0.1:1/0")  # nothing listens on port 1
        response = client.get("/readyz")
        health._cached = None
        anonymous = client.get("/readyz", REMOTE_ADDR="203.0.113.9").json()
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["broker"]["status"] == "fail"
    assert "ConnectionError" in body["checks"]["broker"]["detail"]
    assert {name for name, check in body["checks"].items() if check["status"] == "fail"} == {"broker"}
    assert anonymous["checks"]["broker"] == "fail" and "127.0.0.1:1" not in str(anonymous)


def test_the_queue_depth_is_the_redis_lists(client):
    from django_q.tasks import async_task

    for _ in range(2):
        async_task("math.floor", 1.5)
    text = client.get("/metrics").content.decode()
    queued = {
        sample.labels.get("state"): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "bufdir_queue_tasks"
    }
    assert queued == {"queued": 2}  # the Redis broker has no count of taken tasks

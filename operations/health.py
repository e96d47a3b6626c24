"""Readiness: can this deployment run an export now? Database, broker, channel layer, storage and a live worker.

Each check runs in its own thread, all at once, bounded by CHECK_TIMEOUT_SECONDS; the outcome is kept for
CACHE_SECONDS per process, so probes every few seconds cost at most one round of checks per process.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connections

from exports.error_reports import SecretMaskingFilter

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 5.0
CACHE_SECONDS = 2.0


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome: whether it passed, how long it took and what it found (or why it failed)."""

    name: str
    ok: bool
    ms: float
    detail: str


@dataclass(frozen=True)
class Readiness:
    """The outcome of every check."""

    checks: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(check.ok for check in self.checks)

    def as_json(self, *, detail: bool) -> dict[str, Any]:
        """The outcome as JSON: status and each check's ok/fail; with `detail`, times and findings too."""
        if not detail:
            return {
                "status": "ok" if self.ok else "fail",
                "checks": {check.name: "ok" if check.ok else "fail" for check in self.checks},
            }
        return {
            "status": "ok" if self.ok else "fail",
            "checks": {
                check.name: {"status": "ok" if check.ok else "fail", "ms": round(check.ms, 1), "detail": check.detail}
                for check in self.checks
            },
        }


def check_database() -> str:
    """The default database answers a query."""
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return str(connection.vendor)


def check_broker() -> str:
    """django-q2's broker (Redis under REDIS_URL, else the ORM broker) answers a ping and tells its queue size."""
    from django_q.brokers import get_broker

    broker = get_broker()
    if broker.ping() is False:
        raise ConnectionError("the broker did not answer the ping")
    return f"{broker.info()}, {broker.queue_size()} queued"


def check_channel_layer() -> str:
    """A message sent on the channel layer comes back (the layer that carries progress to the pages)."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer is configured")

    async def round_trip() -> None:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "readiness.probe"})
        message = await asyncio.wait_for(layer.receive(channel), timeout=CHECK_TIMEOUT_SECONDS - 1)
        if message.get("type") != "readiness.probe":
            raise RuntimeError("the channel layer returned another message")

    async_to_sync(round_trip)()
    return type(layer).__name__


def check_storage() -> str:
    """The export storage takes a tiny file and deletes it again."""
    from exports.container import services

    return services().storage.probe()


def check_worker() -> str:
    """At least one django-q2 worker was seen within the heartbeat bound (or tasks run inline, Q_SYNC)."""
    from django_q.conf import Conf

    from operations.heartbeat import SEEN_WITHIN_SECONDS, alive_workers

    if Conf.SYNC:
        return "tasks run in the requesting process (Q_SYNC)"
    alive = alive_workers()
    if not alive:
        raise RuntimeError(f"no worker was seen within {SEEN_WITHIN_SECONDS:g} s")
    return f"{alive} worker(s) seen within {SEEN_WITHIN_SECONDS:g} s"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "channel_layer": check_channel_layer,
    "storage": check_storage,
    "worker": check_worker,
}


def _storage_options() -> list[dict[str, Any]]:
    """The OPTIONS of every configured storage."""
    return [dict(storage.get("OPTIONS", {})) for storage in settings.STORAGES.values() if isinstance(storage, dict)]


def _masked(text: str) -> str:
    """`text` with the configured secrets and any password, token or key inside a URL masked."""
    masker = SecretMaskingFilter()
    for secret in (
        settings.SECRET_KEY,
        settings.SUPABASE_SERVICE_KEY,
        settings.METRICS_TOKEN,
        *(str(database.get("PASSWORD") or "") for database in settings.DATABASES.values()),
        *(str(options.get(name) or "") for options in _storage_options() for name in ("secret_key", "access_key")),
    ):
        if secret:
            text = text.replace(secret, masker.cleansed_substitute)
    return masker.mask_text(text)[:300]


def _run(name: str, check: Callable[[], str]) -> CheckResult:
    """Run one check in this thread, timing it; a failure becomes its (masked) reason."""
    started = time.perf_counter()
    try:
        detail, ok = check(), True
    except Exception as exc:
        detail, ok = f"{type(exc).__name__}: {exc}", False
    finally:
        connections.close_all()  # this thread's connections
    return CheckResult(name, ok, (time.perf_counter() - started) * 1000, _masked(detail))


def run_checks(checks: dict[str, Callable[[], str]] | None = None) -> Readiness:
    """Run every check at once, each bounded by CHECK_TIMEOUT_SECONDS; one that has not answered fails."""
    checks = checks if checks is not None else CHECKS
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readiness")
    try:
        futures = {name: pool.submit(_run, name, check) for name, check in checks.items()}
        deadline = time.monotonic() + CHECK_TIMEOUT_SECONDS
        results = []
        for name, future in futures.items():
            try:
                results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
            except FutureTimeout:
                results.append(
                    CheckResult(
                        name, False, CHECK_TIMEOUT_SECONDS * 1000, f"no answer within {CHECK_TIMEOUT_SECONDS:g} s"
                    )
                )
    finally:
        pool.shutdown(wait=False)
    return Readiness(tuple(results))


_lock = threading.Lock()
_cached: tuple[float, Readiness] | None = None


def readiness() -> Readiness:
    """The outcome of the checks, run again when the last one (in this process) is older than CACHE_SECONDS."""
    global _cached
    with _lock:
        if _cached is None or time.monotonic() - _cached[0] >= CACHE_SECONDS:
            previous = _cached[1] if _cached else None
            _cached = (time.monotonic(), run_checks())
            _log_change(previous, _cached[1])
        return _cached[1]


def _log_change(previous: Readiness | None, current: Readiness) -> None:
    """Log when this process becomes ready or not ready (once per change, not at every probe)."""
    failing = sorted(check.name for check in current.checks if not check.ok)
    if previous is not None and failing == sorted(check.name for check in previous.checks if not check.ok):
        return
    if failing:
        logger.warning(
            "not ready: %s", "; ".join(f"{check.name}: {check.detail}" for check in current.checks if not check.ok)
        )
    elif previous is not None:
        logger.info("ready again")

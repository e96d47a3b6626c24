"""Shared fixtures: an in-memory channel layer, local storage in a temporary folder, synchronous tasks, exports."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from channels.layers import channel_layers
from django.core.files.storage import FileSystemStorage

from exports.container import services
from exports.domain import ExportRequest, ExportResult, ExportSuccess, Period
from exports.models import BufdirExportAudit, Organisation
from exports.services.export_storage import ExportStorage
from tests.export_reading import OpenedBundle, open_bundle


@pytest.fixture(autouse=True)
def fresh_channel_layer(settings):
    """Each test gets its own channel layer: Redis when REDIS_URL is set (production), else in memory.

    The SQLite layer of the embedded default is exercised across processes by the browser test.
    """
    if settings.REDIS_URL:
        settings.CHANNEL_LAYERS = {"default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": f"test-{uuid.uuid4().hex}"},
        }}
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def export_files(tmp_path):
    """Bundles go to a temporary folder for the duration of the test."""
    storage = ExportStorage(FileSystemStorage(location=tmp_path / "exports"), url_max_age=900)
    with services().override(export_storage=storage):
        yield storage


@pytest.fixture
def sync_tasks(monkeypatch):
    """django-q2 runs tasks inline (its Conf is read at import, so it is patched there)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@dataclass(frozen=True)
class FinishedExport:
    """One export run by the `run_export` fixture: its audit (reloaded), the result and the opened bundle."""

    audit: BufdirExportAudit
    result: ExportResult
    bundle: OpenedBundle | None

    @property
    def succeeded_bundle(self) -> OpenedBundle:
        """The bundle of an export that must have succeeded."""
        assert isinstance(self.result, ExportSuccess), self.result
        assert self.bundle is not None
        return self.bundle


RunExport = Callable[..., FinishedExport]


@pytest.fixture
def run_export(export_files) -> RunExport:
    """Create an audit, run the orchestrator on it and open the bundle it stored.

    `run_export(org, period=Period.year(2025), requested_by="test")`; services overridden around the
    call (a source, a storage) are the ones used.
    """

    def run(org: Organisation, period: Period | None = None, *, requested_by: str = "test") -> FinishedExport:
        period = period or Period.year(2025)
        audit = services().audits.create(organisation_id=org.pk, requested_by_id=None,
                                         requested_by_label=requested_by, period=period)
        result = services().orchestrator.run(ExportRequest(audit_id=audit.pk, organisation_id=org.pk,
                                                           period=period, requested_by=requested_by))
        bundle = None
        if isinstance(result, ExportSuccess):
            with services().storage.open(result.file_key) as handle:
                bundle = open_bundle(handle.read())
        audit.refresh_from_db()
        return FinishedExport(audit=audit, result=result, bundle=bundle)

    return run

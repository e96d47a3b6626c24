"""Shared fixtures: an in-memory channel layer, local storage in a temporary folder, synchronous tasks, exports."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from channels.layers import channel_layers
from django.core.files.storage import FileSystemStorage

from exports.container import services
from exports.delivery.storage import ExportStorage
from exports.domain import ExportRequest, ExportResult, ExportSuccess, Period
from exports.models import BufdirExportAudit, Organisation
from tests import factories
from tests.export_reading import OpenedBundle, open_bundle


@pytest.fixture(autouse=True)
def fresh_channel_layer(settings):
    """Each test gets its own channel layer: Redis when REDIS_URL is set (production), else in memory.

    The SQLite layer of the embedded default is exercised across processes by the browser test.
    """
    if settings.REDIS_URL:
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": f"test-{uuid.uuid4().hex}"},
            }
        }
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def export_files(tmp_path):
    """Bundles go to a temporary folder for the duration of the test."""
    storage = ExportStorage(FileSystemStorage(location=tmp_path / "exports"))
    with services().override(export_storage=storage):
        yield storage


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on loopback with the exports bucket, shared by the session (its state is global)."""
    from tests.s3_server import s3_server

    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def sync_tasks(monkeypatch):
    """django-q2 runs tasks inline (its Conf is read at import, so it is patched there)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def org_with_activities(db):
    """NHF with 25 counted home visits in 2025 over two branches."""
    org = factories.organisation("nhf", name="Norges Handikapforbund")
    bergen, oslo = factories.branch(org), factories.branch(org, "NHF Oslo", "03", "0301")
    mentor = factories.mentor(org, bergen)
    for index in range(25):
        local = bergen if index % 2 else oslo
        factories.activity(
            org,
            peer_mentor=mentor,
            local_branch=local,
            municipality_code=local.municipality_code,
            started_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC) + dt.timedelta(hours=index),
        )
    return org


@dataclass(frozen=True)
class FinishedExport:
    """One export run by the `run_export` fixture: its audit (reloaded), the result and the opened bundle."""

    audit: BufdirExportAudit
    result: ExportResult
    bundle: OpenedBundle | None
    data: bytes | None
    """The stored bundle's bytes (None when the export stored none)."""

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
        audit = services().audits.create(
            organisation_id=org.pk, requested_by_id=None, requested_by_label=requested_by, period=period
        )
        result = services().orchestrator.run(
            ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=period, requested_by=requested_by)
        )
        bundle = data = None
        if isinstance(result, ExportSuccess):
            with services().storage.open(result.file_key) as handle:
                data = handle.read()
            bundle = open_bundle(data)
        audit.refresh_from_db()
        return FinishedExport(audit=audit, result=result, bundle=bundle, data=data)

    return run

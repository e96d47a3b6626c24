"""Shared fixtures: an in-memory channel layer, local storage in a temporary folder, synchronous tasks."""
from __future__ import annotations

import uuid

import pytest
from channels.layers import channel_layers
from django.core.files.storage import FileSystemStorage

from exports.container import services
from exports.services.export_storage import ExportStorage


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

"""The embedded default's channel layer outlives a locked database: its poller keeps delivering afterwards."""

from __future__ import annotations

import asyncio

from asgiref.sync import async_to_sync
from channels_lite.layers import BaseSQLiteChannelLayer, ChannelEmpty
from django.db import OperationalError

from exports.channel_layer import ResilientSQLiteChannelLayer


def test_a_locked_database_during_clean_up_does_not_kill_the_poller(settings, monkeypatch):
    settings.DATABASES = {**settings.DATABASES, "layer-test": {"ENGINE": "django.db.backends.sqlite3"}}
    layer = ResilientSQLiteChannelLayer(database="layer-test", polling_interval=0.001)
    prefix = layer.client_prefix + "!"
    outcomes = iter(
        [
            ChannelEmpty(),
            ChannelEmpty(),
            OperationalError("database is locked"),
            ChannelEmpty(),
            (prefix + "page", {"type": "export.state", "n": 1}),
        ]
    )

    async def receive_single(channel):
        outcome = next(outcomes, ChannelEmpty())
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def locked_clean_up(self):
        raise OperationalError("database is locked")

    async def no_retry(operation):
        return await operation()

    monkeypatch.setattr(layer, "_receive_single_from_db", receive_single)
    monkeypatch.setattr(layer, "_execute_with_retry", no_retry)
    monkeypatch.setattr(BaseSQLiteChannelLayer, "clean_expired", locked_clean_up)
    monkeypatch.setattr("channels_lite.layers.random.random", lambda: 0.0)  # clean up on every empty poll
    monkeypatch.setattr("exports.channel_layer.RESTART_PAUSE_SECONDS", 0.001)

    async def body():
        message = await asyncio.wait_for(layer.receive(prefix + "page"), timeout=10)
        assert message == {"type": "export.state", "n": 1}
        for task in layer._polling_tasks.values():
            task.cancel()

    async_to_sync(body)()

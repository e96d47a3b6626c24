"""The production topology's parts against the real services: Redis carries progress between processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels_redis.core import RedisChannelLayer

pytestmark = pytest.mark.production
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

SENDER = """
import asyncio, json, sys
from channels_redis.core import RedisChannelLayer
layer = RedisChannelLayer(hosts=[sys.argv[1]], prefix=sys.argv[2])
asyncio.run(layer.group_send(sys.argv[3], json.loads(sys.argv[4])))
"""


def test_redis_channel_layer_carries_a_group_message_from_another_process():
    prefix, group = f"test-{uuid.uuid4().hex}", "exports.org.test"
    layer = RedisChannelLayer(hosts=[REDIS_URL], prefix=prefix)
    message = {"type": "export.state", "audit_id": 7, "status": "running", "percent": 42}

    async def receive() -> dict:
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        subprocess.run([sys.executable, "-c", SENDER, REDIS_URL, prefix, group, json.dumps(message)], check=True)
        received = await layer.receive(channel)
        await layer.flush()
        return received

    assert async_to_sync(receive)() == message


@pytest.mark.django_db
def test_the_database_under_test_is_the_configured_one(settings):
    """In the production pass the suite runs on PostgreSQL, not on the embedded SQLite."""
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite3"
    assert settings.DATABASES["default"]["ENGINE"].endswith(expected)

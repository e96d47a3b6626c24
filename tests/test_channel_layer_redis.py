"""The production channel layer (channels_redis on redis-py 8): an idle page's receive outlives Redis's read timeout."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from django.conf import settings as django_settings

from bufdir_site import settings as site_settings

pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs REDIS_URL"),
]


def test_an_idle_receive_waits_past_the_blocking_pop_and_still_gets_its_message():
    from channels_redis.core import RedisChannelLayer

    config = site_settings.CHANNEL_LAYERS["default"]["CONFIG"]
    layer = RedisChannelLayer(**{**config, "prefix": f"test-{uuid.uuid4().hex}"})

    async def idle_then_message() -> dict:
        channel = await layer.new_channel()
        with pytest.raises(TimeoutError):  # nothing came: still waiting after two blocking pops (5 s each)
            await asyncio.wait_for(layer.receive(channel), timeout=11)
        await layer.send(channel, {"type": "export.state", "audit_id": 1})
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        await layer.flush()
        return message

    assert asyncio.run(idle_then_message()) == {"type": "export.state", "audit_id": 1}

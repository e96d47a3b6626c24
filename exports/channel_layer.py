"""The embedded default's SQLite channel layer, made to survive a locked or unavailable database.

channels-lite's poller runs its periodic clean-up inside the handler of "no message": when that clean-up
fails (`database is locked` while another process holds a write lock), the exception escapes the poller's
own error handling, the task dies ("Task exception was never retrieved") and every websocket of the web
process waits on it for ever. Here the clean-up never raises, and a poller that fails for any other
reason starts again after a pause, so live progress comes back by itself once the database answers.
"""

from __future__ import annotations

import asyncio
import logging

from channels_lite.layers.core import SQLiteChannelLayer

logger = logging.getLogger(__name__)
RESTART_PAUSE_SECONDS = 1.0


class ResilientSQLiteChannelLayer(SQLiteChannelLayer):
    """channels-lite's layer whose clean-up and poller outlive database errors."""

    async def clean_expired(self) -> None:
        """Remove expired messages and memberships; a failure is logged and tried again later."""
        try:
            await super().clean_expired()
        except Exception:
            logger.warning("channel layer clean-up failed (tried again later)", exc_info=True)

    async def _poll_and_distribute(self, prefix: str) -> None:
        """channels-lite's poller, started again whenever it fails."""
        while True:
            try:
                await super()._poll_and_distribute(prefix)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("channel layer poller for %s failed; restarting", prefix, exc_info=True)
                await asyncio.sleep(RESTART_PAUSE_SECONDS)

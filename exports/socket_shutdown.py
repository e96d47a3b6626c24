"""Closing the export pages' websockets cleanly when the web server stops.

daphne stops on SIGTERM/SIGINT by cancelling every application and stopping Twisted's reactor: the
sockets were dropped without a close frame (the page saw an abnormal 1006) and the consumers never left
their organisation's group. Here, before the reactor shuts down, every open export socket is sent a
close frame with code 1000 (autobahn, daphne's websocket layer, lets an application send only 1000 or
3000-4999, not 1001 "going away"), leaves its group, and the server waits a moment for the
close handshakes (at most `CLOSE_WAIT_SECONDS`). The page's HTMX websocket reconnects by itself.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import weakref
from typing import Any

logger = logging.getLogger(__name__)

CLOSE_CODE = 1000
CLOSE_WAIT_SECONDS = 2.0

OPEN: weakref.WeakSet[Any] = weakref.WeakSet()  # the open export consumers
"""The export sockets this process has open."""


async def close_open_sockets(timeout: float = CLOSE_WAIT_SECONDS) -> int:
    """Send every open export socket a normal close and let it leave its group; how many were closed."""
    consumers = list(OPEN)
    if consumers:
        await asyncio.wait(
            [asyncio.ensure_future(consumer.going_away(CLOSE_CODE)) for consumer in consumers], timeout=timeout
        )
        await asyncio.sleep(min(0.2, timeout))  # the close frames leave, the handshakes complete
    logger.info("closed %s export websocket(s) for shutdown", len(consumers))
    return len(consumers)


def install_on_reactor() -> bool:
    """Under daphne (Twisted's reactor already installed): close the sockets before the reactor shuts down."""
    if "twisted.internet.reactor" not in sys.modules:
        return False
    from twisted.internet import defer
    from twisted.internet import reactor as installed

    reactor: Any = installed  # the interface's stub takes `self` among its arguments

    def before_shutdown() -> Any:
        return defer.Deferred.fromFuture(asyncio.ensure_future(close_open_sockets()))

    reactor.addSystemEventTrigger("before", "shutdown", before_shutdown)
    return True

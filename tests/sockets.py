"""A websocket client for an organisation's export page, routed as the server routes it."""

from __future__ import annotations

from typing import Any

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from exports.routing import websocket_urlpatterns


def page_socket(user: Any, slug: str = "nhf", session: Any = None) -> WebsocketCommunicator:
    """A communicator for `ws/exports/<slug>/`, authenticated as `user` (with `session`, if given)."""
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/exports/{slug}/")
    communicator.scope["user"] = user
    if session is not None:
        communicator.scope["session"] = session
    return communicator

"""Websocket routes."""
from django.urls import path

from exports.consumers import ExportProgressConsumer

websocket_urlpatterns = [path("ws/exports/", ExportProgressConsumer.as_asgi())]

"""Websocket routes: a page's socket names the organisation the page is for."""

from django.urls import path

from exports.consumers import ExportProgressConsumer

# django-stubs type path() for views only; Channels routes ASGI applications through it.
websocket_urlpatterns = [path("ws/exports/<str:slug>/", ExportProgressConsumer.as_asgi())]  # type: ignore[arg-type]

"""System checks for settings that would otherwise fail only at the first export."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.utils.module_loading import import_string

ACTIVITY_SOURCES = ("local", "supabase")


@register()
def check_plugins(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """Every plugin path in BUFDIR_EXPORT["PLUGINS"] imports and names an ExportRulePlugin."""
    from exports.config.plugins import ExportRulePlugin

    errors: list[CheckMessage] = []
    for slug, paths in settings.BUFDIR_EXPORT["PLUGINS"].items():
        for path in paths:
            try:
                plugin_class = import_string(path)
            except ImportError as error:
                errors.append(
                    Error(
                        f"The export plugin {path!r} registered for {slug!r} does not import: {error}",
                        hint='Fix the dotted path in BUFDIR_EXPORT["PLUGINS"] or install the module.',
                        id="exports.E001",
                    )
                )
                continue
            if not (isinstance(plugin_class, type) and issubclass(plugin_class, ExportRulePlugin)):
                errors.append(
                    Error(
                        f"The export plugin {path!r} registered for {slug!r} is not an ExportRulePlugin subclass.",
                        id="exports.E002",
                    )
                )
    return errors


@register()
def check_activity_source(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """The selected activity source exists and, for Supabase, has its URL and service key."""
    source = settings.BUFDIR_EXPORT["ACTIVITY_SOURCE"]
    if source not in ACTIVITY_SOURCES:
        return [
            Error(
                f"EXPORT_ACTIVITY_SOURCE is {source!r}; it must be one of {', '.join(ACTIVITY_SOURCES)}.",
                id="exports.E003",
            )
        ]
    missing = [name for name in ("SUPABASE_URL", "SUPABASE_SERVICE_KEY") if not getattr(settings, name, "")]
    if source == "supabase" and missing:
        return [
            Error(
                f"The Supabase activity source is selected but {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not set.",
                hint="Set both variables, or EXPORT_ACTIVITY_SOURCE=local to read the local tables.",
                id="exports.E004",
            )
        ]
    return []


@register()
def check_secret_key_source(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """Under the production topology the secret key comes from DJANGO_SECRET_KEY, not var/secret_key.

    The settings refuse to start so unless DEBUG is on; with DEBUG on, this check still says so.
    """
    if settings.SECRET_KEY_IS_GENERATED and settings.PRODUCTION_TOPOLOGY:
        return [
            Error(
                "The secret key was generated into the local var/ folder while the production topology "
                "(DATABASE_URL/REDIS_URL) is configured: every host would sign download links and sessions "
                "with its own key.",
                hint="Set DJANGO_SECRET_KEY to the same secret on every web server and worker.",
                id="exports.E005",
            )
        ]
    return []

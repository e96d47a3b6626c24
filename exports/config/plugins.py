"""The plugin hook: named Python classes that add rules a column configuration cannot express."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.module_loading import import_string


class ExportRulePlugin:
    """Base class of a plugin; override either method to add reasons or data issues to a row."""

    def reasons_not_counted(self, row: Mapping[str, Any]) -> Sequence[str]:
        """Reasons (in Norwegian) why this row must not count; empty when the plugin has none."""
        return ()

    def data_issues(self, row: Mapping[str, Any]) -> Sequence[str]:
        """Data problems (in Norwegian) to list on `Avvik` without changing whether the row counts."""
        return ()


class PluginRegistry:
    """Plugins registered against organisations by slug, from the `BUFDIR_EXPORT["PLUGINS"]` setting."""

    def __init__(self, registrations: Mapping[str, Sequence[str]]) -> None:
        self._registrations = {slug: tuple(paths) for slug, paths in registrations.items()}
        self._cache: dict[str, tuple[ExportRulePlugin, ...]] = {}

    def for_organisation(self, slug: str) -> tuple[ExportRulePlugin, ...]:
        """Instances of the plugins registered for the organisation `slug` (imported on first use)."""
        if slug not in self._cache:
            plugins = []
            for path in self._registrations.get(slug, ()):
                plugin_class = import_string(path)
                if not (isinstance(plugin_class, type) and issubclass(plugin_class, ExportRulePlugin)):
                    raise TypeError(f"{path} is not an ExportRulePlugin")
                plugins.append(plugin_class())
            self._cache[slug] = tuple(plugins)
        return self._cache[slug]

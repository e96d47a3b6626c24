"""The plugin hook: a registry gives each organisation instances of its own plugin classes, and refuses others."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from exports.config.plugins import ExportRulePlugin, PluginRegistry

HERE = __name__


class ShortVisits(ExportRulePlugin):
    """Refuses rows shorter than 30 minutes."""

    def reasons_not_counted(self, row: Mapping[str, Any]) -> Sequence[str]:
        return ["Kortere enn 30 minutter"] if row["duration_minutes"] < 30 else []


class MissingDescription(ExportRulePlugin):
    """Lists rows without a description on `Avvik`."""

    def data_issues(self, row: Mapping[str, Any]) -> Sequence[str]:
        return [] if row["description"] else ["Beskrivelse mangler"]


class NotAPlugin:
    """Has the methods of a plugin but is not one."""

    def reasons_not_counted(self, row: Mapping[str, Any]) -> Sequence[str]:
        return ()


def test_the_base_plugin_adds_no_reason_and_no_data_issue():
    plugin = ExportRulePlugin()
    row = {"duration_minutes": 5, "description": ""}
    assert tuple(plugin.reasons_not_counted(row)) == ()
    assert tuple(plugin.data_issues(row)) == ()


def test_an_organisation_gets_its_registered_plugins_in_the_order_given():
    registry = PluginRegistry({"nhf": [f"{HERE}.ShortVisits", f"{HERE}.MissingDescription"], "hlf": []})
    plugins = registry.for_organisation("nhf")
    assert [type(plugin) for plugin in plugins] == [ShortVisits, MissingDescription]
    row = {"duration_minutes": 20, "description": ""}
    assert [list(p.reasons_not_counted(row)) for p in plugins] == [["Kortere enn 30 minutter"], []]
    assert [list(p.data_issues(row)) for p in plugins] == [[], ["Beskrivelse mangler"]]


def test_an_organisation_without_registrations_gets_no_plugins():
    registry = PluginRegistry({"nhf": [f"{HERE}.ShortVisits"]})
    assert registry.for_organisation("hlf") == ()
    assert PluginRegistry({"hlf": []}).for_organisation("hlf") == ()


def test_plugins_are_made_once_per_organisation_and_not_shared_between_organisations():
    registry = PluginRegistry({"nhf": [f"{HERE}.ShortVisits"], "hlf": [f"{HERE}.ShortVisits"]})
    first = registry.for_organisation("nhf")
    assert registry.for_organisation("nhf") is first
    assert registry.for_organisation("hlf")[0] is not first[0]


def test_the_registrations_are_read_when_the_registry_is_made():
    paths = [f"{HERE}.ShortVisits"]
    registrations = {"nhf": paths}
    registry = PluginRegistry(registrations)
    paths.append(f"{HERE}.MissingDescription")
    registrations["hlf"] = [f"{HERE}.MissingDescription"]
    assert [type(plugin) for plugin in registry.for_organisation("nhf")] == [ShortVisits]
    assert registry.for_organisation("hlf") == ()


def test_a_class_that_is_not_a_plugin_is_refused_by_its_path():
    registry = PluginRegistry({"nhf": [f"{HERE}.ShortVisits", f"{HERE}.NotAPlugin"]})
    with pytest.raises(TypeError, match=r"^tests\.config\.test_plugins\.NotAPlugin is not an ExportRulePlugin$"):
        registry.for_organisation("nhf")


def test_a_function_in_place_of_a_plugin_class_is_refused_by_its_path():
    registry = PluginRegistry({"nhf": ["os.path.join"]})
    with pytest.raises(TypeError, match=r"^os\.path\.join is not an ExportRulePlugin$"):
        registry.for_organisation("nhf")


def test_a_path_that_cannot_be_imported_fails_with_an_import_error():
    registry = PluginRegistry({"nhf": ["exports.no_such_module.Plugin"]})
    with pytest.raises(ImportError):
        registry.for_organisation("nhf")
    with pytest.raises(ImportError):
        PluginRegistry({"nhf": [f"{HERE}.NoSuchClass"]}).for_organisation("nhf")

"""The system checks in exports/checks.py report each misconfiguration by its id, and only then."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def export_check_ids() -> list[str]:
    """The ids of every message the exports app's checks report under the current settings."""
    return sorted(message.id for message in run_checks() if (message.id or "").startswith("exports."))


@pytest.fixture
def export_options(settings):
    """A copy of BUFDIR_EXPORT the test may change."""
    settings.BUFDIR_EXPORT = {**settings.BUFDIR_EXPORT, "PLUGINS": {}, "ACTIVITY_SOURCE": "local"}
    settings.SECRET_KEY_IS_GENERATED = False
    return settings.BUFDIR_EXPORT


def test_the_test_settings_pass_every_check(export_options):
    assert export_check_ids() == []


def test_a_plugin_path_that_does_not_import_is_an_error(export_options):
    export_options["PLUGINS"] = {"nhf": ["exports.config.plugins.ExportRulePlugin", "exports.no_such.Plugin"]}
    messages = [m for m in run_checks() if m.id == "exports.E001"]
    assert len(messages) == 1
    assert "exports.no_such.Plugin" in messages[0].msg and "'nhf'" in messages[0].msg


def test_a_plugin_path_naming_something_else_is_an_error(export_options):
    export_options["PLUGINS"] = {"nhf": ["exports.config.plugins.PluginRegistry", "os.path.join"]}
    assert export_check_ids() == ["exports.E002", "exports.E002"]


def test_an_importable_plugin_passes(export_options):
    export_options["PLUGINS"] = {"nhf": ["exports.config.plugins.ExportRulePlugin"]}
    assert export_check_ids() == []


@pytest.mark.parametrize(
    ("url", "key", "missing"),
    [
        ("", "", "SUPABASE_URL and SUPABASE_SERVICE_KEY are"),
        ("https://example.supabase.co", "", "SUPABASE_SERVICE_KEY is"),
        ("", "service-key", "SUPABASE_URL is"),
    ],
)
def test_the_supabase_source_without_its_keys_is_an_error(settings, export_options, url, key, missing):
    export_options["ACTIVITY_SOURCE"] = "supabase"
    settings.SUPABASE_URL, settings.SUPABASE_SERVICE_KEY = url, key
    messages = [m for m in run_checks() if m.id == "exports.E004"]
    assert len(messages) == 1
    assert f"but {missing} not set" in messages[0].msg


def test_the_supabase_source_with_its_keys_passes(settings, export_options):
    export_options["ACTIVITY_SOURCE"] = "supabase"
    settings.SUPABASE_URL, settings.SUPABASE_SERVICE_KEY = "https://example.supabase.co", "service-key"
    assert export_check_ids() == []


def test_an_unknown_activity_source_is_an_error(export_options):
    export_options["ACTIVITY_SOURCE"] = "csv"
    assert export_check_ids() == ["exports.E003"]


@pytest.mark.parametrize(
    ("generated", "production", "expected"),
    [
        (True, True, ["exports.E005"]),
        (True, False, []),
        (False, True, []),
    ],
)
def test_a_generated_secret_key_is_refused_only_under_the_production_topology(
    settings, export_options, generated, production, expected
):
    settings.SECRET_KEY_IS_GENERATED = generated
    settings.PRODUCTION_TOPOLOGY = production
    assert export_check_ids() == expected


def test_manage_py_check_fails_on_a_finding(export_options):
    export_options["PLUGINS"] = {"nhf": ["exports.no_such.Plugin"]}
    with pytest.raises(SystemCheckError, match="exports.E001"):
        call_command("check")

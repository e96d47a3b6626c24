"""An exporting process loads only what it uses: no Fernet without keys, no openpyxl beside a writer process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from exports import lean_imports

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, sys
import django
django.setup()
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
async_to_sync(get_channel_layer().group_send)("export-probe", {"type": "export.progress"})
print(json.dumps({"bindings": "cryptography.hazmat.bindings._rust" in sys.modules,
                  "fernet": repr(sys.modules.get("cryptography.fernet", "not imported"))}))
"""


@pytest.mark.parametrize("layer", ["sqlite", "redis"])
def test_a_process_that_sends_progress_loads_no_cryptography_bindings(tmp_path, layer):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "bufdir_site.settings", "BUFDIR_VAR_DIR": str(tmp_path)}
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    if layer == "redis":
        environment["REDIS_URL"] = REDIS_URL
    else:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--database", "channels", "-v0"],
            cwd=ROOT,
            env=environment,
            check=True,
        )

    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, check=True, capture_output=True, text=True
    )

    assert json.loads(probe.stdout.strip().splitlines()[-1]) == {"bindings": False, "fernet": "None"}


def test_a_layer_with_encryption_keys_keeps_fernet(monkeypatch):
    monkeypatch.delitem(sys.modules, lean_imports.FERNET, raising=False)
    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://x"], "symmetric_encryption_keys": ["secret"]},
        }
    }

    assert lean_imports.skip_unused_fernet(layers) is False
    assert lean_imports.FERNET not in sys.modules


def test_without_keys_fernet_is_marked_absent_so_the_serializers_fall_back(monkeypatch):
    monkeypatch.delitem(sys.modules, lean_imports.FERNET, raising=False)

    assert lean_imports.skip_unused_fernet({"default": {"BACKEND": "x", "CONFIG": {}}}) is True
    assert sys.modules[lean_imports.FERNET] is None
    try:
        from cryptography.fernet import Fernet  # noqa: F401
    except ImportError:
        pass
    else:
        raise AssertionError("Fernet was imported although it is marked absent")


def test_fernet_already_loaded_is_left_alone(monkeypatch):
    marker = object()
    monkeypatch.setitem(sys.modules, lean_imports.FERNET, marker)

    assert lean_imports.skip_unused_fernet({}) is False
    assert sys.modules[lean_imports.FERNET] is marker


def test_the_exporting_process_leaves_openpyxl_to_the_writer_process(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bufdir_site.settings",
        "BUFDIR_VAR_DIR": str(tmp_path),
        "EXPORT_WRITER_PROCESS": "true",
    }
    probe = (
        "import sys, django; django.setup(); from exports.container import services; "
        "services().orchestrator; import exports.workbook.forked; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'openpyxl', 'lxml'}))"
    )

    loaded = (
        subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=environment, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    assert loaded == "[]"

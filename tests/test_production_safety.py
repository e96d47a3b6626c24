"""Production refuses to start unsafe: no per-host secret key, `check --deploy` clean, failed logins throttled."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bufdir", "REDIS_URL": "redis://127.0.0.1:6379/0"}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run `code` after loading the real settings with exactly these variables on top of a clean environment."""
    clean = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "bufdir_site.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "topology", [{"DATABASE_URL": PRODUCTION["DATABASE_URL"]}, {"REDIS_URL": PRODUCTION["REDIS_URL"]}]
)
def test_the_production_topology_without_a_secret_key_does_not_start(topology, tmp_path):
    refused = run_python("print('started')", BUFDIR_VAR_DIR=str(tmp_path), **topology)
    assert refused.returncode != 0 and "DJANGO_SECRET_KEY is not set" in refused.stderr
    assert not (tmp_path / "secret_key").exists()
    demo = run_python("print('started')", BUFDIR_VAR_DIR=str(tmp_path), DJANGO_DEBUG="1", **topology)
    assert demo.returncode == 0 and "started" in demo.stdout


def test_check_deploy_passes_with_the_documented_production_variables(tmp_path):
    checked = run_python(
        "from django.core.management import call_command; call_command('check', deploy=True, fail_level='WARNING')",
        BUFDIR_VAR_DIR=str(tmp_path),
        DJANGO_SECRET_KEY="k" * 20 + "-production-secret-key-" + "q" * 30,
        DJANGO_HTTPS="true",
        DJANGO_ALLOWED_HOSTS="eksport.example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://eksport.example.org",
        **PRODUCTION,
    )
    assert checked.returncode == 0, checked.stderr
    assert "no issues" in checked.stdout + checked.stderr


@pytest.mark.django_db
def test_repeated_failed_logins_are_throttled(client, settings):
    user = factories.member(factories.organisation(), username="nhf-admin")
    user.set_password("the-right-password")
    user.save()
    login = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login, {"username": "nhf-admin", "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 200
    locked = client.post(login, {"username": "nhf-admin", "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
    assert locked.status_code == 429 and 'id="locked-out"' in locked.content.decode()
    still = client.post(login, {"username": "nhf-admin", "password": "the-right-password"}, REMOTE_ADDR="10.0.0.7")
    assert still.status_code == 429
    elsewhere = client.post(login, {"username": "nhf-admin", "password": "the-right-password"}, REMOTE_ADDR="10.0.0.8")
    assert elsewhere.status_code == 302

"""The API on real server and worker processes: schemathesis runs the OpenAPI document against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_browser_e2e import ROOT, app_environment, serve

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


@pytest.fixture(scope="module")
def live_api(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    """A migrated, seeded app with a worker, and the environment to run commands against it."""
    var = tmp_path_factory.mktemp("var")
    with app_environment(
        var,
        Q_WORKERS="1",
        Q_CLUSTER_NAME=f"api-{uuid.uuid4().hex[:8]}",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or f"api-{uuid.uuid4().hex}",
    ) as env:
        server = serve(env, var)
        url = next(server)
        try:
            yield url, env
        finally:
            server.close()


def create_token(env: dict[str, str], username: str, org: str) -> str:
    """A token made by `create_api_token` in its own process (the last line it prints)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "create_api_token", username, "--org", org],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


def call(url: str, token: str, method: str = "GET", body: dict | None = None) -> tuple[int, dict]:
    """One JSON request to the live API."""
    request = urllib.request.Request(
        url,
        method=method,
        data=json.dumps(body).encode() if body else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_schemathesis_finds_no_server_error_and_no_schema_breaking_answer(live_api, tmp_path):
    url, env = live_api
    token = create_token(env, "nhf-admin", "nhf")
    status, started = call(f"{url}/api/v1/exports", token, "POST", {"year": 2025})
    assert status == 202
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            f"{url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            "15",
            "--seed",
            "20251126",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-6000:]


def test_another_organisations_token_gets_404_on_the_live_server(live_api):
    url, env = live_api
    nhf, other = create_token(env, "nhf-admin", "nhf"), create_token(env, "hlf-admin", "hlf-demo")
    status, body = call(f"{url}/api/v1/exports", nhf, "POST", {"year": 2025})
    assert status in (202, 409)
    export_id = body["id"] if status == 202 else body["export"]["id"]
    assert call(f"{url}/api/v1/exports/{export_id}", nhf)[0] == 200
    for method, path in (("GET", ""), ("GET", "/download")):
        status, error = call(f"{url}/api/v1/exports/{export_id}{path}", other, method)
        assert status == 404 and error["code"] == "not_found"
    assert all(item["id"] != export_id for item in call(f"{url}/api/v1/exports", other)[1]["items"])

"""The README's JSON API example, run as written against `scripts/run-demo.sh` started with PORT and BUFDIR_VAR_DIR."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.test_browser_e2e import free_port
from tests.test_run_script import start, stop

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent


def readme_api_example() -> str:
    """The first bash block of the README's section "JSON API (version 1)"."""
    section = (ROOT / "README.md").read_text().split("## JSON API (version 1)", 1)[1]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


def test_the_readme_api_example_works_with_the_port_and_data_folder_the_app_runs_with(tmp_path):
    example = readme_api_example()
    assert "8000/" not in example.replace("${PORT:-8000}", "")
    var = tmp_path / "demo-var"
    port = str(free_port())
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BUFDIR_", "DATABASE_URL", "REDIS_URL", "PORT"))
    }
    run_env = {
        **base,
        "PORT": port,
        "BUFDIR_VAR_DIR": str(var),
        "DEMO_ACTIVITIES": "300",
        "BUFDIR_SKIP_INSTALL": "1",
        "Q_CLUSTER_NAME": f"readme-{os.getpid()}",
    }
    out = tmp_path / "run-demo.out"
    bundle = ROOT / "bufdir.zip"
    assert not bundle.exists(), "a bufdir.zip is in the project folder already"
    script = start(run_env, out)
    try:
        banner = out.read_text()
        assert f"export PORT={port} BUFDIR_VAR_DIR={var}" in banner, banner
        assert f"API=http://127.0.0.1:{port}/api/v1" in banner, banner
        # What the README says to set, and nothing else: the same PORT and BUFDIR_VAR_DIR, in a fresh shell.
        shell_env = {**base, "PORT": port, "BUFDIR_VAR_DIR": str(var)}
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", example],
            cwd=ROOT,
            env=shell_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert '"status":"succeeded"' in done.stdout.replace(" ", ""), done.stdout
        with zipfile.ZipFile(bundle) as archive:
            names = archive.namelist()
        assert any(name.endswith(".xlsx") for name in names), names
    finally:
        bundle.unlink(missing_ok=True)
        stop(script, signal.SIGTERM, var)

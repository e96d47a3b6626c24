"""manage.py finds the data folder the app runs with, and says plainly when there is no database there."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bufdir_site import paths

ROOT = Path(__file__).resolve().parent.parent


def manage(var: Path | str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run manage.py with BUFDIR_VAR_DIR=var and no other setting of ours."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "BUFDIR_", "DATABASE_URL", "REDIS_URL"))
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=cwd,
        env={**env, "BUFDIR_VAR_DIR": str(var)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("command", [["create_api_token", "nhf-admin", "--org", "nhf"], ["fail_stale_exports"]])
def test_a_missing_database_is_said_plainly_and_nothing_is_created(tmp_path, command):
    var = tmp_path / "not-started"
    done = manage(var, *command, cwd=tmp_path)
    assert done.returncode == 1
    assert "no such table" not in done.stderr and "Traceback" not in done.stderr
    assert f"Fant ingen database: {var / 'db.sqlite3'} finnes ikke" in done.stderr
    assert f"No database: {var / 'db.sqlite3'} does not exist" in done.stderr
    assert "BUFDIR_VAR_DIR" in done.stderr
    assert not var.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_empty_database_is_said_plainly(tmp_path):
    var = tmp_path / "empty"
    var.mkdir()
    sqlite3.connect(var / "db.sqlite3").close()
    done = manage(var, "create_api_token", "nhf-admin", "--org", "nhf")
    assert done.returncode == 1
    assert "no such table" not in done.stderr and "Traceback" not in done.stderr
    assert "er tom (ikke migrert)" in done.stderr and "is empty (not migrated)" in done.stderr


def test_a_relative_data_folder_is_taken_from_the_project_folder_as_the_run_script_does(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BUFDIR_VAR_DIR", "demo-var")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert paths.var_dir() == ROOT / "demo-var"
    assert paths.sqlite_file() == ROOT / "demo-var" / "db.sqlite3"
    monkeypatch.setenv("BUFDIR_VAR_DIR", str(tmp_path / "abs"))
    assert paths.sqlite_file() == tmp_path / "abs" / "db.sqlite3"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@localhost/db")
    assert paths.sqlite_file() is None

"""Files the service writes (secret key, SQLite databases, bundles, command-line copies) are the owner's alone."""

from __future__ import annotations

import io
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from django.core.management import call_command

from bufdir_site import settings as site_settings
from bufdir_site.secret import local_secret_key


def mode(path: Path) -> int:
    """The permission bits of `path`."""
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask():
    """A umask that would leave new files world-readable, so only the service's own care keeps them private."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_generated_secret_key_is_the_owners_alone(tmp_path):
    key = local_secret_key(tmp_path / "var" / "secret_key")
    assert mode(tmp_path / "var" / "secret_key") == 0o600
    assert local_secret_key(tmp_path / "var" / "secret_key") == key


def test_sqlite_databases_and_their_journals_are_the_owners_alone(tmp_path):
    name = tmp_path / "var" / "db.sqlite3"
    config = site_settings._database(f"sqlite:///{name}")
    assert mode(name) == 0o600
    with sqlite3.connect(config["NAME"]) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
        assert mode(Path(f"{name}-wal")) == 0o600
    name.chmod(0o644)
    site_settings._database(f"sqlite:///{name}")
    assert mode(name) == 0o600


def test_stored_bundles_are_the_owners_alone(org_with_activities, run_export, export_files, settings):
    finished = run_export(org_with_activities)
    path = Path(export_files._storage.path(finished.result.file_key))
    assert mode(path) == 0o600
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600


def test_the_command_lines_copy_is_the_owners_alone(org_with_activities, export_files, tmp_path):
    call_command(
        "bufdir_export",
        "--org",
        "nhf",
        "--year",
        "2025",
        "--out",
        str(tmp_path / "out"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    copies = list((tmp_path / "out").iterdir())
    assert copies and all(mode(copy) == 0o600 for copy in copies)

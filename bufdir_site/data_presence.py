"""Commands that work on existing data say plainly when there is none, instead of creating an empty database."""

from __future__ import annotations

from pathlib import Path

from bufdir_site.paths import sqlite_file, var_dir

HINT_NB = (
    "Sett BUFDIR_VAR_DIR (og DATABASE_URL) til det samme som appen ble startet med, for eksempel "
    "`BUFDIR_VAR_DIR=/srv/bufdir-demo .venv/bin/python manage.py …`, eller start appen først med "
    "scripts/run-demo.sh."
)
HINT_EN = (
    "Set BUFDIR_VAR_DIR (and DATABASE_URL) to what the app was started with, e.g. "
    "`BUFDIR_VAR_DIR=/srv/bufdir-demo .venv/bin/python manage.py …`, or start the app first with "
    "scripts/run-demo.sh."
)


def no_database_message(path: Path) -> str:
    """What to say when the SQLite file is missing, in Norwegian and English."""
    return (
        f"Fant ingen database: {path} finnes ikke (BUFDIR_VAR_DIR er {var_dir()}). {HINT_NB}\n"
        f"No database: {path} does not exist (BUFDIR_VAR_DIR is {var_dir()}). {HINT_EN}"
    )


def not_migrated_message(where: str) -> str:
    """What to say when the database exists but has no tables, in Norwegian and English."""
    return (
        f"Databasen {where} er tom (ikke migrert): ingen brukere eller organisasjoner å finne. {HINT_NB}\n"
        f"The database {where} is empty (not migrated): no users or organisations to find. {HINT_EN}"
    )


def missing_sqlite_database() -> str | None:
    """The message when the default database is an SQLite file that does not exist; checked before Django starts
    (the settings would otherwise create the var folder and an empty file)."""
    path = sqlite_file()
    if path is None or path.exists():
        return None
    return no_database_message(path)


def require_migrated_database() -> None:
    """Raise a CommandError saying so plainly when the default database has no tables."""
    from django.core.management.base import CommandError
    from django.db import connection

    if "auth_user" not in connection.introspection.table_names():
        where = str(connection.settings_dict.get("NAME") or "")
        raise CommandError(not_migrated_message(where))

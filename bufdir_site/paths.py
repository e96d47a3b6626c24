"""Where the embedded default keeps its data: one rule for the settings, manage.py and the run script."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from bufdir_site.env import env_str

BASE_DIR = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """BUFDIR_VAR_DIR, a relative one taken from the project folder (as scripts/run-demo.sh does); ./var by default."""
    path = Path(env_str("BUFDIR_VAR_DIR", str(BASE_DIR / "var"))).expanduser()
    return path if path.is_absolute() else BASE_DIR / path


def database_url() -> str:
    """DATABASE_URL, or the SQLite file in the var folder."""
    return env_str("DATABASE_URL", f"sqlite:///{var_dir() / 'db.sqlite3'}")


def sqlite_file() -> Path | None:
    """The SQLite file of the default database, when it is one (not in memory)."""
    config = dj_database_url.parse(database_url())
    name = str(config.get("NAME") or "")
    if config["ENGINE"] != "django.db.backends.sqlite3" or not name or name == ":memory:":
        return None
    return Path(name)

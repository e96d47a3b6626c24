"""Every environment variable the code reads is in README's configuration table and in .env.example."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READS = re.compile(r"""(?:env_(?:str|int|bool|list)|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']""")
SOURCES = ("bufdir_site", "exports", "api")


def variables_read() -> set[str]:
    """The names of every environment variable read through bufdir_site.env or os.environ."""
    names: set[str] = set()
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            names.update(READS.findall(path.read_text(encoding="utf-8")))
    return names - {"DJANGO_SETTINGS_MODULE"}


def test_the_scan_finds_the_settings_variables():
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "SUPABASE_SERVICE_KEY"} <= variables_read()


def test_every_variable_is_in_the_readme_table():
    table = {
        name
        for row in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])
    }
    assert sorted(variables_read() - table) == []
    assert sorted(table - variables_read()) == []


def test_every_variable_is_in_the_env_example():
    listed = set(re.findall(r"^# ([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))
    assert sorted(variables_read() - listed) == []
    assert sorted(listed - variables_read()) == []

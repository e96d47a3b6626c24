#!/usr/bin/env python
"""Django's command-line utility for the Bufdir export service."""

import os
import sys

# Commands that work on existing data: without a database they say so, and create nothing.
NEEDS_DATA = {"create_api_token", "bufdir_export", "fail_stale_exports"}


def main() -> None:
    """Run an administrative task."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bufdir_site.settings")
    if sys.argv[1:2] == ["runserver"]:  # the entry point says which server runs; settings read only the environment
        os.environ.setdefault("BUFDIR_DEV_SERVER", "true")
    if len(sys.argv) > 1 and sys.argv[1] in NEEDS_DATA:
        from bufdir_site.data_presence import missing_sqlite_database

        message = missing_sqlite_database()
        if message:
            sys.stderr.write(f"CommandError: {message}\n")
            sys.exit(1)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Refresh and compile the Norwegian translations (needs GNU gettext).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py makemessages -l nb --ignore=.venv --ignore=tests --no-obsolete -v0
.venv/bin/python manage.py compilemessages --ignore=.venv -v0

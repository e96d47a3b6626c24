#!/usr/bin/env bash
# One command for a fresh machine: set up and run the whole test suite.
# First on the embedded default (SQLite, SQLite channel layer, local files), browser test included;
# then the whole suite again against real PostgreSQL and Redis (browser test included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-dev.txt
scripts/ensure-services.sh
py=.venv/bin/python
status=0
$py -m pytest "$@" || status=$?
DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bufdir}" \
REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}" \
  $py -m pytest "$@" || status=$?
exit $status

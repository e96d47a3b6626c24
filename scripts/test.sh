#!/usr/bin/env bash
# One command for a fresh machine: set up, run the static checks, then the whole test suite.
# The static checks come first and any finding fails the run: ruff (lint and format), mypy, no model change without its
# migration, and Django's deployment checks with the production variables of README. Then pytest on the embedded default (SQLite, SQLite channel layer, local files), browser test
# included; then the whole suite again against real PostgreSQL and Redis (browser test included).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements-dev.txt
scripts/ensure-services.sh
py=.venv/bin/python
database_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bufdir}"
redis_url="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"

echo "== ruff check" && .venv/bin/ruff check .
echo "== ruff format --check" && .venv/bin/ruff format --check .
echo "== mypy" && .venv/bin/mypy
echo "== makemigrations --check" && $py manage.py makemigrations --check --dry-run
echo "== check --deploy (the production variables of README)"
DJANGO_SECRET_KEY="$($py -c 'import secrets; print(secrets.token_urlsafe(50))')" \
DATABASE_URL="$database_url" REDIS_URL="$redis_url" DJANGO_HTTPS=true DJANGO_DEBUG=false \
DJANGO_ALLOWED_HOSTS=eksport.example.org DJANGO_CSRF_TRUSTED_ORIGINS=https://eksport.example.org \
SUPABASE_URL=https://example.supabase.co SUPABASE_SERVICE_KEY=service-key \
  $py manage.py check --deploy --fail-level WARNING

status=0
# The embedded-default run measures branch coverage and fails under the floor in pyproject.toml
# ([tool.coverage.report] fail_under); the production run checks the same behaviour on PostgreSQL and Redis.
$py -m pytest --cov --cov-report=term "$@" || status=$?
DATABASE_URL="$database_url" REDIS_URL="$redis_url" $py -m pytest "$@" || status=$?
exit $status

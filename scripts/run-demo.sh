#!/usr/bin/env bash
# One command for a fresh machine: set up, migrate, seed demo data (only into an empty database) and run the
# web server with a django-q2 worker beside it. Safe to run again: data and configurations are kept.
# Honours PORT, BUFDIR_VAR_DIR, and DATABASE_URL + REDIS_URL (the same demo on PostgreSQL and Redis).
# Ctrl+C or SIGTERM stops the server and the worker.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '==> %s\n' "$*"; }

if [ "${BUFDIR_SKIP_INSTALL:-0}" = 1 ]; then
  say "Using .venv as it is (BUFDIR_SKIP_INSTALL=1)."
else
  say "Installing the pinned requirements into .venv (the first run takes a few minutes)…"
  scripts/setup.sh requirements.txt
fi
py=.venv/bin/python

export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
port="${PORT:-8000}"
mkdir -p "${BUFDIR_VAR_DIR:-var}"
BUFDIR_VAR_DIR="$(cd "${BUFDIR_VAR_DIR:-var}" && pwd)"
export BUFDIR_VAR_DIR
export BUFDIR_SITE_URL="${BUFDIR_SITE_URL:-http://127.0.0.1:${port}}"
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  # One key for the server and the worker, kept in the var folder (production sets DJANGO_SECRET_KEY).
  keyfile="$BUFDIR_VAR_DIR/secret_key"
  if [ ! -s "$keyfile" ]; then
    (umask 077 && $py -c 'import secrets; print(secrets.token_urlsafe(50))' > "$keyfile")
  fi
  DJANGO_SECRET_KEY="$(cat "$keyfile")"
  export DJANGO_SECRET_KEY
fi
log="$BUFDIR_VAR_DIR/worker.log"
# What another terminal sets to reach this run (the README's API example); a DATABASE_URL is never printed.
api_env="PORT=${port} BUFDIR_VAR_DIR=$(printf '%q' "$BUFDIR_VAR_DIR")"
api_db_note=""
if [ -n "${DATABASE_URL:-}" ]; then
  api_env="${api_env} DJANGO_DEBUG=1"
  api_db_note="    (and export the same DATABASE_URL as this run)"$'\n'
fi

if [ -n "${DATABASE_URL:-}" ]; then
  say "Database: ${DATABASE_URL%%://*} from DATABASE_URL${REDIS_URL:+; Redis from REDIS_URL (broker and channel layer)}"
else
  say "Database: SQLite in $BUFDIR_VAR_DIR${REDIS_URL:+; Redis from REDIS_URL (broker and channel layer)}"
fi
say "Migrating the database…"
$py manage.py migrate --noinput -v1 | sed 's/^/    /'
if [ -z "${REDIS_URL:-}" ]; then
  say "Migrating the channel layer's database ($BUFDIR_VAR_DIR/channels.sqlite3)…"
  $py manage.py migrate --database channels --noinput -v0
fi
say "Seeding demo data if the database is empty (about 25,000 activities; a minute or two)…"
$py manage.py seed_demo --if-empty --activities "${DEMO_ACTIVITIES:-25000}" | sed 's/^/    /'

stop() {
  trap - INT TERM EXIT
  say "Stopping the server and the worker…"
  kill -TERM "${server:-}" 2>/dev/null || true
  kill -TERM -- "-${worker:-0}" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 -- "-${worker:-0}" 2>/dev/null || kill -0 "${server:-}" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL -- "-${worker:-0}" 2>/dev/null || true
  kill -KILL "${server:-}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "Starting the worker (django-q2; it is restarted should it stop; log: $log)…"
setsid bash -c "while true; do $py manage.py qcluster; echo \"worker exited (\$?); restarting in 2 s\"; sleep 2; done" \
  >> "$log" 2>&1 < /dev/null &
worker=$!

cat <<MSG

  Bufdir export is running at http://127.0.0.1:${port}/
  Demo login (NHF administrator): nhf-admin / demo-passord-2026
  Also: nhf-koordinator, hlf-admin (other organisation), nhf-likeperson (no export role),
  begge-admin (administrator of both organisations: switch at the top of the page);
  Django admin at http://127.0.0.1:${port}/admin/ as sysadmin / demo-passord-2026.
  The worker (django-q2) logs to ${log}. Notice e-mails are written as files to ${BUFDIR_VAR_DIR}/mail/.
  JSON API: http://127.0.0.1:${port}/api/v1/docs. From another terminal in $(pwd), with this run's settings:
    export ${api_env}
${api_db_note}    TOKEN=\$(.venv/bin/python manage.py create_api_token nhf-admin --org nhf | tail -n 1)
    API=http://127.0.0.1:${port}/api/v1
  (then the rest of the README's "JSON API (version 1)" example).
  Stop with Ctrl+C.

MSG
$py manage.py runserver "127.0.0.1:${port}" --noreload &
server=$!
wait "$server"

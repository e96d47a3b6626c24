#!/usr/bin/env bash
# One command for a fresh machine: set up, migrate, seed demo data and run the app on the embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
port="${PORT:-8000}"
export BUFDIR_SITE_URL="${BUFDIR_SITE_URL:-http://127.0.0.1:${port}}"
py=.venv/bin/python
$py manage.py migrate --noinput -v0
$py manage.py migrate --database channels --noinput -v0
if [ "$($py manage.py shell -c 'from exports.models import Organisation; print(Organisation.objects.exists())')" != "True" ]; then
  echo "Seeding demo data (about 25,000 activities)…"
  $py manage.py seed_demo
fi
$py manage.py qcluster > var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
cat <<MSG

  Bufdir export is running at http://127.0.0.1:${port}/
  Demo login (NHF administrator): nhf-admin / demo-passord-2026
  Also: nhf-koordinator, hlf-admin (other organisation), nhf-likeperson (no export role),
  begge-admin (administrator of both organisations: switch at the top of the page);
  Django admin at http://127.0.0.1:${port}/admin/ as sysadmin / demo-passord-2026.
  The worker (django-q2) logs to var/worker.log. Notice e-mails are written as files to var/mail/.
  JSON API: http://127.0.0.1:${port}/api/v1/docs (token: manage.py create_api_token nhf-admin --org nhf).
  Stop with Ctrl+C.

MSG
exec $py manage.py runserver "127.0.0.1:${port}" --noreload

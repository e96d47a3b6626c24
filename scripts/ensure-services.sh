#!/usr/bin/env bash
# Make sure what the tests need is there: headless Chromium, LibreOffice Calc, poppler-utils (pdftotext, to read
# back the printed workbook), axe-core, PostgreSQL and Redis (started if down).
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v chromium >/dev/null 2>&1; then
  as_root apt-get update -qq && as_root apt-get install -y -qq chromium >/dev/null
fi
if ! command -v soffice >/dev/null 2>&1; then
  as_root apt-get update -qq && as_root apt-get install -y -qq libreoffice-calc >/dev/null
fi
if ! command -v pdftotext >/dev/null 2>&1; then
  as_root apt-get update -qq && as_root apt-get install -y -qq poppler-utils >/dev/null
fi
if [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm ci --silent --no-audit --no-fund
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null && exit 0
  sleep 1
done
echo "PostgreSQL or Redis did not come up" >&2
exit 1

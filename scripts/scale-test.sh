#!/usr/bin/env bash
# Scale test: 3 Daphne servers + 3 django-q2 workers on PostgreSQL + Redis (loopback), 10 organisations exporting
# at once, a worker and a server restarted meanwhile; see scripts/scale_test.py --help. Exits 1 on any violation.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/scale_test.py "$@"

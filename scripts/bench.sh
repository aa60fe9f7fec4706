#!/usr/bin/env bash
# `make bench`: same set-up as scripts/test.sh (packages, .venv, throwaway PostgreSQL + Redis,
# stopped on any exit), then `python -m bench "$@"` against a migrated database.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -f bench/__main__.py ]]; then
    echo "bench/__main__.py does not exist yet: nothing to benchmark."
    exit 0
fi

# shellcheck source=scripts/services.sh
source scripts/services.sh

ensure_system_packages
ensure_venv

envfile="$(mktemp "${TMPDIR:-/tmp}/ceportal-env.XXXXXX")"
cleanup() {
    services_stop "$envfile" || true
    rm -f "$envfile"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
services_start "$envfile" >/dev/null
# shellcheck disable=SC1090
source "$envfile"

unset DJANGO_SETTINGS_MODULE CELERY_BROKER_URL CELERY_RESULT_BACKEND
export PYTHONDONTWRITEBYTECODE=1

.venv/bin/python manage.py migrate --noinput
.venv/bin/python -m bench "$@"

#!/usr/bin/env bash
# `make bench`: same set-up as scripts/test.sh (packages, .venv, throwaway PostgreSQL + Redis,
# stopped on any exit), locust in var/bench-venv for the load scenario, then
# `python -m bench "$@"` against a migrated database (`make bench`: everything; arguments:
# see bench/run.py). BENCH_PERSONS sets the data size (default 100,000 persons, 1M records);
# BENCH_LOAD_SECONDS the length of each load level (default 60, at most 75).
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

# The load scenario's locust lives in its own environment (bench/requirements-load.txt),
# made on first use and remade when that file changes; without it the scenario is skipped.
ensure_bench_venv() {
    local venv=var/bench-venv pins=bench/requirements-load.txt
    if [[ -f $venv/.installed && ! $pins -nt $venv/.installed ]]; then
        return 0
    fi
    echo "bench: installing locust into $venv ($pins)" >&2
    if "$(_python3)" -m venv "$venv" &&
        "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$pins"; then
        touch "$venv/.installed"
    else
        echo "bench: could not install locust: the load scenario will be skipped" >&2
    fi
}
mkdir -p var
ensure_bench_venv
if [[ -f var/bench-venv/.installed ]]; then
    export BENCH_LOCUST="$PWD/var/bench-venv/bin/locust"
fi

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py certificate_fonts >/dev/null
.venv/bin/python -m bench "$@"

#!/usr/bin/env bash
# `make test`: install what is missing, start throwaway PostgreSQL + Redis, lint, type-check,
# check the import contracts (lint-imports) and run the whole pytest suite against them. Exits
# non-zero if any step fails (all steps still run, so one report shows every failure). The
# services are stopped on any exit, Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."
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
export CELERY_TASK_ALWAYS_EAGER=false
export DJANGO_PASSWORD_HASHERS=django.contrib.auth.hashers.MD5PasswordHasher
export PYTHONDONTWRITEBYTECODE=1

failed=()
step() {
    local name=$1
    shift
    printf '\n==> %s\n' "$*"
    if "$@"; then
        printf '==> %s: ok\n' "$name"
    else
        printf '==> %s: FAILED (exit %s)\n' "$name" "$?"
        failed+=("$name")
    fi
}

step "ruff check" .venv/bin/ruff check .
step "ruff format" .venv/bin/ruff format --check .
step "mypy" .venv/bin/mypy .
# App boundaries and import cycles: the contracts in pyproject.toml.
step "import-linter" .venv/bin/lint-imports
# The compact certificate font (certificates/fonts.py), once per machine (~20 s), so the
# test workers find it instead of waiting for each other to build it.
step "certificate font" .venv/bin/python manage.py certificate_fonts
# Exit code 5 (nothing collected) is a failure like any other non-zero code.
step "pytest" .venv/bin/pytest -n 2 --durations=15 "$@"

if ((${#failed[@]})); then
    printf '\nFAILED: %s\n' "${failed[*]}"
    exit 1
fi
printf '\nAll checks passed.\n'

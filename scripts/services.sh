#!/usr/bin/env bash
# Throwaway PostgreSQL + Redis for tests and benchmarks, plus the shared set-up steps.
#
#   scripts/services.sh start [ENV_FILE]   start both; print the env file to source (default:
#                                          <state dir>/env). The file is written before anything
#                                          is started, so `stop ENV_FILE` also cleans a half start.
#   scripts/services.sh stop ENV_FILE|DIR  stop both and remove the state dir
#   scripts/services.sh run CMD...         start, run CMD with DATABASE_URL/REDIS_URL set, stop
#   scripts/services.sh deps               install missing Debian packages, create/refresh .venv
#
# Sourcing this file defines the same steps as functions (services_start, services_stop,
# ensure_system_packages, ensure_venv) without running anything.
#
# PostgreSQL refuses to run as root, so as root both servers run as the `postgres` system user
# (created by Debian's package) or, failing that, a `cetest` system user created on demand.
# Both listen on 127.0.0.1 only, on free ports, with no durability (fsync off, no RDB/AOF).

CE_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CE_DEBIAN_PACKAGES=(redis-server chromium fonts-noto-cjk fonts-hanazono libharfbuzz-subset0 poppler-utils gettext)

_log() { printf '[services] %s\n' "$*" >&2; }

_as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        _log "need root to run: $*"
        return 1
    fi
}

# Directory holding initdb/pg_ctl/postgres, or nothing if PostgreSQL's server is not installed.
pg_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl ]]; then
            echo "$dir"
            return 0
        fi
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

_python3() {
    if command -v python3.11 >/dev/null 2>&1; then echo python3.11; else echo python3; fi
}

# (a) Debian packages: only what is missing, one `apt-get update`, non-interactive.
ensure_system_packages() {
    local missing=() pkg
    for pkg in "${CE_DEBIAN_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    pg_bindir >/dev/null || missing+=(postgresql)
    command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
    if ! "$(_python3)" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        missing+=(python3-venv)
    fi
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    _log "installing missing Debian packages: ${missing[*]}"
    _as_root apt-get update
    _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        "${missing[@]}"
}

# (b) .venv + requirements.lock, reinstalled only when the lock is newer than the stamp
# (the same rule as the Makefile's `.venv/.installed: requirements.lock`).
ensure_venv() {
    cd "$CE_REPO_ROOT" || return 1
    if [[ ! -x .venv/bin/python ]]; then
        _log "creating .venv with $(_python3)"
        "$(_python3)" -m venv .venv
    fi
    if [[ ! -f .venv/.installed || requirements.lock -nt .venv/.installed ]]; then
        _log "pip install -r requirements.lock"
        .venv/bin/python -m pip install --disable-pip-version-check -q -r requirements.lock
        touch .venv/.installed
    fi
}

_free_port() {
    "$(_python3)" - "$@" <<'EOF'
import socket
import sys

taken = {int(p) for p in sys.argv[1:]}
while True:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    if port not in taken:
        print(port)
        break
EOF
}

# The unprivileged user the servers run as (empty when we are not root: run as ourselves).
_service_user() {
    if [[ $(id -u) -ne 0 ]]; then
        return 0
    fi
    if id postgres >/dev/null 2>&1; then
        echo postgres
        return 0
    fi
    if ! id cetest >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
            cetest >/dev/null
    fi
    echo cetest
}

_as_user() {
    local user=$1
    shift
    if [[ -n $user ]]; then
        runuser -u "$user" -- "$@"
    else
        "$@"
    fi
}

services_start() {
    local envfile=${1:-} user dir bindir pg_port redis_port password
    bindir="$(pg_bindir)" || {
        _log "PostgreSQL server binaries not found (run: scripts/services.sh deps)"
        return 1
    }
    command -v redis-server >/dev/null 2>&1 || {
        _log "redis-server not found (run: scripts/services.sh deps)"
        return 1
    }
    user="$(_service_user)"
    dir="$(mktemp -d "${TMPDIR:-/tmp}/ceportal-services.XXXXXX")"
    chmod 700 "$dir"
    [[ -n $envfile ]] || envfile="$dir/env"
    # Written first so that `stop` can clean up even if the start fails half way.
    printf 'export CE_SERVICES_DIR=%q\n' "$dir" >"$envfile"
    [[ -z $user ]] || chown "$user" "$dir"

    pg_port="$(_free_port)"
    redis_port="$(_free_port "$pg_port")"
    password="$("$(_python3)" -c 'import secrets; print(secrets.token_hex(16))')"

    _log "PostgreSQL ($bindir) on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port, in $dir"
    printf '%s\n' "$password" >"$dir/pwfile"
    [[ -z $user ]] || chown "$user" "$dir/pwfile"
    if ! _as_user "$user" "$bindir/initdb" -D "$dir/pg" -U ceportal -E UTF8 --no-locale \
        --auth-local=trust --auth-host=scram-sha-256 --pwfile="$dir/pwfile" \
        >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        return 1
    fi
    rm -f "$dir/pwfile"
    cat >>"$dir/pg/postgresql.conf" <<EOF
# --- throwaway test cluster (scripts/services.sh) ---
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
EOF
    if ! _as_user "$user" "$bindir/pg_ctl" -D "$dir/pg" -l "$dir/postgres.log" -w -t 60 start \
        >/dev/null; then
        cat "$dir/postgres.log" >&2
        return 1
    fi
    PGPASSWORD="$password" "$bindir/createdb" -h 127.0.0.1 -p "$pg_port" -U ceportal ceportal

    # redis-server writes its pid file only when daemonized.
    if ! _as_user "$user" redis-server --bind 127.0.0.1 --port "$redis_port" \
        --save '' --appendonly no --dir "$dir" --databases 64 \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"; then
        cat "$dir/redis.log" >&2 2>/dev/null
        return 1
    fi
    local i
    for i in $(seq 1 100); do
        if [[ $(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null) == PONG ]]; then
            break
        fi
        if ((i == 100)); then
            _log "Redis did not answer PING"
            cat "$dir/redis.log" >&2
            return 1
        fi
        sleep 0.1
    done

    {
        printf 'export CE_SERVICES_DIR=%q\n' "$dir"
        printf 'export CE_SERVICES_PG_BINDIR=%q\n' "$bindir"
        printf 'export DATABASE_URL=%q\n' \
            "postgres://ceportal:$password@127.0.0.1:$pg_port/ceportal"
        printf 'export REDIS_URL=%q\n' "redis://127.0.0.1:$redis_port/0"
    } >"$envfile"
    [[ $envfile == "$dir/env" ]] || cp "$envfile" "$dir/env"
    echo "$envfile"
}

_alive() { # a zombie (exited, not yet reaped by its parent) counts as gone
    kill -0 "$1" 2>/dev/null || return 1
    ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"
}

_wait_gone() { # pid, tenths of a second
    local pid=$1 n=$2 i
    for ((i = 0; i < n; i++)); do
        _alive "$pid" || return 0
        sleep 0.1
    done
    return 1
}

services_stop() {
    local target=${1:-} dir="" bindir user pid
    if [[ -d $target ]]; then
        dir=$target
    elif [[ -f $target ]]; then
        dir="$(
            # shellcheck disable=SC1090
            source "$target" >/dev/null 2>&1
            echo "${CE_SERVICES_DIR:-}"
        )"
    fi
    if [[ -z $dir || ! -d $dir ]]; then
        return 0
    fi
    case "$(basename "$dir")" in
    ceportal-services.*) ;;
    *)
        _log "refusing to remove $dir: not a services state dir"
        return 1
        ;;
    esac
    if [[ -f $dir/pg/postmaster.pid ]]; then
        pid="$(head -n1 "$dir/pg/postmaster.pid")"
        user="$(stat -c %U "$dir/pg")"
        [[ $user != "$(id -un)" ]] || user=""
        bindir="$(pg_bindir || true)"
        if [[ -n $bindir ]]; then
            _as_user "$user" "$bindir/pg_ctl" -D "$dir/pg" -m fast -w -t 20 stop \
                >/dev/null 2>&1 || true
        fi
        if [[ -n $pid ]] && ! _wait_gone "$pid" 50; then
            kill -9 "$pid" 2>/dev/null || true
            _wait_gone "$pid" 50 || true
        fi
    fi
    if [[ -f $dir/redis.pid ]]; then
        pid="$(cat "$dir/redis.pid")"
        if [[ -n $pid ]]; then
            kill "$pid" 2>/dev/null || true
            if ! _wait_gone "$pid" 50; then
                kill -9 "$pid" 2>/dev/null || true
                _wait_gone "$pid" 50 || true
            fi
        fi
    fi
    rm -rf "$dir"
    _log "stopped services, removed $dir"
}

_services_main() {
    set -euo pipefail
    local cmd=${1:-}
    shift || true
    case "$cmd" in
    start) services_start "$@" ;;
    stop) services_stop "$@" ;;
    deps)
        ensure_system_packages
        ensure_venv
        ;;
    run)
        local envfile rc=0
        envfile="$(mktemp "${TMPDIR:-/tmp}/ceportal-env.XXXXXX")"
        # shellcheck disable=SC2064
        trap "services_stop '$envfile'; rm -f '$envfile'" EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
        services_start "$envfile" >/dev/null
        # shellcheck disable=SC1090
        source "$envfile"
        "$@" || rc=$?
        exit "$rc"
        ;;
    *)
        echo "usage: $0 start [ENV_FILE] | stop ENV_FILE|DIR | run CMD... | deps" >&2
        exit 2
        ;;
    esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    _services_main "$@"
fi

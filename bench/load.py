"""The load scenario of issue 7 ("Fast under load"): locust against gunicorn on loopback.

On the bench data (``bench.run``: the persons, their records and the employer's queue),
``gunicorn portal.wsgi`` runs with ``WORKERS`` sync workers (as in the Dockerfile) on
127.0.0.1, against the bench's PostgreSQL and Redis, with ``DJANGO_DEBUG=false``. Locust
(``bench/locustfile.py``, in its own virtual environment, see ``scripts/bench.sh``) runs
headless at each of ``LEVELS`` users for ``BENCH_LOAD_SECONDS`` (default 60, at most
``MAX_SECONDS``; the whole level is killed after ``LEVEL_TIMEOUT`` = 90 s). Printed per
endpoint and level: p50, p95, errors and requests per second; then the goal line: p95 under
``GOAL_P95_MS`` for every endpoint at ``GOAL_USERS`` users with no error, beside the
measured throughput.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Organisation, Person, User
from credits.models import Record

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 3
LEVELS = (10, 50)
GOAL_USERS = 50
GOAL_P95_MS = 300.0
MAX_SECONDS = 75
LEVEL_TIMEOUT = 90
PERSON_SESSIONS = 500
REVIEWER_SESSIONS = 50


@dataclass(frozen=True)
class Row:
    """One line of locust's ``*_stats.csv``; times in milliseconds."""

    name: str
    requests: int
    failures: int
    p50: float
    p95: float
    rps: float


def parse_stats(text: str) -> list[Row]:
    """Locust's ``<prefix>_stats.csv``: one row per endpoint, then the ``Aggregated`` one
    (named ``all`` here). Percentiles are locust's ("N/A" when nothing was measured)."""

    def number(value: str) -> float:
        return float(value) if value not in ("", "N/A") else float("nan")

    rows = []
    for line in csv.DictReader(io.StringIO(text)):
        name = line["Name"] if line["Name"] != "Aggregated" else "all"
        rows.append(
            Row(
                name=name,
                requests=int(line["Request Count"]),
                failures=int(line["Failure Count"]),
                p50=number(line["50%"]),
                p95=number(line["95%"]),
                rps=number(line["Requests/s"]),
            )
        )
    return rows


def goal_met(rows: list[Row]) -> bool:
    """Every endpoint's p95 under the goal and no error (the ``all`` row included)."""
    return bool(rows) and all(r.p95 < GOAL_P95_MS and r.failures == 0 for r in rows)


def table(levels: dict[int, list[Row]]) -> str:
    """Endpoints down, levels across: ``p50 p95 errors req/s`` for each level."""
    names: list[str] = []
    for rows in levels.values():
        names += [r.name for r in rows if r.name not in names and r.name != "all"]
    names.append("all")
    width = max(len(n) for n in names)
    head = f"{'endpoint':{width}}" + "".join(
        f" | {users:>3} users: {'p50':>6} {'p95':>6} {'err':>5} {'req/s':>6}" for users in levels
    )
    lines = [head, "-" * len(head)]
    for name in names:
        cells = []
        for rows in levels.values():
            row = next((r for r in rows if r.name == name), None)
            if row is None:
                cells.append(f" | {'':10} {'-':>6} {'-':>6} {'-':>5} {'-':>6}")
            else:
                cells.append(
                    f" | {'':10} {row.p50:6.0f} {row.p95:6.0f} {row.failures:5d} {row.rps:6.1f}"
                )
        lines.append(f"{name:{width}}" + "".join(cells))
    return "\n".join(lines)


# --- set-up ---------------------------------------------------------------------------------


def _sessions(user_ids: list[int], count: int) -> list[str]:
    """``count`` logged-in sessions (cycling over ``user_ids``), as ``login()`` stores them."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    backend = next(  # the backend that checks passwords (as login() would record it)
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if isinstance(load_backend(path), ModelBackend)
    )
    keys = []
    for number in range(count):
        user = users[user_ids[number % len(user_ids)]]
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        assert store.session_key is not None
        keys.append(store.session_key)
    return keys


def prepare(employer: Organisation, admin: User, *, year: int, prefix: str) -> dict[str, object]:
    """The locust users' settings: sessions, paths, a deep keyset cursor, a calculator body.
    Every page is fetched once through the test client first: a page that does not answer
    200 stops the scenario before any load."""
    from credits.selectors.review import keyset_cursor

    persons = list(
        Person.objects.filter(id_number__startswith=prefix.upper())
        .order_by("pk")
        .values_list("user_id", flat=True)[:PERSON_SESSIONS]
    )
    queue = reverse("credits:review_queue", kwargs={"organisation_id": employer.pk})
    total = Record.objects.filter(employer_id=employer.pk).count()
    deep = Record.objects.filter(employer_id=employer.pk).order_by("created_at", "pk")[total // 2]
    config: dict[str, object] = {
        "cookie": settings.SESSION_COOKIE_NAME,
        "login_path": str(settings.LOGIN_URL),
        "year": year,
        "progress_path": reverse("credits:progress", kwargs={"year": year}),
        "records_path": reverse("credits:my_records"),
        "queue_path": queue,
        "deep_cursor": keyset_cursor(deep, "submitted"),
        "calculator_path": reverse("credits:compliance_evaluate"),
        "calculator_body": {
            "year": year,
            "series": ["engineering"],
            "records": [
                {"category": "public", "hours": "10", "year": year},
                {"category": "professional", "series": "engineering", "hours": "9", "year": year},
                {"category": "elective", "hours": "9", "year": year},
            ]
            * 3,
        },
    }
    client = Client()
    client.force_login(User.objects.get(pk=persons[0]))
    # A person's home is where "/" sends a person (their role's page).
    landing = client.get("/", HTTP_HOST="127.0.0.1", follow=True)
    config["home_path"] = landing.redirect_chain[-1][0] if landing.redirect_chain else "/"
    for path in (config["home_path"], config["progress_path"], config["records_path"]):
        _check(client.get(str(path), HTTP_HOST="127.0.0.1").status_code, str(path))
    client.force_login(admin)
    for params in ({}, {"status": "all", "after": str(config["deep_cursor"])}):
        _check(client.get(queue, params, HTTP_HOST="127.0.0.1").status_code, queue)
    response = Client().post(
        str(config["calculator_path"]),
        json.dumps(config["calculator_body"]),
        content_type="application/json",
        HTTP_HOST="127.0.0.1",
    )
    _check(response.status_code, str(config["calculator_path"]))
    config["person_sessions"] = _sessions(persons, PERSON_SESSIONS)
    config["reviewer_sessions"] = _sessions([admin.pk], REVIEWER_SESSIONS)
    return config


def _check(status: int, path: str) -> None:
    if status != 200:
        raise RuntimeError(f"load scenario: {path} answered {status} before any load")


@contextmanager
def _gunicorn(workdir: Path) -> Iterator[str]:
    """``gunicorn portal.wsgi`` on a free loopback port; stopped (this process only) on exit."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "NUM_PROXIES": "1",  # each locust user is its own client (X-Forwarded-For)
        # Persistent database connections, as production runs (.env.example): without them
        # every request opens a PostgreSQL connection.
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError(
                    "gunicorn did not start:\n" + (workdir / "gunicorn.log").read_text()[-2000:]
                )
            time.sleep(0.3)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _locust_level(
    locust: str, url: str, users: int, seconds: int, workdir: Path, env: dict[str, str]
) -> list[Row]:
    prefix = workdir / f"level{users}"
    command = [
        locust,
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "5",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "ERROR",
    ]
    with open(workdir / f"level{users}.log", "wb") as log:
        try:
            subprocess.run(
                command,
                env=env,
                timeout=LEVEL_TIMEOUT,
                check=False,  # locust exits 1 when a request failed: the table says so
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        except subprocess.TimeoutExpired:
            print(f"  ({users} users: locust killed after {LEVEL_TIMEOUT} s)")
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        print(f"  ({users} users: no statistics; locust said:)")
        print((workdir / f"level{users}.log").read_text(errors="replace")[-2000:])
        return []
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists() and len(failures.read_text().splitlines()) > 1:
        print(f"  ({users} users: failures by endpoint and reason:)")
        for line in failures.read_text().splitlines()[1:6]:
            print(f"    {line}")
    return parse_stats(stats.read_text())


def bench_load(employer: Organisation, admin: User, *, year: int, prefix: str) -> bool:
    locust = os.environ.get("BENCH_LOCUST", "")
    if not locust or not Path(locust).exists():
        print("load: skipped: no locust (scripts/bench.sh installs it in var/bench-venv)")
        return True
    seconds = min(int(os.environ.get("BENCH_LOAD_SECONDS", "60")), MAX_SECONDS)
    config = prepare(employer, admin, year=year, prefix=prefix)
    connection.close()  # gunicorn's workers get the database to themselves
    workdir = Path(tempfile.mkdtemp(prefix="ceportal-load."))
    try:
        (workdir / "config.json").write_text(json.dumps(config))
        env = {**os.environ, "BENCH_LOAD_CONFIG": str(workdir / "config.json")}
        levels: dict[int, list[Row]] = {}
        with _gunicorn(workdir) as url:
            print(
                f"load: gunicorn {WORKERS} workers on {url}, locust {seconds} s per level, "
                f"think time 0.5-1.5 s, persons:reviewers:calculator = 6:2:2",
                flush=True,
            )
            for users in LEVELS:
                levels[users] = _locust_level(locust, url, users, seconds, workdir, env)
        if any(r.failures for rows in levels.values() for r in rows):
            server_log = (workdir / "gunicorn.log").read_text(errors="replace")
            print("  (errors: the end of gunicorn's log:)\n" + server_log[-3000:])
        print(table(levels))
        rows = levels.get(GOAL_USERS, [])
        everything = next((r for r in rows if r.name == "all"), None)
        met = goal_met(rows)
        worst = max((r for r in rows if r.name != "all"), key=lambda r: r.p95, default=None)
        print(
            f"load goal: p95 < {GOAL_P95_MS:.0f} ms on every endpoint at {GOAL_USERS} users with "
            f"0 errors: {'met' if met else 'NOT MET'}"
            + (
                f" (worst p95 {worst.p95:.0f} ms on {worst.name}; "
                f"{sum(r.failures for r in rows if r.name != 'all')} errors; "
                f"throughput {everything.rps:.1f} req/s)"
                if worst and everything
                else " (no measurement)"
            ),
            flush=True,
        )
        return met
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

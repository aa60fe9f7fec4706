"""Fixtures shared by every app's tests (repository-root conftest).

* ``redis_urls`` (session, autouse): under ``make test`` (``REDIS_URL`` set) every pytest-xdist
  worker gets Redis databases of its own — one for the Django cache, one for the Celery broker
  and result backend — so parallel workers never see each other's keys, tasks or results.
* ``celery_worker``: a real ``celery worker`` subprocess (started once per session,
  ``celery_worker_session``) reading the pytest-django test database and this xdist worker's
  broker; after each test it waits until the worker is idle, before the database is flushed.
  Tests using it must be
  ``@pytest.mark.django_db(transaction=True)`` (the worker only sees committed rows) and should
  be marked ``@pytest.mark.celery``. Settings changed inside a test (``settings`` fixture) are
  not seen by the worker process.
* ``browser`` (session) / ``page``: headless system Chromium through Playwright's sync API (a
  browser is never downloaded). Mark such tests ``@pytest.mark.browser``; pair with pytest-django's
  ``live_server``.
* ``world`` / ``other_world``: a Guangzhou and a Shenzhen ``tests.factories.World``, built once
  per test module inside a transaction rolled back after the module (each test runs in a
  savepoint inside it and gets its own copy of the Python objects). A module with any
  transactional test (``django_db(transaction=True)``, ``live_server``, ``celery_worker``)
  builds them per test instead. A module whose tests run at a frozen time sets ``WORLD_TIME``.
"""

from __future__ import annotations

import copy
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.test.utils import override_settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO_ROOT = Path(__file__).resolve().parent
HOW_TO_RUN = (
    "it needs the PostgreSQL and Redis that `make test` starts. Run `make test`, or run pytest "
    "inside `scripts/services.sh run .venv/bin/pytest ...`"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass(frozen=True)
class RedisUrls:
    cache: str  # Django's cache
    broker: str  # Celery broker and result backend


def _with_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + quote(path)))


def _xdist_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, … (unset without xdist)
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def _celery_app() -> Any:
    from portal.celery import app

    return app


def _point_celery_at(broker: str, *, always_eager: bool | None = None) -> None:
    """Point the test process's Celery app at `broker`, dropping any cached connection."""
    app = _celery_app()
    app.conf.broker_url = broker
    app.conf.result_backend = broker
    if always_eager is not None:
        app.conf.task_always_eager = always_eager
    # kombu keeps one connection pool per broker URL in a global registry; closing only the
    # app's pool would leave that closed pool in the registry for the next `app.pool`.
    from kombu import pools

    pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()


FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher() -> Iterator[None]:
    """MD5 for the whole suite (STYLE.md), so a bare `pytest` of any app is as fast as `make test`
    (which sets DJANGO_PASSWORD_HASHERS too). `override_settings` clears Django's hasher cache."""
    with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        yield


@pytest.fixture(scope="session", autouse=True)
def redis_urls() -> Iterator[RedisUrls | None]:
    """Give this xdist worker its own Redis databases (no-op when REDIS_URL is unset)."""
    base = os.environ.get("REDIS_URL", "")
    if not base:
        yield None
        return
    import redis

    index = _xdist_index()
    urls = RedisUrls(
        cache=_with_path(base, str(2 * index + 1)), broker=_with_path(base, str(2 * index + 2))
    )
    for url in (urls.cache, urls.broker):
        client = redis.Redis.from_url(url)
        client.flushdb()
        client.close()
    caches = copy.deepcopy(settings.CACHES)
    if caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        caches["default"]["LOCATION"] = urls.cache
    override = override_settings(
        CACHES=caches,
        REDIS_URL=urls.cache,
        CELERY_BROKER_URL=urls.broker,
        CELERY_RESULT_BACKEND=urls.broker,
    )
    override.enable()
    _point_celery_at(urls.broker)
    try:
        yield urls
    finally:
        override.disable()


def _worker_queues(app: Any) -> str:
    queues = {app.conf.task_default_queue or "celery"}
    routes = app.conf.task_routes
    if isinstance(routes, dict):
        for route in routes.values():
            if isinstance(route, dict) and route.get("queue"):
                queues.add(str(route["queue"]))
    for queue in app.conf.task_queues or ():
        queues.add(str(getattr(queue, "name", queue)))
    return ",".join(sorted(queues))


def _die_with_parent() -> Callable[[], None] | None:
    """preexec_fn: the worker gets SIGTERM if pytest dies without running teardown."""
    if not sys.platform.startswith("linux"):
        return None

    def preexec() -> None:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return preexec


def _ping(app: Any, hostname: str) -> bool:
    try:
        return bool(app.control.ping(destination=[hostname], timeout=0.5))
    except RuntimeError:
        # "Acquire on closed pool": a pool closed by an earlier re-pointing is still in kombu's
        # registry; drop every pool and ask again.
        from kombu import pools

        pools.reset()
        app._pool = None
        return False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """pytest-django's test database, on which the audit table may be truncated.

    Transactional tests end with a flush, which on PostgreSQL TRUNCATEs every table; the audit
    table refuses TRUNCATE (accounts migration 0004) unless `portal.allow_audit_truncate` is on.
    It is switched on for this throwaway database only, for every later connection (live server
    threads, the Celery worker) and for the one already open.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        name = connection.ops.quote_name(str(connection.settings_dict["NAME"]))
        cursor.execute(f"ALTER DATABASE {name} SET portal.allow_audit_truncate = 'on'")
        cursor.execute("SET portal.allow_audit_truncate = 'on'")


@dataclass(frozen=True)
class RunningWorker:
    app: Any
    hostname: str
    broker: str


def _wait_until_idle(worker: RunningWorker, timeout: float = 60) -> None:
    """Wait until the worker has nothing running or waiting and its queues are empty.

    A task queued after commit by the test (a summary refresh after a batch review) may still be
    running when the test ends; the database flush that follows a transactional test would then
    deadlock with the worker's open transaction."""
    import redis

    client = redis.Redis.from_url(worker.broker)
    queues = _worker_queues(worker.app).split(",")
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            waiting = sum(int(client.llen(queue)) for queue in queues)
            inspect = worker.app.control.inspect(destination=[worker.hostname], timeout=0.5)
            busy = [
                task
                for answer in (inspect.active() or {}, inspect.reserved() or {})
                for tasks in answer.values()
                for task in tasks
            ]
            if not waiting and not busy:
                return
            time.sleep(0.2)
    finally:
        client.close()


# The session's worker once started in this process: a transactional test that does not ask for
# it may still queue tasks it runs (after commit), on this process's test database.
_STARTED: list[RunningWorker] = []


@pytest.fixture(autouse=True)
def _worker_idle_before_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a transactional test, wait until the session's worker (if one runs) is idle: its
    transaction would otherwise deadlock with the database flush that ends the test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if transactional:
        request.getfixturevalue("transactional_db")  # set up first, so torn down after
    yield
    if transactional and _STARTED:
        _wait_until_idle(_STARTED[0])


@pytest.fixture
def celery_worker(celery_worker_session: RunningWorker, transactional_db: None) -> Iterator[Any]:
    """The session's real Celery worker, for one transactional test; yields the Celery app.

    Set up after the test database (so torn down before its flush), it waits at the end until
    the worker is idle."""
    yield celery_worker_session.app
    _wait_until_idle(celery_worker_session)


@pytest.fixture(scope="session")
def celery_worker_session(
    django_db_setup: None,
    redis_urls: RedisUrls | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningWorker]:
    """A real Celery worker on the test database, started once per pytest-xdist worker."""
    if redis_urls is None:
        pytest.fail(f"celery_worker: REDIS_URL is not set; {HOW_TO_RUN}.", pytrace=False)
    database_url = os.environ.get("DATABASE_URL", "")
    db = settings.DATABASES["default"]
    if not database_url or "postgresql" not in db["ENGINE"]:
        pytest.fail(
            f"celery_worker: DATABASE_URL does not point at PostgreSQL; {HOW_TO_RUN}.",
            pytrace=False,
        )
    # After django_db_setup, NAME is this xdist worker's test database (test_ceportal_gw0, …).
    test_database_url = _with_path(database_url, str(db["NAME"]))

    import redis

    app = _celery_app()
    was_eager = app.conf.task_always_eager
    _point_celery_at(redis_urls.broker, always_eager=False)
    # Nothing queued before the worker existed (by tests that did not want a worker) may run.
    client = redis.Redis.from_url(redis_urls.broker)
    client.flushdb()
    client.close()

    label = os.environ.get("PYTEST_XDIST_WORKER", "main")
    hostname = f"pytest-{label}-{os.getpid()}@localhost"
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url,
        "REDIS_URL": redis_urls.cache,
        "CELERY_BROKER_URL": redis_urls.broker,
        "CELERY_RESULT_BACKEND": redis_urls.broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        _worker_queues(app),
        "-n",
        hostname,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]

    def log_tail() -> str:
        text = log_path.read_text(errors="replace") if log_path.exists() else ""
        return text[-6000:]

    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent(),
        )
    try:
        deadline = time.monotonic() + 60
        while not _ping(app, hostname):
            if proc.poll() is not None:
                pytest.fail(
                    f"celery worker exited with {proc.returncode}:\n{log_tail()}", pytrace=False
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"celery worker did not answer ping within 60 s:\n{log_tail()}", pytrace=False
                )
        running = RunningWorker(app=app, hostname=hostname, broker=redis_urls.broker)
        _STARTED.append(running)
        yield running
    finally:
        _STARTED.clear()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        app.conf.task_always_eager = was_eager


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless system Chromium (never a downloaded one)."""
    # Playwright's sync API runs an asyncio loop in this thread; without this, ORM calls made by
    # the test itself (e.g. creating rows for a live_server test) raise SynchronousOnlyOperation.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail(f"browser: chromium is not installed; {HOW_TO_RUN}.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies shared between tests) in Simplified Chinese."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


# The worlds a test may ask for, by fixture name: (city code, district code).
WORLD_REGIONS = {"world": ("440100", "440105"), "other_world": ("440300", "440305")}
_TRANSACTIONAL_FIXTURES = frozenset(
    {"transactional_db", "live_server", "django_db_reset_sequences", "celery_worker"}
)


def _is_transactional(item: pytest.Item) -> bool:
    """Does the test commit (``django_db(transaction=True)``, a live server, a Celery worker)?"""
    from pytest_django.fixtures import validate_django_db

    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transactional, reset_sequences, *_ = validate_django_db(marker)
        if transactional or reset_sequences:
            return True
    return bool(_TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.fixture(scope="module")
def _module_worlds(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[dict[str, Any] | None]:
    """The worlds the module's tests use, built once per module inside a transaction that is
    rolled back after the module's last test (each test runs in a savepoint inside it, so it
    sees the worlds as built and its own writes are undone).

    A module with any transactional test gets ``None``: committing tests cannot run inside an
    open transaction, so there every test builds its worlds itself (the function-scoped way).
    """
    items = [i for i in request.session.items if getattr(i, "module", None) is request.module]
    if any(_is_transactional(item) for item in items):
        yield None
        return
    wanted = [
        name
        for name in WORLD_REGIONS
        if any(name in getattr(item, "fixturenames", ()) for item in items)
    ]
    from django.db import transaction

    from tests.factories import world_create

    # A module whose tests all run at a frozen time (an autouse time-machine fixture) says when
    # its worlds are built with ``WORLD_TIME``, as they were when each test built its own.
    world_time = getattr(request.module, "WORLD_TIME", None)
    with django_db_blocker.unblock(), transaction.atomic():
        if world_time is None:
            built = {name: world_create(*WORLD_REGIONS[name]) for name in wanted}
        else:
            import time_machine

            with time_machine.travel(world_time, tick=False):
                built = {name: world_create(*WORLD_REGIONS[name]) for name in wanted}
        yield built
        transaction.set_rollback(True)


def _world_for_test(shared: dict[str, Any] | None, name: str) -> Any:
    """A copy of the module's world (its Python objects are the test's own; its rows are
    shared and restored after each test) or, in a transactional module, a new world."""
    from tests.factories import world_create, world_files_ensure

    if shared is not None and name in shared:
        world = copy.deepcopy(shared[name])
        world_files_ensure(world)
        return world

    return world_create(*WORLD_REGIONS[name])


@pytest.fixture
def world(_module_worlds: dict[str, Any] | None, db: None) -> Any:
    """A Guangzhou `tests.factories.World`: an organisation of each kind, logins, pending work."""
    return _world_for_test(_module_worlds, "world")


@pytest.fixture
def other_world(_module_worlds: dict[str, Any] | None, db: None) -> Any:
    """A second, Shenzhen world: another organisation's objects, for cross-organisation cases."""
    return _world_for_test(_module_worlds, "other_world")


@pytest.fixture(autouse=True)
def _throttles_reset() -> None:
    """Each test starts with no throttle counts (the cache outlives a test)."""
    from django.core.cache import cache

    cache.clear()

"""portal.boot: a gunicorn worker (portal.wsgi) and a Celery pool process freeze the objects
they booted with, out of the garbage collector's full passes (decision 0019)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _frozen_after(code: str) -> int:
    """How many objects a fresh interpreter has frozen after running ``code``."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport gc\nprint(gc.get_freeze_count())"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(result.stdout.strip().splitlines()[-1])


def test_the_wsgi_application_freezes_what_it_booted_with() -> None:
    assert _frozen_after("import portal.wsgi") > 10_000


def test_a_celery_pool_process_freezes_what_it_booted_with() -> None:
    code = (
        "import django\n"
        "from portal.celery import app\n"
        "django.setup()\n"
        "from celery.signals import worker_process_init\n"
        "worker_process_init.send(sender=None)"
    )
    assert _frozen_after(code) > 10_000


def test_nothing_is_frozen_before_a_pool_process_starts() -> None:
    code = "import django\nfrom portal.celery import app\ndjango.setup()"
    assert _frozen_after(code) == 0


def test_the_wsgi_application_builds_its_clients_without_connecting() -> None:
    """The cache's Redis client and Celery's producer and result backend are built at boot
    (their modules imported), and booting needs no Redis: nothing listens on port 1."""
    code = (
        "import os\n"
        "os.environ['REDIS_URL'] = 'redis://127.0.0.1:1/0'\n"
        "import sys\n"
        "import portal.wsgi\n"
        "from portal.celery import app\n"
        "print(app.conf.broker_url)\n"
        "wanted = ('redis', 'kombu.transport.redis', 'celery.backends.redis', 'celery.app.task')\n"
        "print(sorted(m for m in wanted if m not in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    *_, broker, missing = result.stdout.strip().splitlines()
    assert ":1/" in broker  # the unreachable Redis was the one configured
    assert missing == "[]"

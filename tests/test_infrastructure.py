"""The test infrastructure itself: real PostgreSQL, Redis, Celery worker and Chromium."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection

from portal.diagnostics import count_users, ping

needs_services = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"),
    reason="needs DATABASE_URL and REDIS_URL (make test)",
)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_task_round_trips_through_real_worker_on_test_database(celery_worker: Any) -> None:
    assert ping.delay().get(timeout=30) == "pong"
    before = count_users.delay().get(timeout=30)
    get_user_model().objects.create_user(
        username="infra-celery", email="infra@example.com", password="x-Very-long-pass-1"
    )
    assert count_users.delay().get(timeout=30) == before + 1


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_celery_worker_is_not_eager(celery_worker: Any) -> None:
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert celery_worker.conf.task_always_eager is False
    assert result.successful()
    assert result.task_id  # a real broker round trip, not an EagerResult
    assert type(result).__name__ == "AsyncResult"


@needs_services
@pytest.mark.django_db
def test_database_is_postgresql_under_make_test() -> None:
    assert connection.vendor == "postgresql"
    assert str(settings.DATABASES["default"]["NAME"]).startswith("test_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@needs_services
def test_redis_answers_ping_and_cache_is_per_xdist_worker(redis_urls: Any) -> None:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        assert client.ping() is True
    finally:
        client.close()
    assert redis_urls is not None
    assert settings.CACHES["default"]["LOCATION"] == redis_urls.cache
    cache.set("infra-key", "值", 30)
    assert cache.get("infra-key") == "值"


@pytest.mark.browser
def test_headless_chromium_renders_chinese(page: Any) -> None:
    page.set_content("<html lang='zh-CN'><body><h1 id='t'>继续教育学分</h1></body></html>")
    assert page.inner_text("#t") == "继续教育学分"
    assert page.evaluate("navigator.language") == "zh-CN"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_reaches_live_server(page: Any, live_server: Any) -> None:
    response = page.goto(f"{live_server.url}/static/definitely-missing.css")
    assert response is not None
    assert response.status == 404


def test_the_whole_suite_hashes_passwords_with_the_fast_hasher() -> None:
    """A bare `pytest` of any app uses MD5 (the root conftest), not PBKDF2's 1M iterations."""
    from django.contrib.auth.hashers import make_password

    assert make_password("any password at all").startswith("md5$")

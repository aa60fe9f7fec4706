"""The public calculator cannot be made expensive: body size, nesting depth, record count and
error count are capped and answered fast; the throttle keys on the real client address."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, RequestFactory

from credits.apis.compliance import (
    MAX_BODY_BYTES,
    MAX_DEPTH,
    MAX_ERRORS,
    MAX_RECORDS,
    ComplianceEvaluateApi,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/compliance/evaluate"


@pytest.fixture(autouse=True)
def _clear_throttle_history() -> None:
    cache.clear()


def post_raw(body: bytes | str, **extra: Any) -> Any:
    return Client().post(URL, body, content_type="application/json", **extra)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- nesting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 5000, 100_000])
def test_deeply_nested_json_is_a_400(depth: int) -> None:
    response = post_raw('{"year": 2023, "series": ' + nested(depth) + "}")

    assert response.status_code in (400, 413)
    assert "body" in response.json()["errors"]


def test_deeply_nested_json_is_a_400_under_production_settings(settings: Any) -> None:
    settings.DEBUG = False
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    response = post_raw(
        '{"year": 2023, "series": [], "records": ' + nested(5000) + "}",
        REMOTE_ADDR="172.16.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    assert response.status_code == 400
    assert "nested" in response.json()["errors"]["body"][0]


def test_the_deepest_valid_body_is_accepted() -> None:
    body = {
        "year": 2023,
        "series": ["engineering"],
        "profile": {"archives_degree": False},
        "records": [{"category": "public", "hours": 30}],
    }
    assert post_raw(json.dumps(body)).status_code == 200


# --- size -----------------------------------------------------------------------------------


def test_a_body_over_the_cap_is_a_413_json() -> None:
    filler = "x" * MAX_BODY_BYTES
    response = post_raw(json.dumps({"year": 2023, "series": [], "pad": filler}))

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "body" in response.json()["errors"]


def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    class Unreadable:
        def read(self, *args: Any) -> bytes:
            raise AssertionError("the body was read")

        readline = read

    request = RequestFactory().generic("POST", URL, b"{}", content_type="application/json")
    # A WSGI request that declares more than the cap and whose body must not be read.
    request.META["CONTENT_LENGTH"] = str(MAX_BODY_BYTES + 1)
    request._stream = Unreadable()  # type: ignore[assignment]
    response = ComplianceEvaluateApi.as_view()(request)

    assert response.status_code == 413


def test_a_body_just_under_the_cap_is_not_refused_for_its_size() -> None:
    body = json.dumps({"year": 2023, "series": ["engineering"], "records": []})
    body = body[:-1] + " " * (MAX_BODY_BYTES - len(body) - 1) + "}"
    assert len(body.encode()) == MAX_BODY_BYTES - 1

    assert post_raw(body).status_code == 200


# --- records and errors ------------------------------------------------------------------------


def test_more_records_than_the_cap_are_refused_without_validating_them() -> None:
    records = [{"category": "public", "hours": 1}] * (MAX_RECORDS + 1)
    response = post_raw(json.dumps({"year": 2023, "series": [], "records": records}))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["records"]


def test_many_unknown_keys_give_at_most_max_errors_paths_and_a_count() -> None:
    unknown = {f"k{number}": 1 for number in range(2000)}
    response = post_raw(json.dumps({"year": 2023, "series": [], **unknown}))

    assert response.status_code == 400
    body = response.json()
    assert len(body["errors"]) == MAX_ERRORS
    assert body["error_count"] > MAX_ERRORS
    assert len(response.content) < 4096


def test_many_bad_records_give_at_most_max_errors_paths() -> None:
    records = [{"category": "public", "hours": "x", f"u{n}": 1} for n in range(MAX_RECORDS)]
    body = json.dumps({"year": 2023, "series": [], "records": records})
    assert len(body) < MAX_BODY_BYTES
    response = post_raw(body)

    assert response.status_code == 400
    assert len(response.json()["errors"]) == MAX_ERRORS
    assert len(response.content) < 8192


def test_few_errors_are_all_reported_without_a_count() -> None:
    response = post_raw(json.dumps({"year": "x", "series": "y"}))

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"year", "series"}
    assert "error_count" not in response.json()


# --- the throttle key --------------------------------------------------------------------------


def _exhaust(forwarded: str, remote: str = "10.0.0.9") -> None:
    for number in range(60):
        response = post_raw(
            "{}",
            REMOTE_ADDR=remote,
            HTTP_X_FORWARDED_FOR=forwarded.format(n=number),
        )
        assert response.status_code == 400, number


def test_without_proxies_a_changed_forwarded_for_does_not_escape_the_throttle() -> None:
    with time_machine.travel(datetime(2026, 6, 1, 4, 0, tzinfo=UTC), tick=False):
        _exhaust("198.51.100.{n}")

        response = post_raw("{}", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="192.0.2.200")
        assert response.status_code == 429
        assert post_raw("{}", REMOTE_ADDR="10.0.0.10").status_code == 400


def test_behind_one_proxy_the_throttle_keys_on_the_forwarded_client(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "172.16.0.2"
    with time_machine.travel(datetime(2026, 6, 1, 4, 0, tzinfo=UTC), tick=False):
        # The client writes a different fake address each time; the proxy appends the real one.
        _exhaust("198.51.100.{n}, 203.0.113.7", remote=proxy)

        limited = post_raw("{}", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7")
        other = post_raw("{}", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.8")
        assert limited.status_code == 429
        assert other.status_code == 400


def test_the_base_settings_never_leave_num_proxies_unset() -> None:
    from rest_framework.settings import api_settings

    assert api_settings.NUM_PROXIES == 0


def test_the_parser_stops_reading_at_the_cap_whatever_the_declared_length() -> None:
    from io import BytesIO

    from credits.apis.compliance import BodyTooLarge, BoundedJSONParser

    stream = BytesIO(b"[" + b"0," * MAX_BODY_BYTES + b"0]")
    with pytest.raises(BodyTooLarge):
        BoundedJSONParser().parse(stream, "application/json", {})
    assert stream.tell() == MAX_BODY_BYTES + 1

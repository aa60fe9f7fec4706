"""The public calculator's worst bodies: server time per body up to the size cap.

Each body is posted through the whole Django stack (middleware, throttle, parser, serializer,
rules engine) with the test client; its time is the best of a few runs, printed beside a raw
floor measured in the same run (``json.loads`` of the same bytes) and against the goal:
under ``GOAL_MS`` of server time for any body up to ``MAX_BODY_BYTES``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import time
from collections.abc import Callable

from django.test import Client

from credits.apis.compliance import MAX_BODY_BYTES, MAX_DEPTH, MAX_RECORDS

URL = "/api/v1/compliance/evaluate"
GOAL_MS = 50.0
REPEAT = 5
_addresses = (f"10.{a}.{b}.{c}" for a, b, c in itertools.product(range(256), repeat=3))


def _fill(prefix: str, item: Callable[[int], str], suffix: str) -> bytes:
    """``prefix item(0),item(1),… suffix`` with as many items as fit under the cap."""
    parts: list[str] = []
    size = len(prefix) + len(suffix)
    for number in itertools.count():
        piece = item(number)
        if size + len(piece) + 1 > MAX_BODY_BYTES:
            break
        parts.append(piece)
        size += len(piece) + 1
    return (prefix + ",".join(parts) + suffix).encode()


def _valid_records() -> bytes:
    record = {
        "category": "professional",
        "series": "engineering",
        "kind": "inhouse_training",
        "approved_plan": True,
        "hours": "1.5",
        "year": 2023,
    }
    body = {"year": 2023, "series": ["engineering"], "records": [record] * MAX_RECORDS}
    return json.dumps(body).encode()


def bodies() -> dict[str, bytes]:
    return {
        f"{MAX_RECORDS} valid records": _valid_records(),
        "unknown top-level keys": _fill(
            '{"year": 2023, "series": [], ', lambda n: f'"k{n}": 0', "}"
        ),
        "records full of unknown keys": _fill(
            '{"year": 2023, "series": [], "records": [{"category": "public", ',
            lambda n: f'"k{n}": 0',
            "}]}",
        ),
        "bad records (cap count)": json.dumps(
            {
                "year": 2023,
                "series": [],
                "records": [{"category": "public", "hours": "x"}] * MAX_RECORDS,
            }
        ).encode(),
        "nested to the byte cap": (
            b'{"year": 2023, "series": '
            + b"[" * (MAX_BODY_BYTES // 2 - 20)
            + b"]" * (MAX_BODY_BYTES // 2 - 20)
            + b"}"
        ),
        f"nested {MAX_DEPTH + 1} deep, repeated": _fill(
            '{"year": 2023, "series": [], "records": [',
            lambda n: "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
            "]}",
        ),
        "long series list of long strings": _fill(
            '{"year": 2023, "series": [', lambda n: '"' + "s" * 1000 + '"', "]}"
        ),
        "one byte over the cap": b" " * (MAX_BODY_BYTES + 1),
    }


def _best(work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEAT):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def bench_calculator() -> bool:
    # The refused bodies would log one "Bad Request" warning per post.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    client = Client()
    print(f"calculator: bodies up to {MAX_BODY_BYTES // 1024} KB, goal < {GOAL_MS:g} ms each")
    ok = True
    for label, body in bodies().items():
        statuses: set[int] = set()

        def post(body: bytes = body, statuses: set[int] = statuses) -> None:
            response = client.post(
                URL, body, content_type="application/json", REMOTE_ADDR=next(_addresses)
            )
            statuses.add(response.status_code)

        def floor(body: bytes = body) -> None:
            with contextlib.suppress(ValueError, RecursionError):
                json.loads(body)

        seconds = _best(post)
        raw = _best(floor)
        ms = seconds * 1000
        met = ms < GOAL_MS
        ok = ok and met
        print(
            f"  {label:34} {len(body) / 1024:6.0f} KB  HTTP {sorted(statuses)}  "
            f"{ms:6.1f} ms vs json.loads {raw * 1000:5.1f} ms = {seconds / raw:5.1f}x  "
            f"{'OK' if met else 'MISSED'}",
            flush=True,
        )
    return ok

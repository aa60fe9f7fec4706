"""The load scenario of ``make bench`` (``bench.load``): run by locust in its own virtual
environment (``var/bench-venv``), not in the project's, so it imports nothing of the project.

Three kinds of users, each with a think time of ``WAIT`` seconds between requests:

* persons (weight 6): home page, progress of the bench year, own records list;
* reviewers (weight 2): the employer's review queue (waiting records, any status, approved,
  sorted by hours, filtered by year and category, page 50, a keyset page half-way down);
* calculator users (weight 2): the public compliance calculator API with a small body.

Persons and reviewers browse with sessions made beforehand by ``bench.load`` (no logins in
the measured window: password hashing would measure the login bound, not browsing). Every
user sends its own ``X-Forwarded-For`` (gunicorn runs with ``NUM_PROXIES=1``, as behind the
production proxy), so per-client throttles see many clients, as they would in production.
A response that is not 200, or that ends on the login page, counts as an error.

The settings come from the JSON file named by ``BENCH_LOAD_CONFIG``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from typing import Any

from locust import HttpUser, between, task

CONFIG: dict[str, Any] = json.loads(open(os.environ["BENCH_LOAD_CONFIG"]).read())  # noqa: SIM115
WAIT = between(0.5, 1.5)
_numbers = itertools.count(1)


class _User(HttpUser):
    abstract = True
    wait_time = WAIT
    session_key = ""

    def on_start(self) -> None:
        number = next(_numbers)
        self.headers = {
            "X-Forwarded-For": f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        }
        if self.session_key:
            self.headers["Cookie"] = f"{CONFIG['cookie']}={self.session_key}"

    def get(self, name: str, path: str, params: dict[str, str] | None = None) -> None:
        with self.client.get(
            path, params=params, headers=self.headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif CONFIG["login_path"] in response.url:
                response.failure("sent to the login page")


class Person(_User):
    weight = 6

    def on_start(self) -> None:
        self.session_key = random.choice(CONFIG["person_sessions"])
        super().on_start()

    @task(2)
    def home(self) -> None:
        self.get("person: home", CONFIG["home_path"])

    @task(2)
    def progress(self) -> None:
        self.get("person: progress", CONFIG["progress_path"])

    @task(2)
    def records(self) -> None:
        self.get("person: records", CONFIG["records_path"])


class Reviewer(_User):
    weight = 2

    def on_start(self) -> None:
        self.session_key = random.choice(CONFIG["reviewer_sessions"])
        super().on_start()

    def queue(self, name: str, **params: str) -> None:
        self.get(f"review: {name}", CONFIG["queue_path"], params)

    @task(3)
    def waiting(self) -> None:
        self.queue("waiting (default)")

    @task(2)
    def any_status(self) -> None:
        self.queue("status=all", status="all")

    @task(2)
    def approved(self) -> None:
        self.queue("status=approved", status="approved")

    @task(1)
    def approved_by_hours(self) -> None:
        self.queue("status=approved sort=-hours", status="approved", sort="-hours")

    @task(1)
    def any_status_by_hours(self) -> None:
        self.queue("status=all sort=-hours (restricted)", status="all", sort="-hours")

    @task(1)
    def filtered(self) -> None:
        self.queue(
            "status=approved year+category",
            status="approved",
            year=str(CONFIG["year"]),
            category="professional",
        )

    @task(1)
    def page_50(self) -> None:
        self.queue("status=all page=50", status="all", page="50")

    @task(1)
    def deep_keyset(self) -> None:
        self.queue("status=all deep keyset page", status="all", after=CONFIG["deep_cursor"])


class Calculator(_User):
    weight = 2
    # A person at the calculator pauses at least a second between checks: the API's throttle
    # (60 a minute per client) refuses anyone faster, by design, which is not what this
    # scenario measures.
    wait_time = between(1.0, 2.0)

    @task
    def evaluate(self) -> None:
        with self.client.post(
            CONFIG["calculator_path"],
            json=CONFIG["calculator_body"],
            headers=self.headers,
            name="calculator: evaluate",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

"""The review queue under load: an index for every sort it offers (checked on PostgreSQL's
plans over a few thousand rows), sorts without one refused on large sets, capped counts, and
keyset pagination beyond the numbered pages with a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation, Person
from credits.models import Record
from credits.selectors import review as selectors_review
from credits.selectors.review import (
    REVIEW_SORTS,
    ReviewFilters,
    keyset_after,
    keyset_cursor,
    review_queue,
)
from tests.factories import World, admin_of, bind, person_create

pytestmark = pytest.mark.django_db

STATUSES = ["approved"] * 7 + ["submitted"] * 2 + ["rejected"]
_titles = itertools.count()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _fill(employer: Organisation, persons: list[Person], count: int, *, seed: int = 0) -> None:
    """`count` records of `persons` under `employer`, spread over statuses, years, hours, dates
    and submission times (with ties, so the id tie-break matters)."""
    rows = []
    for i in range(count):
        n = i + seed
        year = 2019 + n % 6
        start = dt.date(year, 1 + n % 12, 1 + n % 28)
        rows.append(
            Record(
                person=persons[n % len(persons)],
                year=year,
                category=Record.Category.PUBLIC,
                hours=Decimal(1 + n % 40),
                original_amount=Decimal(1 + n % 40),
                title=f"Lecture {next(_titles)}",
                form=Record.Form.CLASS,
                start_date=start,
                end_date=start,
                status=STATUSES[n % len(STATUSES)],
                employer=employer,
            )
        )
    created = Record.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE credits_record SET created_at = %s - (id %% 500) * interval '1 minute'"
            " WHERE id = ANY(%s)",
            [dt.datetime(2024, 6, 1, tzinfo=dt.UTC), [r.pk for r in created]],
        )


def _staff(employer: Organisation, count: int) -> list[Person]:
    persons = [person_create() for _ in range(count)]
    for person in persons:
        bind(person, employer)
    return persons


@pytest.fixture
def loaded(world: World, other_world: World) -> World:
    """Four thousand records of world's employer, four thousand of another one."""
    _fill(world.employer, [world.person, *_staff(world.employer, 4)], 4000)
    _fill(other_world.employer, [other_world.person], 4000, seed=7)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE credits_record")
        cursor.execute("ANALYZE accounts_employment")
    return world


def _plan(qs: Any) -> str:
    return str(qs.explain())


# --- every sort has a matching index --------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "sort", "index"),
    [
        ("submitted", "submitted", "credits_rec_q_status_sub"),
        # 70% of the rows are approved: walking the all-status index is as good.
        ("approved", "-submitted", "credits_rec_q_status_sub|credits_rec_q_submitted"),
        ("", "submitted", "credits_rec_q_submitted"),  # status=all, the 1-second query
        ("", "-submitted", "credits_rec_q_submitted"),
        ("approved", "-hours", "credits_rec_q_status_hours"),
        ("approved", "hours", "credits_rec_q_status_hours"),
        ("approved", "-start_date", "credits_rec_q_status_start"),
        ("approved", "year", "credits_rec_q_status_year"),
    ],
)
def test_each_queue_sort_reads_its_index(loaded: World, status: str, sort: str, index: str) -> None:
    qs = review_queue(loaded.employer, filters=ReviewFilters(status=status), sort=sort)

    plan = _plan(qs[:21])

    assert any(name in plan for name in index.split("|"))
    assert "Sort Key" not in plan  # the index gives the order: no sort of the employer's rows
    assert "Seq Scan on credits_record" not in plan


def test_a_deep_keyset_page_starts_inside_the_index(loaded: World) -> None:
    filters = ReviewFilters(status="")
    qs = review_queue(loaded.employer, filters=filters)
    middle = qs[2000]
    deep = keyset_after(qs, sort="submitted", after=keyset_cursor(middle, "submitted"))
    assert deep is not None

    plan = _plan(deep[:21])

    assert "credits_rec_q_submitted" in plan
    # The cursor is an index range (not a filter over the 2,000 rows before it).
    assert re.search(r"Index Cond: .*created_at >=", plan)


def test_the_capped_count_stops_reading_at_the_cap(loaded: World) -> None:
    qs = selectors_review.review_queue_filtered(loaded.employer, filters=ReviewFilters(status=""))

    exact = qs.count()  # 4000 and world's own records
    assert selectors_review.capped_count(qs, cap=100) is None
    assert selectors_review.capped_count(qs, cap=exact - 1) is None
    assert selectors_review.capped_count(qs, cap=exact) == exact
    assert "LIMIT 101" in str(qs.order_by()[:101].query)


# --- behaviour through the page -------------------------------------------------------------


def _url(world: World, **params: Any) -> str:
    url = reverse("credits:review_queue", kwargs={"organisation_id": world.employer.pk})
    return f"{url}?{urlencode(params)}" if params else url


@pytest.fixture
def client(world: World) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_of(world.employer))
    return client


@pytest.fixture
def queue(world: World) -> World:
    """65 records: 42 under review, the rest approved or rejected; hours with many ties."""
    _fill(world.employer, [world.person, *_staff(world.employer, 2)], 65)
    return world


def _walk(client: Client, first_url: str) -> tuple[list[int], list[str]]:
    """Every record id met by following the Next links from `first_url`, and the links."""
    seen: list[int] = []
    links: list[str] = []
    url: str | None = first_url
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200
        seen += [r.pk for r in response.context["page"]]
        found = re.search(r'href="([^"]+)" rel="next"', response.text)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            links.append(url)
        assert len(links) < 20
    return seen, links


@pytest.mark.parametrize("sort", ["submitted", "-submitted", "-hours", "person", "-start_date"])
def test_pages_beyond_the_numbered_ones_continue_by_keyset_without_gaps(
    queue: World, client: Client, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    monkeypatch.setattr(selectors_review, "PAGE_NUMBER_LIMIT", 2)
    expected = [
        r.pk for r in review_queue(queue.employer, filters=ReviewFilters(status=""), sort=sort)
    ]

    seen, links = _walk(client, _url(queue, status="all", sort=sort))

    assert seen == expected  # 65 rows: pages 1 and 2 by number, then two keyset pages
    assert "page=2" in links[0]
    assert all("after=" in link and "page=" not in link for link in links[1:])
    assert len(links) == 3


def test_a_keyset_page_links_back_to_the_first_page_and_keeps_the_filters(
    queue: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors_review, "PAGE_NUMBER_LIMIT", 1)
    first = client.get(_url(queue, status="all", category="public"))
    later_url = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert later_url is not None
    later = client.get(later_url.group(1).replace("&amp;", "&"))

    assert later.context["page"].number is None
    assert "A later page" in later.text
    text = html.unescape(later.text)
    assert f'href="{_url(queue)}?status=all&category=public&page=1">First page' in text
    assert {r.category for r in later.context["page"]} == {"public"}


def test_a_decision_on_a_keyset_page_returns_to_that_page(
    queue: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors_review, "PAGE_NUMBER_LIMIT", 1)
    first = client.get(_url(queue, status="all"))
    cursor = first.context["page"].next_after
    later = client.get(_url(queue, status="all", after=cursor))
    query = re.search(r'name="query" value="([^"]*)"', later.text)
    assert query is not None
    waiting = next(r for r in later.context["page"] if r.status == "submitted")

    response = client.post(
        reverse("credits:review_decide", kwargs={"organisation_id": queue.employer.pk}),
        {
            "decision": "approve",
            "record_ids": [waiting.pk],
            "query": html.unescape(query.group(1)),
        },
    )

    assert response.status_code == 302
    back = client.get(response["Location"])
    assert back.context["page"].number is None  # the same later page, not page 1
    assert [r.pk for r in back.context["page"]] == [r.pk for r in later.context["page"]]


def test_a_bad_cursor_shows_the_first_page(queue: World, client: Client) -> None:
    response = client.get(_url(queue, status="all", after="not-a-date,12"))

    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_a_keyset_page_runs_as_many_queries_as_the_first(
    queue: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors_review, "PAGE_NUMBER_LIMIT", 1)
    client.get(_url(queue, status="all"))  # warm the session
    with CaptureQueriesContext(connection) as first:
        response = client.get(_url(queue, status="all"))
    cursor = response.context["page"].next_after
    assert cursor
    with CaptureQueriesContext(connection) as later:
        assert client.get(_url(queue, status="all", after=cursor)).status_code == 200

    assert len(later.captured_queries) == len(first.captured_queries)


def test_counts_above_the_cap_say_more_than(
    queue: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors_review, "COUNT_CAP", 50)

    above = client.get(_url(queue, status="all"))  # 65 rows
    below = client.get(_url(queue))  # the records under review: fewer than 50

    assert above.context["page"].count is None
    assert "Page 1 · more than 50 in all" in above.text
    assert "Apply to all of the more than 50 records matching the filter" in above.text
    waiting = Record.objects.filter(employer_id=queue.employer.pk, status="submitted").count()
    assert below.context["page"].count == waiting
    assert f"Apply to all {waiting} records matching the filter" in below.text


def test_a_sort_without_an_index_is_refused_only_on_a_large_set(
    queue: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors_review, "COUNT_CAP", 50)
    by_time = list(review_queue(queue.employer, filters=ReviewFilters(status="")))[:20]

    large = client.get(_url(queue, status="all", sort="-hours"))  # 65 rows, no index
    indexed = client.get(_url(queue, status="approved", sort="-hours"))
    small = client.get(_url(queue, status="submitted", sort="person"))  # no index, few rows

    assert large.context["page"].sort_refused
    assert [r.pk for r in large.context["page"]] == [r.pk for r in by_time]
    assert 'data-testid="sort-refused"' in large.text
    for response, sort in ((indexed, "-hours"), (small, "person")):
        page = response.context["page"]
        assert not page.sort_refused
        assert page.sort == sort
        assert 'data-testid="sort-refused"' not in response.text
    hours = [r.hours for r in indexed.context["page"]]
    assert hours == sorted(hours, reverse=True)


def test_every_offered_sort_is_indexed_or_refused_above_the_cap() -> None:
    """A new sort must get an index (and a line here) or stay refused on large sets."""
    assert set(REVIEW_SORTS) == {
        "start_date",
        "-start_date",
        "year",
        "-year",
        "hours",
        "-hours",
        "person",
        "-person",
        "submitted",
        "-submitted",
    }
    anything = ReviewFilters(status="")
    approved = ReviewFilters(status="approved")
    for sort in REVIEW_SORTS:
        assert selectors_review.sort_is_indexed(sort, approved) == (
            sort not in ("person", "-person")
        )
        assert selectors_review.sort_is_indexed(sort, anything) == (
            sort in ("submitted", "-submitted")
        )

"""CSV and XLSX exports of the staff list, the review queue and the audit log.

Each export holds what its page shows (filter applied, every matching row, not one page),
masks ID numbers, escapes spreadsheet formulas, keeps its list's access policy and runs a
fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.http.response import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.validators import mask_id_number
from portal.exports import escape_formula
from tests.factories import World, admin_of, bind, person_create, record_make

pytestmark = pytest.mark.django_db


def _client(world: World) -> Client:
    client = Client()
    client.force_login(admin_of(world.employer))
    return client


def _body(response: HttpResponseBase) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def _csv_rows(response: HttpResponseBase) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_rows(response: HttpResponseBase) -> list[list[Any]]:
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(_body(response)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def _url(name: str, world: World, query: str = "") -> str:
    url = reverse(name, kwargs={"organisation_id": world.employer.pk})
    return f"{url}?{query}" if query else url


# --- unit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\r=1"])
def test_formula_cells_get_a_leading_apostrophe(value: str) -> None:
    assert escape_formula(value) == "'" + value


def test_plain_text_is_left_alone() -> None:
    assert escape_formula("工程 = 安全") == "工程 = 安全"


def test_mask_id_number_keeps_region_and_last_four() -> None:
    assert mask_id_number("44010619900101123X") == "440106********123X"
    assert mask_id_number("12345") == "*****"  # too short to keep both ends: all hidden


# --- staff list ---------------------------------------------------------------------------


def test_staff_csv_lists_every_confirmed_staff_member_with_masked_id(world: World) -> None:
    rows = _csv_rows(_client(world).get(_url("accounts:staff_export_csv", world)))
    person = world.person
    assert rows[0][:3] == ["姓名", "公民身份号码", "专业系列"]
    assert rows[1][0] == person.real_name
    assert rows[1][1] == mask_id_number(person.id_number)
    assert person.id_number not in _body(
        _client(world).get(_url("accounts:staff_export_csv", world))
    ).decode("utf-8")
    assert len(rows) == 2


def test_staff_xlsx_applies_the_search_filter(world: World) -> None:
    other = person_create()
    bind(other, world.employer)
    client = _client(world)
    everyone = _xlsx_rows(client.get(_url("accounts:staff_export_xlsx", world)))
    assert {r[0] for r in everyone[1:]} == {world.person.real_name, other.real_name}
    found = _xlsx_rows(
        client.get(_url("accounts:staff_export_xlsx", world, f"q={other.real_name}"))
    )
    assert [r[0] for r in found[1:]] == [other.real_name]
    assert found[1][1] == mask_id_number(other.id_number)


def test_staff_export_holds_all_rows_not_one_page(world: World) -> None:
    for _ in range(22):  # more than a page of 20
        bind(person_create(), world.employer)
    rows = _csv_rows(_client(world).get(_url("accounts:staff_export_csv", world)))
    assert len(rows) == 1 + 23


# --- review queue -------------------------------------------------------------------------


def test_review_export_applies_the_filter_and_escapes_formulas(world: World) -> None:
    record_make(world.person, world.employer, title='=HYPERLINK("http://x")', status="submitted")
    client = _client(world)
    submitted = _csv_rows(client.get(_url("credits:review_export_csv", world, "status=submitted")))
    titles = {r[5] for r in submitted[1:]}
    assert titles == {world.record.title, '\'=HYPERLINK("http://x")'}
    assert all(r[9] == "待审核" for r in submitted[1:])
    assert submitted[1][1] == mask_id_number(world.person.id_number)

    approved = _xlsx_rows(client.get(_url("credits:review_export_xlsx", world, "status=approved")))
    assert [r[5] for r in approved[1:]] == [world.approved_record.title]

    everything = _xlsx_rows(client.get(_url("credits:review_export_xlsx", world)))
    assert '\'=HYPERLINK("http://x")' in {r[5] for r in everything[1:]}


# --- audit log ----------------------------------------------------------------------------


def test_audit_export_shows_sentences_not_codes(world: World) -> None:
    client = _client(world)
    csv_rows = _csv_rows(client.get(_url("accounts:audit_export_csv", world)))
    xlsx_rows = _xlsx_rows(client.get(_url("accounts:audit_export_xlsx", world)))
    sentences = [r[2] for r in csv_rows[1:]]
    assert [r[2] for r in xlsx_rows[1:]] == sentences
    assert sentences, "the world's employer has audit entries"
    assert not any("employment." in s or "accounts." in s for s in sentences)
    assert any(world.person.real_name in s and "确认" in s for s in sentences)


# --- access -------------------------------------------------------------------------------

EXPORTS = [
    "accounts:staff_export_csv",
    "accounts:staff_export_xlsx",
    "credits:review_export_csv",
    "credits:review_export_xlsx",
    "accounts:audit_export_csv",
    "accounts:audit_export_xlsx",
]


@pytest.mark.parametrize("name", EXPORTS[:4])
def test_a_member_without_the_list_permission_cannot_export(name: str, world: World) -> None:
    client = Client()
    client.force_login(world.staff_membership.user)
    assert client.get(_url(name, world)).status_code in (403, 404)


# --- queries ------------------------------------------------------------------------------


def _export_queries(client: Client, url: str) -> int:
    _body(client.get(url))  # warm per-process caches
    with CaptureQueriesContext(connection) as ctx:
        _body(client.get(url))
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", EXPORTS)
def test_export_runs_a_fixed_number_of_queries(name: str, world: World) -> None:
    client = _client(world)
    url = _url(name, world)
    few = _export_queries(client, url)
    for i in range(12):
        person = person_create()
        bind(person, world.employer)
        record_make(person, world.employer, title=f"课程 {i}")
    many = _export_queries(client, url)
    assert many == few


def test_list_pages_link_to_their_exports_with_the_filter(world: World) -> None:
    client = _client(world)
    queue = client.get(_url("credits:review_queue", world, "status=approved")).content.decode()
    assert _url("credits:review_export_csv", world, "status=approved") in queue
    assert _url("credits:review_export_xlsx", world, "status=approved") in queue
    staff = client.get(_url("accounts:staff_list", world, "q=abc")).content.decode()
    assert _url("accounts:staff_export_xlsx", world, "q=abc") in staff
    log = client.get(_url("accounts:audit_log", world)).content.decode()
    assert _url("accounts:audit_export_csv", world) in log

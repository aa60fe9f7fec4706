"""Employers entering records for their staff: one by one and by sheet (credits.services.entry)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from accounts.models import AuditEntry, Employment, Notice, Person
from credits.models import ImportJob, Record
from credits.selectors.review import ReviewFilters, review_queue
from credits.services import records_review
from credits.services.entry import import_job_process, import_start, record_enter
from credits.sheets import COLUMNS, SHEET_MAX_ROWS, SheetError, sheet_format
from tests.factories import PDF_BYTES, World, admin_of, bind, person_create

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2024, 4, 1, 10, tzinfo=SHANGHAI)
TODAY = NOW.date()
WORLD_TIME = NOW  # the module's world is built at the time its tests run (conftest)
HEADER = [c.header for c in COLUMNS]


@pytest.fixture(autouse=True)
def _frozen_english(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LANGUAGE_CODE = "en"
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def declaration(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "year": 2023,
        "category": "professional",
        "series_code": "engineering",
        "amount": Decimal(8),
        "unit": "hours",
        "title": "Bridge design code update",
        "form": "class",
        "start_date": dt.date(2023, 5, 10),
        "end_date": dt.date(2023, 5, 10),
        "assessment_result": "pass",
        "institution_name": "Guangzhou CE centre",
        "kind": "",
        "approved_plan": False,
    }
    data.update(overrides)
    return data


def enter(world: World, person: Person | None = None, **overrides: Any) -> Record:
    person = person or world.person
    return record_enter(
        actor=admin_of(world.employer),
        employer=world.employer,
        id_number=person.id_number,
        real_name=person.real_name,
        declaration=declaration(**overrides),
    )


# --- one by one -------------------------------------------------------------------------------


def test_an_entered_record_lands_in_the_employers_review_queue_marked_as_entered(
    world: World,
) -> None:
    admin = admin_of(world.employer)
    record = enter(world)

    record.refresh_from_db()
    assert record.status == Record.Status.SUBMITTED
    assert record.employer_id == world.employer.pk
    assert record.source == Record.Source.EMPLOYER
    assert (record.entered_by_id, record.entered_by_organisation_id) == (
        admin.pk,
        world.employer.pk,
    )
    assert record.hours == Decimal(8)
    assert record in review_queue(world.employer, filters=ReviewFilters())
    entry = AuditEntry.objects.get(target_type="credits.record", target_id=str(record.pk))
    assert (entry.action, entry.actor_id, entry.organisation_id, entry.to_state) == (
        "record.enter",
        admin.pk,
        world.employer.pk,
        "submitted",
    )
    notice = Notice.objects.get(recipient=world.person.user, kind="record_entered")
    assert world.employer.name in notice.text and "Bridge design code update" in notice.text


def test_an_entered_record_is_certified_by_the_employers_review(world: World) -> None:
    record = enter(world)
    reviewer = person_create().user  # a second reviewer of the employer
    from tests.factories import member_link

    member_link(world.employer, reviewer, "reviewer")
    result = records_review(
        reviewer=reviewer, employer=world.employer, record_ids=[record.pk], decision="approve"
    )
    assert result.decided == 1
    record.refresh_from_db()
    assert record.status == Record.Status.APPROVED


def test_entered_records_follow_the_declaration_rules(world: World) -> None:
    before = Record.objects.count()
    with pytest.raises(ValidationError) as caught:
        enter(world, series_code="accounting")  # the person holds engineering only
    assert "series" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        enter(world, end_date=dt.date(2023, 5, 9))
    assert "end_date" in caught.value.message_dict
    enter(world)
    with pytest.raises(ValidationError) as caught:
        enter(world)  # the same content and dates again
    assert "title" in caught.value.message_dict
    assert Record.objects.count() == before + 1


@pytest.mark.parametrize("who", ["former", "other_employer", "wrong_name", "unbound"])
def test_only_confirmed_staff_can_have_records_entered(
    world: World, other_world: World, who: str
) -> None:
    person = person_create()
    name = person.real_name
    if who == "former":
        bind(person, world.employer)
        Employment.objects.filter(person=person).update(status=Employment.Status.ENDED)
    elif who == "other_employer":
        bind(person, other_world.employer)
    elif who == "wrong_name":
        bind(person, world.employer)
        name = "别人"
    before = Record.objects.count()
    with pytest.raises(ValidationError) as caught:
        record_enter(
            actor=admin_of(world.employer),
            employer=world.employer,
            id_number=person.id_number,
            real_name=name,
            declaration=declaration(),
        )
    assert "confirmed as your staff" in caught.value.message_dict["id_number"][0]
    assert Record.objects.count() == before


def test_a_member_who_does_not_review_cannot_enter(world: World) -> None:
    with pytest.raises(PermissionDenied):
        record_enter(
            actor=world.staff_membership.user,
            employer=world.employer,
            id_number=world.person.id_number,
            real_name=world.person.real_name,
            declaration=declaration(),
        )


# --- pages ------------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def form_data(person: Person, **overrides: Any) -> dict[str, Any]:
    data = {
        "id_number": person.id_number,
        "real_name": person.real_name,
        "year": 2023,
        "category": "professional",
        "series": "engineering",
        "amount": "8",
        "unit": "hours",
        "title": "Bridge design code update",
        "form": "class",
        "start_date": "2023-05-10",
        "end_date": "2023-05-10",
        "assessment_result": "pass",
        "institution_name": "Guangzhou CE centre",
        "kind": "",
    }
    data.update(overrides)
    return data


def test_entry_form_enters_and_opens_the_record_in_the_queue(world: World) -> None:
    url = reverse("credits:record_enter", kwargs={"organisation_id": world.employer.pk})
    client = client_for(admin_of(world.employer))
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(world.person))
    record = Record.objects.get(source="employer", person=world.person)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "credits:record_review_detail",
        kwargs={"organisation_id": world.employer.pk, "record_id": record.pk},
    )
    detail = client.get(response["Location"]).content.decode()
    assert f"entered by {admin_of(world.employer).username}" in detail


def test_entry_form_shows_rule_errors_on_their_fields(world: World) -> None:
    url = reverse("credits:record_enter", kwargs={"organisation_id": world.employer.pk})
    response = client_for(admin_of(world.employer)).post(
        url, form_data(world.person, series="accounting", real_name="别人")
    )
    assert response.status_code == 200
    assert "confirmed as your staff" in " ".join(response.context["form"].errors["id_number"])
    assert not Record.objects.filter(source="employer").exists()


def test_entry_pages_refuse_persons_staff_and_other_employers(
    world: World, other_world: World
) -> None:
    urls = [
        reverse(name, kwargs={"organisation_id": world.employer.pk})
        for name in ("credits:record_enter", "credits:imports", "credits:import_template_csv")
    ]
    urls.append(
        reverse(
            "credits:import_job",
            kwargs={"organisation_id": world.employer.pk, "import_id": world.import_job.pk},
        )
    )
    for user in (world.person.user, world.staff_membership.user, admin_of(other_world.employer)):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code in (403, 404), (user, url)
            assert client.post(url, form_data(world.person)).status_code in (403, 404)
    # The other employer's own pages do not show this employer's import either.
    other = reverse(
        "credits:import_job",
        kwargs={"organisation_id": other_world.employer.pk, "import_id": world.import_job.pk},
    )
    assert client_for(admin_of(other_world.employer)).get(other).status_code == 404
    assert not Record.objects.filter(source="employer").exists()


def test_the_person_sees_the_record_marked_as_entered_by_the_employer(world: World) -> None:
    record = enter(world)
    client = client_for(world.person.user)
    listing = client.get(reverse("credits:my_records")).content.decode()
    assert f"Entered by your employer {world.employer.name}" in listing
    detail = client.get(reverse("credits:record_detail", kwargs={"record_id": record.pk}))
    assert f"Entered by your employer {world.employer.name}" in detail.content.decode()


def test_the_persons_list_of_entered_records_runs_a_fixed_number_of_queries(
    world: World, other_world: World
) -> None:
    client = client_for(world.person.user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("credits:my_records")).status_code == 200
        return len(captured)

    enter(world, title="第一条")
    few = queries()
    for n in range(5):
        enter(world, title=f"更多 {n}")
    assert queries() == few


# --- sheets -----------------------------------------------------------------------------------


def row(person: Person, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "身份证号码": person.id_number,
        "姓名": person.real_name,
        "年度": 2023,
        "类别": "专业科目",
        "专业系列": "工程",
        "学时": 8,
        "计量单位": "学时",
        "内容": "建筑工程质量安全专题培训",
        "形式": "面授培训",
        "开始日期": "2023-05-08",
        "结束日期": "2023-05-08",
        "考核结果": "合格",
        "施教机构": "广州市继续教育基地",
        "类型": "",
    }
    values.update(overrides)
    return values


def csv_bytes(rows: list[dict[str, Any]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for values in rows:
        writer.writerow([values.get(h, "") for h in HEADER])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for values in rows:
        sheet.append([values.get(h) for h in HEADER])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run_import(
    world: World, content: bytes, name: str, django_capture_on_commit_callbacks: Any
) -> ImportJob:
    with django_capture_on_commit_callbacks() as queued:
        job = import_start(
            actor=admin_of(world.employer),
            employer=world.employer,
            content=content,
            original_name=name,
        )
    assert len(queued) == 1  # the task is queued after commit
    return import_job_process(job=job, today=TODAY)


@pytest.fixture(params=["postgresql", "portable"])
def insert_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of writing a sheet's rows: PostgreSQL's set-based SQL, and the ORM's bulk
    inserts of SQLite (forced here on any database)."""
    from credits.services import entry

    if request.param == "postgresql":
        if connection.vendor != "postgresql":
            pytest.skip("the set-based path runs on PostgreSQL only")
    else:
        monkeypatch.setattr(entry, "_insert_postgresql", entry._insert_portable)
    return str(request.param)


def test_a_good_csv_sheet_enters_every_row_for_review(
    world: World, django_capture_on_commit_callbacks: Any, insert_path: str
) -> None:
    second = person_create()
    bind(second, world.employer)
    rows = [
        row(world.person),
        row(world.person, 内容="装配式建筑", 学时=2, 计量单位="天", 结束日期="2023/05/09"),
        row(second, 类别="公需科目", 专业系列="", 学时=6),
    ]
    job = run_import(world, csv_bytes(rows), "records.csv", django_capture_on_commit_callbacks)

    assert (job.status, job.total, job.done, job.created, job.errors) == (
        "finished",
        3,
        3,
        3,
        [],
    )
    records = Record.objects.filter(import_job=job).order_by("pk")
    assert [r.hours for r in records] == [Decimal(8), Decimal(16), Decimal(6)]
    assert {(r.source, r.status, r.employer_id, r.entered_by_organisation_id) for r in records} == {
        ("employer", "submitted", world.employer.pk, world.employer.pk)
    }
    assert records[1].original_unit == "days" and records[2].series is None
    audit = AuditEntry.objects.filter(
        action="record.import", target_id__in=[str(r.pk) for r in records]
    )
    assert audit.count() == 3
    assert {a.actor_id for a in audit} == {admin_of(world.employer).pk}
    notice = Notice.objects.get(kind="record_entered", recipient=second.user)
    assert notice.link == reverse("credits:record_detail", kwargs={"record_id": records[2].pk})
    assert notice.params == {"title": "建筑工程质量安全专题培训", "by": world.employer.name}
    assert Notice.objects.filter(kind="record_entered", recipient=world.person.user).count() == 2
    assert AuditEntry.objects.filter(action="import.finish", target_id=str(job.pk)).exists()


def test_an_old_sheet_ticking_the_approved_plan_enters_inhouse_training_as_not_approved(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Decision 0018: the sheet lost its "approved plan" column; an old sheet still naming it
    is read (unknown columns are ignored) but a 是 there approves nothing."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*HEADER, "培训计划已获批准"])
    values = row(world.person, 类型="单位内部培训")
    writer.writerow([*(values.get(h, "") for h in HEADER), "是"])
    content = out.getvalue().encode("utf-8-sig")
    job = run_import(world, content, "old.csv", django_capture_on_commit_callbacks)

    assert (job.status, job.created) == ("finished", 1)
    record = Record.objects.get(import_job=job)
    assert (record.kind, record.approved_plan) == ("inhouse_training", False)


def test_a_good_xlsx_sheet_with_real_dates_and_gb18030_csv_are_read(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    rows = [row(world.person, 开始日期=dt.datetime(2023, 6, 1), 结束日期=dt.date(2023, 6, 1))]
    job = run_import(world, xlsx_bytes(rows), "records.xlsx", django_capture_on_commit_callbacks)
    assert (job.format, job.status, job.created) == ("xlsx", "finished", 1)
    assert Record.objects.get(import_job=job).start_date == dt.date(2023, 6, 1)

    gb = csv_bytes([row(world.person, 内容="档案管理")], encoding="gb18030")
    job = run_import(world, gb, "records.csv", django_capture_on_commit_callbacks)
    assert (job.format, job.status, job.created) == ("csv", "finished", 1)
    assert Record.objects.get(import_job=job).title == "档案管理"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_bad_row_is_reported_by_line_and_column_and_nothing_is_saved(
    world: World, django_capture_on_commit_callbacks: Any, fmt: str
) -> None:
    before = Record.objects.count()
    rows = [
        row(world.person),
        row(world.person, 内容="第二条"),
        row(world.person, 内容="第三条", 学时="八"),
        row(world.person, 内容="第四条", 专业系列="会计"),  # not a series the person holds
    ]
    content = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    job = run_import(world, content, f"records.{fmt}", django_capture_on_commit_callbacks)

    assert job.status == "rejected"
    assert Record.objects.count() == before
    assert not Notice.objects.filter(kind="record_entered").exists()
    assert [(e["line"], e["column"]) for e in job.errors] == [(4, "学时"), (5, "专业系列")]
    assert job.error_count == 2
    page = client_for(admin_of(world.employer)).get(
        reverse(
            "credits:import_job",
            kwargs={"organisation_id": world.employer.pk, "import_id": job.pk},
        )
    )
    text = page.content.decode()
    assert "2 problems found; nothing from this sheet was saved" in text
    assert "Enter a number." in text


def test_line_and_column_message_reads_in_chinese(
    world: World, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    rows = [row(world.person), row(world.person, 内容="第二条", 学时="八")]
    with translation.override("zh-hans"):
        job = run_import(world, csv_bytes(rows), "r.csv", django_capture_on_commit_callbacks)
        response = client_for(admin_of(world.employer)).get(
            reverse(
                "credits:import_errors_csv",
                kwargs={"organisation_id": world.employer.pk, "import_id": job.pk},
            ),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        page = client_for(admin_of(world.employer)).get(
            reverse(
                "credits:import_job",
                kwargs={"organisation_id": world.employer.pk, "import_id": job.pk},
            ),
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    exported = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "3,学时," in exported
    assert "第 3 行，“学时”列：" in page.content.decode()


def test_rows_repeating_each_other_or_an_open_record_are_duplicates(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    enter(
        world,
        title="建筑工程质量安全专题培训",
        start_date=dt.date(2023, 5, 8),
        end_date=dt.date(2023, 5, 8),
    )
    job = run_import(
        world,
        csv_bytes([row(world.person, 结束日期="2023-05-08"), row(world.person, 内容="新课")]),
        "r.csv",
        django_capture_on_commit_callbacks,
    )
    assert job.status == "rejected"
    assert [(e["line"], e["column"]) for e in job.errors] == [(2, "内容")]

    job = run_import(
        world,
        csv_bytes([row(world.person, 内容="新课"), row(world.person, 内容="新课")]),
        "r.csv",
        django_capture_on_commit_callbacks,
    )
    assert [(e["line"], e["column"]) for e in job.errors] == [(3, "内容")]
    assert not Record.objects.filter(title="新课").exists()


def test_rows_of_former_staff_and_bad_id_numbers_are_refused(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    former = person_create()
    bind(former, world.employer)
    Employment.objects.filter(person=former).update(status=Employment.Status.ENDED)
    bad_check = world.person.id_number[:17] + ("0" if world.person.id_number[17] != "0" else "1")
    job = run_import(
        world,
        csv_bytes([row(former), row(world.person, 身份证号码=bad_check), row(world.person)]),
        "r.csv",
        django_capture_on_commit_callbacks,
    )
    assert [(e["line"], e["column"]) for e in job.errors] == [(2, "身份证号码"), (3, "身份证号码")]
    assert "check character" in job.errors[1]["message"]
    assert not Record.objects.filter(import_job=job).exists()


def test_a_sheet_without_the_template_header_is_refused(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    content = "姓名,年度\n张三,2023\n".encode()
    job = run_import(world, content, "r.csv", django_capture_on_commit_callbacks)
    assert job.status == "rejected"
    assert "身份证号码" in job.errors[0]["message"]


@pytest.mark.parametrize(
    "content",
    [
        PDF_BYTES,
        b"PK\x03\x04 not really a zip",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,  # an old .xls
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,
    ],
    ids=["pdf", "broken-zip", "xls", "png"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_whatever_its_name(
    world: World, content: bytes
) -> None:
    url = reverse("credits:imports", kwargs={"organisation_id": world.employer.pk})
    upload = io.BytesIO(content)
    upload.name = "records.xlsx"
    response = client_for(admin_of(world.employer)).post(url, {"sheet": upload})
    assert response.status_code == 200
    assert "not an Excel workbook" in " ".join(response.context["form"].errors["sheet"])
    assert not ImportJob.objects.filter(employer_id=world.employer.pk, status="queued").exists()


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(SheetError):
        sheet_format(out.getvalue())


def test_a_sheet_with_too_many_rows_is_refused(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    lines = [",".join(HEADER)] + ["x"] * (SHEET_MAX_ROWS + 1)
    job = run_import(
        world, "\n".join(lines).encode(), "big.csv", django_capture_on_commit_callbacks
    )
    assert job.status == "rejected"
    assert "more than 10000 rows" in job.errors[0]["message"]


def test_upload_page_starts_a_job_and_its_page_shows_the_progress(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("credits:imports", kwargs={"organisation_id": world.employer.pk})
    upload = io.BytesIO(csv_bytes([row(world.person)]))
    upload.name = "records.csv"
    client = client_for(admin_of(world.employer))
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(url, {"sheet": upload})
    job = ImportJob.objects.get(employer_id=world.employer.pk, status="queued")
    assert len(queued) == 1
    assert response["Location"] == reverse(
        "credits:import_job", kwargs={"organisation_id": world.employer.pk, "import_id": job.pk}
    )
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page and "0 of 0 rows checked" in page
    import_job_process(job=job, today=TODAY)
    page = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' not in page and "1 record entered" in page


def test_running_a_finished_job_again_creates_nothing_more(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    job = run_import(
        world, csv_bytes([row(world.person)]), "r.csv", django_capture_on_commit_callbacks
    )
    assert job.created == 1
    import_job_process(job=job, today=TODAY)  # a redelivered task
    assert Record.objects.filter(source="employer").count() == 1
    job.refresh_from_db()
    assert (job.status, job.created, job.errors) == ("finished", 1, [])
    # A worker that died before the final commit left the job running: the retry imports once.
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    Record.objects.filter(import_job=job).update(status="rejected")  # its rows rolled back
    again = import_job_process(job=job, today=TODAY)
    assert (again.status, again.created) == ("finished", 1)
    assert Record.objects.filter(import_job=job, status="submitted").count() == 1


def test_templates_download_with_the_chinese_header_and_an_example(world: World) -> None:
    client = client_for(admin_of(world.employer))
    kwargs = {"organisation_id": world.employer.pk}
    text = client.get(reverse("credits:import_template_csv", kwargs=kwargs)).content
    lines = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert lines[0] == HEADER and len(lines) == 2
    xlsx = client.get(reverse("credits:import_template_xlsx", kwargs=kwargs)).content
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.cell(row=2, column=1).value == "440105199001010017"
    assert sheet_format(xlsx) == "xlsx"


def test_recent_imports_list_runs_a_fixed_number_of_queries(world: World) -> None:
    url = reverse("credits:imports", kwargs={"organisation_id": world.employer.pk})
    client = client_for(admin_of(world.employer))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    ImportJob.objects.bulk_create(
        ImportJob(
            employer_id=world.employer.pk,
            requested_by=admin_of(world.employer),
            original_name=f"sheet-{n}.csv",
            format="csv",
            content=b"",
            status="finished",
            created_at=timezone.now(),
        )
        for n in range(30)
    )
    many = queries()
    assert many == few
    assert "sheet-" in client.get(url).content.decode()


def test_checking_a_sheet_runs_the_same_queries_for_few_rows_and_many(world: World) -> None:
    """The rows are checked with look-ups loaded once per sheet: rows without a series (whose
    certification route follows the person's series) read no series row by row."""
    from credits.services.entry import _check_rows, _context
    from credits.sheets import sheet_rows

    def queries(count: int) -> int:
        rows = [
            row(world.person, 类别="公需科目", 专业系列="", 学时=1, 内容=f"公需 {n}")
            for n in range(count)
        ]
        parsed = sheet_rows("csv", csv_bytes(rows))
        with CaptureQueriesContext(connection) as captured:
            checked = _check_rows(
                parsed, _context(world.employer.pk, parsed), today=dt.date(2024, 4, 1)
            )
        assert checked.error_count == 0 and len(checked.declared) == count
        return len(captured)

    queries(1)  # warm: the rule book's cache
    assert queries(2) == queries(12)

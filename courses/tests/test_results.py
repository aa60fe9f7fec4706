"""Learners' results while a class is open: the browser's table and an uploaded sheet (all
rows or none, bad rows by line and column)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import Person
from courses.models import Enrolment, TrainingClass
from courses.services.results import Result, SheetRefused, results_import, results_record
from courses.tests.factories import class_make, plan_make
from tests.factories import World, admin_of, person_create

pytestmark = pytest.mark.django_db
S = TrainingClass.Status


def _class(world: World, persons: list[Person], status: str = S.OPEN) -> TrainingClass:
    c = class_make(plan_make(world.institution, authority=world.authority), status=status)
    for p in persons:
        Enrolment.objects.create(training_class=c, person=p, status=Enrolment.Status.ACCEPTED)
    return c


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["身份证号码", "姓名", "考核结果", "成绩"])
    for r in rows:
        writer.writerow(r)
    return ("\ufeff" + out.getvalue()).encode()


def test_results_are_recorded_from_the_table(world: World) -> None:
    c = _class(world, [world.person])
    e = Enrolment.objects.get(training_class=c)
    client = Client()
    client.force_login(admin_of(world.institution))
    url = reverse(
        "courses:org_results_save",
        kwargs={"organisation_id": world.institution.pk, "class_id": c.pk},
    )
    client.post(url, {"enrolment": [e.pk], f"result_{e.pk}": "pass", f"score_{e.pk}": "88.5"})
    e.refresh_from_db()
    assert (e.result, e.score) == ("pass", Decimal("88.5"))


def test_a_bad_score_in_the_table_saves_nothing(world: World) -> None:
    other = person_create()
    c = _class(world, [world.person, other])
    e1, e2 = Enrolment.objects.filter(training_class=c).order_by("pk")
    client = Client()
    client.force_login(admin_of(world.institution))
    url = reverse(
        "courses:org_results_save",
        kwargs={"organisation_id": world.institution.pk, "class_id": c.pk},
    )
    client.post(
        url,
        {
            "enrolment": [e1.pk, e2.pk],
            f"result_{e1.pk}": "pass",
            f"score_{e1.pk}": "90",
            f"result_{e2.pk}": "fail",
            f"score_{e2.pk}": "101",
        },
    )
    assert list(Enrolment.objects.filter(training_class=c).values_list("result", flat=True)) == [
        "",
        "",
    ]


def test_results_only_while_the_class_is_open(world: World) -> None:
    c = _class(world, [world.person], status=S.ACCEPTING)
    e = Enrolment.objects.get(training_class=c)
    with pytest.raises(ValidationError, match="only while the class is open"):
        results_record(
            training_class=c,
            results=[Result(e.pk, "pass", None)],
            user=admin_of(world.institution),
            organisation=world.institution,
        )


def test_a_good_sheet_records_every_row(world: World) -> None:
    other = person_create()
    c = _class(world, [world.person, other])
    changed = results_import(
        training_class=c,
        content=_csv(
            [
                [world.person.id_number, world.person.real_name, "合格", "91"],
                [other.id_number, "", "不合格", ""],
            ]
        ),
        user=admin_of(world.institution),
        organisation=world.institution,
    )
    assert changed == 2
    got = dict(Enrolment.objects.filter(training_class=c).values_list("person_id", "result"))
    assert got == {world.person.pk: "pass", other.pk: "fail"}


def test_a_bad_row_is_reported_by_line_and_column_and_nothing_is_saved(world: World) -> None:
    stranger = person_create()
    c = _class(world, [world.person])
    with pytest.raises(SheetRefused) as caught:
        results_import(
            training_class=c,
            content=_csv(
                [
                    [world.person.id_number, world.person.real_name, "合格", "95"],
                    [stranger.id_number, stranger.real_name, "合格", "80"],
                    [world.person.id_number, "", "优秀", "x"],
                ]
            ),
            user=admin_of(world.institution),
            organisation=world.institution,
        )
    errors = {(e.line, e.column) for e in caught.value.errors}
    assert errors == {(3, "身份证号码"), (4, "考核结果"), (4, "成绩")}
    assert Enrolment.objects.get(training_class=c).result == ""


def test_an_xlsx_sheet_is_read_and_the_template_downloads(world: World) -> None:
    c = _class(world, [world.person])
    client = Client()
    client.force_login(admin_of(world.institution))
    kwargs = {"organisation_id": world.institution.pk, "class_id": c.pk}
    template = client.get(reverse("courses:org_results_template_xlsx", kwargs=kwargs))
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["身份证号码", "姓名", "考核结果", "成绩"]
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.append(["身份证号码", "考核结果"])
    ws.append([world.person.id_number, "合格"])
    out = io.BytesIO()
    workbook.save(out)
    out.name = "results.xlsx"
    out.seek(0)
    client.post(reverse("courses:org_results_upload", kwargs=kwargs), {"sheet": out})
    assert Enrolment.objects.get(training_class=c).result == "pass"

"""The old city system's certificates and records (before 2019): the CSV import (bad rows by
line, nothing saved from a bad file, idempotent re-import) and who sees which rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Employment, Person
from certificates.models import HistoricCertificate, HistoricRecord
from tests.factories import World, admin_of, bind, person_create

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
HEADER = (
    "certificate_number,id_number,name,year,employer,public_hours,professional_hours,"
    "elective_hours,issued_on\n"
)


def _import(path: Path) -> str:
    from io import StringIO

    out = StringIO()
    call_command("history_import", str(path), stdout=out)
    return out.getvalue()


def _certificates_csv(tmp_path: Path, rows: list[str], name: str = "c.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def _row(number: str, id_number: str, year: int = 2017, name: str = "张三") -> str:
    return f"{number},{id_number},{name},{year},示例单位,30.0,84.0,36.0,2018-01-10"


def test_the_sample_files_import_once(tmp_path: Path) -> None:
    assert "5 new" in _import(FIXTURES / "history-certificates.csv")
    assert "6 new" in _import(FIXTURES / "history-records.csv")
    assert HistoricCertificate.objects.count() == 5 and HistoricRecord.objects.count() == 6
    # The same files again: nothing new.
    assert "0 new, 5 already imported" in _import(FIXTURES / "history-certificates.csv")
    assert "0 new, 6 already imported" in _import(FIXTURES / "history-records.csv")
    assert HistoricCertificate.objects.count() == 5 and HistoricRecord.objects.count() == 6
    record = HistoricRecord.objects.get(legacy_id="OLD-2016-10232")
    assert record.hours == 84 and record.category == "professional"


def test_a_bad_file_names_every_bad_line_and_saves_nothing(world: World, tmp_path: Path) -> None:
    good = world.person.id_number
    path = _certificates_csv(
        tmp_path,
        [
            _row("A-1", good),  # line 2: fine
            _row("A-2", "12345"),  # line 3: not an ID number
            _row("A-3", good, year=2019),  # line 4: not the old system's years
            _row("A-4", good),  # line 5: fine
            "A-5," + good + ",张三,2016,示例单位,abc,1,1,2017-01-01",  # line 6: hours
            _row("A-1", good),  # line 7: the same number as line 2
        ],
    )
    with pytest.raises(CommandError) as failure:
        _import(path)
    message = str(failure.value)
    for line in (3, 4, 6, 7):
        assert (
            f"{line}"
            in message.split("\n")[[str(line) in part for part in message.split("\n")].index(True)]
        )
    lines = message.split("\n")[1:]
    assert len(lines) == 4, message
    assert [next(n for n in (3, 4, 6, 7) if str(n) in line) for line in lines] == [3, 4, 6, 7]
    assert HistoricCertificate.objects.count() == 0  # not even lines 2 and 5


def test_a_changed_row_of_an_imported_key_is_refused(world: World, tmp_path: Path) -> None:
    _import(_certificates_csv(tmp_path, [_row("B-1", world.person.id_number)]))
    changed = _certificates_csv(
        tmp_path, [_row("B-1", world.person.id_number, name="李四")], name="changed.csv"
    )
    with pytest.raises(CommandError, match="B-1"):
        _import(changed)
    assert HistoricCertificate.objects.get().person_name == "张三"


def _history_rows(tmp_path: Path, world: World, other_world: World) -> dict[str, Any]:
    former = person_create()
    employment = bind(former, world.employer)
    Employment.objects.filter(pk=employment.pk).update(status=Employment.Status.ENDED)
    ids = {
        "mine": world.person.id_number,
        "other": other_world.person.id_number,
        "former": former.id_number,
    }
    _import(
        _certificates_csv(tmp_path, [_row(f"H-{key}", id_number) for key, id_number in ids.items()])
    )
    return ids


def test_the_person_sees_only_their_own_history(
    world: World, other_world: World, tmp_path: Path
) -> None:
    _history_rows(tmp_path, world, other_world)
    client = Client()
    client.force_login(world.person.user)
    response = client.get(reverse("certificates:my_history"))
    assert response.status_code == 200
    assert [c.number for c in response.context["certificates"]] == ["H-mine"]
    assert "H-other" not in response.content.decode()


def test_the_employer_sees_its_current_staffs_history_only(
    world: World, other_world: World, tmp_path: Path
) -> None:
    _history_rows(tmp_path, world, other_world)
    client = Client()
    client.force_login(admin_of(world.employer))
    url = reverse("certificates:org_history", kwargs={"organisation_id": world.employer.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert [c.number for c in response.context["page"]] == ["H-mine"]  # not a former employee
    body = response.content.decode()
    assert "H-other" not in body and "H-former" not in body


def test_the_employer_history_keeps_a_fixed_number_of_queries(world: World, tmp_path: Path) -> None:
    client = Client()
    client.force_login(admin_of(world.employer))
    url = reverse("certificates:org_history", kwargs={"organisation_id": world.employer.pk})

    def count_queries(rows: int, name: str) -> int:
        persons = [person_create() for _ in range(rows)]
        for person in persons:
            bind(person, world.employer)
        _import(
            _certificates_csv(
                tmp_path, [_row(f"{name}-{p.pk}", p.id_number) for p in persons], name=name
            )
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count_queries(2, "few.csv") == count_queries(22, "many.csv")


def test_the_demo_data_holds_history_and_a_bulk_print(capsys: Any) -> None:
    from certificates.models import BulkPrintJob

    call_command("seed_demo")
    assert HistoricCertificate.objects.count() == 5 and HistoricRecord.objects.count() == 6
    client = Client()
    client.force_login(Person.objects.get(user__username="person").user)
    response = client.get(reverse("certificates:my_history"))
    assert [c.number for c in response.context["certificates"]] == [
        "GZJJ2018-000702",
        "GZJJ2017-000518",
        "GZJJ2016-000321",
    ]
    assert BulkPrintJob.objects.filter(organisation__memberships__user__username="employer")

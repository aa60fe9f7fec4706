"""Bad input on the credits pages ends in a form error or a 404, never in a 500; forms render
machine-readable values in every language."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from credits.forms.person import RecordFilterForm, RecordForm
from credits.forms.review import RecheckDrawForm, ReviewDecisionForm, ReviewFilterForm
from credits.models import Evidence, Record
from credits.uploads import validate_evidence
from tests.factories import World, admin_of, record_make

pytestmark = pytest.mark.django_db


# --- date and number widgets carry ISO / plain values in Chinese ------------------------------


def _record(world: World) -> Record:
    record = record_make(world.person, world.employer, status=Record.Status.RETURNED, hours=8)
    record.start_date = dt.date(2026, 6, 10)
    record.end_date = dt.date(2026, 6, 12)
    record.original_amount = Decimal("1234.5")
    record.save()
    return record


def test_record_form_renders_iso_dates_and_plain_numbers_in_chinese(world: World) -> None:
    record = _record(world)
    with translation.override("zh-hans"):
        html = str(RecordForm(initial=RecordForm.initial_from(record), series=[]))

    assert 'type="date" name="start_date" value="2026-06-10"' in html
    assert 'type="date" name="end_date" value="2026-06-12"' in html
    assert "2026/06/10" not in html
    assert 'name="amount" value="1234.5"' in html
    assert f'name="year" value="{record.year}"' in html


def test_record_edit_page_in_chinese_shows_iso_dates(world: World) -> None:
    record = _record(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.person.user)

    html = client.get(reverse("credits:record_edit", args=[record.pk])).content.decode()

    assert 'value="2026-06-10"' in html
    assert 'value="2026-06-12"' in html


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda: RecordFilterForm(initial={"year": 2023}), id="record-filter"),
        pytest.param(
            lambda: ReviewFilterForm(initial={"year": 2023}, series=_no_series()),
            id="review-filter",
        ),
        pytest.param(
            lambda: RecheckDrawForm(
                initial={"year": 2023, "size": 1500},
                series=_no_series(),
                regions=_no_series(),
                employers=_no_series(),
            ),
            id="recheck-draw",
        ),
    ],
)
def test_number_inputs_are_not_localized_in_chinese(form: Any, settings: Any) -> None:
    settings.USE_THOUSAND_SEPARATOR = True  # the worst case: grouping switched on
    with translation.override("zh-hans"):
        html = str(form())

    assert 'value="2023"' in html
    assert "2,023" not in html


def _no_series() -> Any:
    from accounts.models import ProfessionalSeries

    return ProfessionalSeries.objects.none()


# --- progress years -----------------------------------------------------------------------------


@pytest.mark.parametrize("year", [0, 2009, 99999, timezone.localdate().year + 2])
def test_progress_of_an_impossible_year_is_a_404(world: World, year: int) -> None:
    client = Client()
    client.force_login(world.person.user)

    assert client.get(f"/me/progress/{year}/").status_code == 404
    assert client.post(f"/me/progress/{year}/recount/").status_code == 404


def test_progress_of_this_and_next_year_is_shown(world: World) -> None:
    client = Client()
    client.force_login(world.person.user)
    this_year = timezone.localdate().year

    assert client.get(f"/me/progress/{this_year}/").status_code == 200
    assert client.get(f"/me/progress/{this_year + 1}/").status_code == 200
    assert client.get("/me/progress/2010/").status_code == 200


# --- ids from the client ----------------------------------------------------------------------


def test_a_25_digit_record_id_is_a_form_error_not_a_500(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_of(world.employer))
    url = reverse("credits:review_decide", kwargs={"organisation_id": world.employer.pk})

    response = client.post(
        url, {"decision": "approve", "record_ids": [str(world.record.pk), "9" * 25]}, follow=True
    )

    assert response.status_code == 200
    assert "Invalid record selection." in response.content.decode()
    world.record.refresh_from_db()
    assert world.record.status == Record.Status.SUBMITTED


@pytest.mark.parametrize("value", ["9" * 25, "-1", "0", str(2**63)])
def test_record_ids_out_of_the_bigint_range_are_refused(value: str) -> None:
    form = ReviewDecisionForm({"decision": "approve", "record_ids": [value]})

    assert not form.is_valid()
    assert "record_ids" in form.errors


@pytest.mark.parametrize(
    ("path", "ids"),
    [
        ("credits:record_detail", ["9" * 25]),
        ("credits:record_edit", ["9" * 25]),
    ],
)
def test_a_25_digit_id_in_a_url_is_a_404(world: World, path: str, ids: list[str]) -> None:
    client = Client()
    client.force_login(world.person.user)

    assert client.get(reverse(path, args=ids)).status_code == 404


def test_a_25_digit_employer_in_the_recheck_draw_is_a_form_error(world: World) -> None:
    from accounts.models import Organisation, ProfessionalSeries, Region

    form = RecheckDrawForm(
        {"size": 5, "employer": "9" * 25},
        series=ProfessionalSeries.objects.all(),
        regions=Region.objects.all(),
        employers=Organisation.objects.all(),
    )

    assert not form.is_valid()
    assert "employer" in form.errors


@pytest.mark.parametrize("year", ["9" * 25, "0", "99999"])
def test_a_huge_year_in_the_record_filter_is_ignored(world: World, year: str) -> None:
    client = Client()
    client.force_login(world.person.user)

    assert client.get(reverse("credits:my_records"), {"year": year}).status_code == 200
    assert not RecordFilterForm({"year": year}).is_valid()


# --- evidence images: pixel cap and decompression bombs -----------------------------------------


def _png(width: int, height: int) -> bytes:
    """A valid grey-scale PNG of the given size whose pixels are all zero: a few KB of deflate
    for any number of pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.png", content, content_type="image/png")


def test_a_normal_png_is_accepted() -> None:
    assert validate_evidence(_upload(_png(2480, 3508))) == "png"  # A4 at 300 dpi


def test_a_144_megapixel_png_is_refused_with_a_message() -> None:
    content = _png(12_000, 12_000)
    assert len(content) < 1024 * 1024

    with pytest.raises(ValidationError) as caught:
        validate_evidence(_upload(content))

    assert caught.value.code == "evidence_too_many_pixels"


def test_the_pixel_cap_is_a_setting(settings: Any) -> None:
    settings.EVIDENCE_MAX_PIXELS = 1000 * 1000
    with pytest.raises(ValidationError):
        validate_evidence(_upload(_png(1001, 1000)))
    assert validate_evidence(_upload(_png(1000, 1000))) == "png"


def test_a_decompression_bomb_is_refused_with_a_message() -> None:
    # Over twice Pillow's MAX_IMAGE_PIXELS: Image.open itself raises DecompressionBombError.
    content = _png(20_000, 20_000)

    with pytest.raises(ValidationError) as caught:
        validate_evidence(_upload(content))

    assert caught.value.code == "evidence_too_many_pixels"


def test_declaring_with_a_bomb_as_evidence_is_a_form_error(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.person.user)
    year = timezone.localdate().year
    data = {
        "year": year,
        "category": "public",
        "amount": "8",
        "unit": "hours",
        "title": "Lecture",
        "form": "class",
        "start_date": f"{year}-01-10",
        "end_date": f"{year}-01-10",
        "assessment_result": "pass",
        "evidence": SimpleUploadedFile("scan.png", _png(20_000, 20_000), "image/png"),
    }
    before = Evidence.objects.count()

    response = client.post(reverse("credits:record_new"), data)

    assert response.status_code == 200
    assert "pixels" in response.content.decode()
    assert Evidence.objects.count() == before


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "institution_name"])
@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u2066"])
def test_record_names_refuse_invisible_characters(field: str, char: str) -> None:
    form = RecordForm({field: f"Bridge{char}design"}, series=[])
    form.is_valid()

    assert form.has_error(field, "invisible_characters")


def test_record_title_keeps_4_byte_cjk() -> None:
    form = RecordForm({"title": "𠮷野家培训", "institution_name": "𠮷"}, series=[])
    form.is_valid()

    assert "title" not in form.errors
    assert "institution_name" not in form.errors


def test_record_model_refuses_invisible_characters(world: World) -> None:
    record = record_make(world.person, world.employer, title="Safe\u202eexe.txt")
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    assert "title" in caught.value.error_dict


def test_png_helper_makes_readable_images() -> None:
    from PIL import Image

    with Image.open(BytesIO(_png(17, 5))) as image:
        image.load()
        assert image.size == (17, 5)


def test_a_60000_character_person_search_in_the_review_queue_is_ignored(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_of(world.employer))
    url = reverse("credits:review_queue", kwargs={"organisation_id": world.employer.pk})

    response = client.get(url, {"person": "王" * 60_000, "year": "9" * 25})

    assert response.status_code == 200
    assert world.record.title in response.content.decode()  # the unfiltered queue

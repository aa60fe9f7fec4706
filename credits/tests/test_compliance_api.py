"""POST /api/v1/compliance/evaluate: the public calculator over the database rule book."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.urls import resolve, reverse
from rest_framework.test import APIClient

from accounts.models import ProfessionalSeries, User
from accounts.permissions import PUBLIC
from credits.apis.compliance import MAX_RECORDS
from credits.models import RequirementScheme, YearSetting

pytestmark = pytest.mark.django_db

URL = "/api/v1/compliance/evaluate"

# The example of the API contract.  Its last record is an accounting activity, so the
# person must hold accounting too (see test_contract_example_as_written_is_refused).
EXAMPLE: dict[str, Any] = {
    "year": 2023,
    "series": ["engineering"],
    "profile": {
        "accounting_start_year": 2022,
        "archives_new_post_year": 2023,
        "archives_degree": False,
    },
    "records": [
        {"category": "public", "hours": 30},
        {"category": "professional", "series": "engineering", "days": 2},
        {"category": "professional", "series": "engineering", "minutes": 90},
        {"category": "elective", "kind": "degree_study", "hours": 100},
        {
            "category": "professional",
            "series": "engineering",
            "kind": "inhouse_training",
            "approved_plan": False,
            "hours": 16,
        },
        {
            "category": "professional",
            "series": "accounting",
            "activity": "paper_first_author",
            "quantity": 1,
        },
    ],
}


@pytest.fixture(autouse=True)
def _clear_throttle_history() -> None:
    cache.clear()


@pytest.fixture
def frozen_today() -> Iterator[None]:
    """Today is 1 June 2026 in Asia/Shanghai: 2027 may be evaluated, 2028 may not."""
    with time_machine.travel(datetime(2026, 6, 1, 4, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def client() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


def post(client: APIClient, body: Any, **extra: Any) -> Any:
    return client.post(URL, body, format="json", **extra)


def example(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE)
    body.update(changes)
    return body


def one_record(record: Any, **changes: Any) -> dict[str, Any]:
    return example(records=[record], **changes)


# --- routing and access -------------------------------------------------------------------


def test_url_is_public_and_declares_its_policy() -> None:
    assert reverse("credits:compliance_evaluate") == URL
    assert resolve(URL).func.access_policy is PUBLIC  # type: ignore[attr-defined]


def test_get_is_not_allowed(client: APIClient) -> None:
    response = client.get(URL)

    assert response.status_code == 405


def test_logged_in_user_needs_no_csrf_token(client: APIClient) -> None:
    user = User.objects.create_user(username="someone", password="a-long-password-1")
    client.force_login(user)

    response = post(client, one_record({"category": "public", "hours": 30}))

    assert response.status_code == 200


# --- results -------------------------------------------------------------------------------


def test_contract_example_gives_the_hand_computed_result(client: APIClient) -> None:
    # 2023, engineering (general_2021: 30 / 42 / 18) and accounting (accounting_2018:
    # 30 / 60 / no elective; CE started after 2022, so 2023 counts).  Public and elective
    # are required once; professional per series.
    #   0: 30 h public
    #   1: 2 days x 8 h (2023) = 16 h engineering
    #   2: 90 min / 45 = 2 h engineering
    #   3: degree study 100 h -> elective, capped at 72 h
    #   4: in-house training without approved plan: 16 h elective, not professional
    #   5: paper, first author: 1 x 30 h accounting professional
    response = post(client, example(series=["engineering", "accounting"]))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["year"] == 2023
    assert body["compliant"] is False
    assert body["required"] == {
        "public": 30,
        "elective": 18,
        "professional": {"engineering": 42, "accounting": 60},
    }
    assert body["earned"] == {
        "public": 30,
        "elective": 72 + 16,
        "professional": {"engineering": 16 + 2, "accounting": 30},
    }
    assert body["shortfall"] == {
        "public": 0,
        "elective": 0,
        "professional": {"engineering": 42 - 18, "accounting": 60 - 30},
    }
    assert body["records"] == [
        {"index": 0, "category": "public", "series": None, "hours": 30, "notes": []},
        {
            "index": 1,
            "category": "professional",
            "series": "engineering",
            "hours": 16,
            "notes": ["converted 2 days x 8 h = 16 h"],
        },
        {
            "index": 2,
            "category": "professional",
            "series": "engineering",
            "hours": 2,
            "notes": ["converted 90 min / 45 = 2 h"],
        },
        {
            "index": 3,
            "category": "elective",
            "series": None,
            "hours": 72,
            "notes": ["degree study cap 72 h reached: counted 72 of 100 h"],
        },
        {
            "index": 4,
            "category": "elective",
            "series": "engineering",
            "hours": 16,
            "notes": [
                "counted as elective instead of professional: "
                "in-house training without approved plan"
            ],
        },
        {
            "index": 5,
            "category": "professional",
            "series": "accounting",
            "hours": 30,
            "notes": ["converted accounting activity paper_first_author: 1 x 30 h = 30 h"],
        },
    ]
    assert body["messages"] == [
        "engineering: scheme general_2021 (30 public, 42 professional, 18 elective)",
        "accounting: scheme accounting_2018 (30 public, 60 professional, no elective)",
        "professional engineering: 24 h short",
        "professional accounting: 30 h short",
        "requirements not met for 2023",
    ]


def test_contract_example_as_written_is_refused(client: APIClient) -> None:
    # The example holds engineering only, but its last record is an accounting activity.
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    response = post(client, EXAMPLE)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"records[5].series", "records[5].activity"}
    assert "not one of the person's" in errors["records[5].series"][0]


def test_engine_errors_follow_the_request_language(client: APIClient) -> None:
    response = post(client, EXAMPLE)  # no Accept-Language: the portal's Chinese

    assert response.status_code == 400
    assert response.json()["errors"]["records[5].series"] == ["专业系列 'accounting' 不属于该人员"]


def test_example_without_the_accounting_record(client: APIClient) -> None:
    response = post(client, example(records=EXAMPLE["records"][:5]))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["required"] == {"public": 30, "elective": 18, "professional": {"engineering": 42}}
    assert body["earned"] == {"public": 30, "elective": 88, "professional": {"engineering": 18}}
    assert body["shortfall"] == {"public": 0, "elective": 0, "professional": {"engineering": 24}}
    assert body["compliant"] is False


def test_compliant_year(client: APIClient) -> None:
    body = {
        "year": 2022,
        "series": ["engineering"],
        "records": [
            {"category": "public", "hours": 30},
            {"category": "professional", "series": "engineering", "days": 5.25},
            {"category": "elective", "hours": 18},
        ],
    }

    response = post(client, body)

    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["compliant"] is True
    assert result["earned"]["professional"] == {"engineering": 42}  # 5.25 x 8 (from 2021)
    assert result["messages"][-1] == "all requirements met for 2022"


def test_legacy_year_uses_six_hour_days(client: APIClient) -> None:
    body = {
        "year": 2019,
        "series": ["engineering"],
        "records": [{"category": "professional", "series": "engineering", "days": 7}],
    }

    response = post(client, body)

    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["required"]["public"] == 18
    assert result["earned"]["professional"] == {"engineering": 42}


def test_profile_and_records_are_optional(client: APIClient) -> None:
    response = post(client, {"year": 2023, "series": ["engineering"]})

    assert response.status_code == 200
    assert response.json()["shortfall"]["professional"] == {"engineering": 42}


# --- refused by the rules engine ----------------------------------------------------------


def prof(**fields: Any) -> dict[str, Any]:
    return {"category": "professional", "series": "engineering", **fields}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(example(series=["astrology"], records=[]), "series", id="unknown-series"),
        pytest.param(
            one_record({"category": "leisure", "hours": 1}),
            "records[0].category",
            id="unknown-category",
        ),
        pytest.param(
            one_record(prof(kind="apprenticeship", hours=1)), "records[0].kind", id="unknown-kind"
        ),
        pytest.param(
            one_record(
                prof(series="accounting", activity="poem"), series=["engineering", "accounting"]
            ),
            "records[0].activity",
            id="unknown-activity",
        ),
        pytest.param(
            one_record({"category": "professional", "hours": 1}),
            "records[0].series",
            id="professional-without-series",
        ),
        pytest.param(
            one_record(prof(series="health", hours=1)), "records[0].series", id="series-not-held"
        ),
        pytest.param(one_record(prof()), "records[0]", id="no-amount"),
        pytest.param(one_record(prof(hours=1, days=1)), "records[0]", id="two-amounts"),
        pytest.param(one_record(prof(hours=0)), "records[0].hours", id="zero-hours"),
        pytest.param(one_record(prof(hours=-3)), "records[0].hours", id="negative-hours"),
        pytest.param(one_record(prof(minutes=0)), "records[0].minutes", id="zero-minutes"),
        pytest.param(one_record(prof(hours=9000)), "records[0].hours", id="more-than-a-year"),
        pytest.param(one_record(prof(days=1100)), "records[0].days", id="days-more-than-a-year"),
        pytest.param(one_record(prof(hours=1), year=2009), "year", id="year-2009"),
        pytest.param(one_record(prof(hours=1), year=2028), "year", id="year-next-plus-2"),
        pytest.param(example(series=[], records=[]), "series", id="no-series"),
    ],
)
def test_invalid_input_is_refused_per_field(
    client: APIClient, frozen_today: None, body: dict[str, Any], field: str
) -> None:
    response = post(client, body)

    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert errors[field] and all(isinstance(m, str) and m for m in errors[field])


def test_next_year_is_allowed(client: APIClient, frozen_today: None) -> None:
    response = post(client, one_record(prof(hours=1), year=2027))

    assert response.status_code == 200


def test_all_errors_are_reported_at_once(client: APIClient) -> None:
    body = {
        "year": 2023,
        "series": ["engineering"],
        "records": [
            {"category": "public", "hours": 30},
            {"category": "professional", "hours": 2},
            {"category": "elective", "hours": -1, "kind": "nap"},
        ],
    }

    response = post(client, body)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "records[1].series",
        "records[2].hours",
        "records[2].kind",
    }


# --- refused for their shape ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(example(records="string"), "records", id="records-a-string"),
        pytest.param(example(records={"category": "public"}), "records", id="records-an-object"),
        pytest.param({"series": ["engineering"], "records": []}, "year", id="missing-year"),
        pytest.param(example(year="twenty"), "year", id="year-not-a-number"),
        pytest.param(example(year=True), "year", id="year-a-boolean"),
        pytest.param(example(year=10**40), "year", id="year-huge"),
        pytest.param(example(year=0), "year", id="year-zero"),
        pytest.param({"year": 2023, "records": []}, "series", id="missing-series"),
        pytest.param(example(series="engineering"), "series", id="series-a-string"),
        pytest.param(example(series=[["engineering"]]), "series[0]", id="series-item-a-list"),
        pytest.param(example(profile="x"), "profile", id="profile-a-string"),
        pytest.param(
            example(profile={"archives_degree": "maybe"}),
            "profile.archives_degree",
            id="profile-bad-boolean",
        ),
        pytest.param(one_record(prof(hours="abc")), "records[0].hours", id="hours-not-a-number"),
        pytest.param(one_record(prof(hours=[1])), "records[0].hours", id="hours-a-list"),
        pytest.param(one_record(prof(hours="NaN")), "records[0].hours", id="hours-nan"),
        pytest.param(one_record(prof(hours="1e999999")), "records[0].hours", id="hours-huge"),
        pytest.param(one_record(prof(days=True)), "records[0].days", id="days-a-boolean"),
        pytest.param(one_record("public 30 h"), "records[0]", id="record-a-string"),
        pytest.param(one_record(prof(hour=3)), "records[0].hour", id="unknown-field"),
        pytest.param(one_record({"hours": 3}), "records[0].category", id="missing-category"),
        pytest.param(
            one_record(prof(series=None, category=None, hours=3)),
            "records[0].category",
            id="null-category",
        ),
        pytest.param(
            example(records=[{"category": "public", "hours": 1}] * (MAX_RECORDS + 1)),
            "records",
            id="too-many-records",
        ),
        pytest.param(["year", 2023], "non_field_errors", id="body-a-list"),
    ],
)
def test_malformed_body_is_a_400_with_field_messages(
    client: APIClient, body: Any, field: str
) -> None:
    response = post(client, body)

    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    assert all(isinstance(m, str) and m for m in errors[field])


def test_invalid_json_is_a_400(client: APIClient) -> None:
    response = client.post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body"]


def test_tiny_amounts_do_not_crash(client: APIClient) -> None:
    response = post(client, one_record(prof(hours="1e-999999999")))

    assert response.status_code == 200
    assert response.json()["records"][0]["hours"] == 0


# --- throttling -----------------------------------------------------------------------------


def test_sixty_first_request_in_a_minute_is_throttled(client: APIClient) -> None:
    body = one_record({"category": "public", "hours": 30})
    with time_machine.travel(datetime(2026, 6, 1, 4, 0, tzinfo=UTC), tick=False) as traveller:
        for number in range(60):
            response = post(client, body)
            assert response.status_code == 200, (number, response.status_code)

        assert post(client, body).status_code == 429
        # Another client is not affected, and the first one may go on after a minute.
        assert post(client, body, REMOTE_ADDR="10.1.2.3").status_code == 200
        traveller.shift(61)
        assert post(client, body).status_code == 200


def test_invalid_requests_count_towards_the_limit(client: APIClient) -> None:
    for _ in range(60):
        assert post(client, {"year": "x"}).status_code == 400

    assert post(client, {"year": "x"}).status_code == 429


# --- rules as data: the admin site changes the calculator without a release ---------------


@pytest.fixture
def admin_client() -> APIClient:
    client = APIClient()
    client.force_login(
        User.objects.create_superuser("hrss-officer", "officer@example.com", "a-long-password-1")
    )
    return client


def two_days_in(year: int) -> dict[str, Any]:
    return {
        "year": year,
        "series": ["engineering"],
        "records": [{"category": "professional", "series": "engineering", "days": 2}],
    }


def test_admin_adds_a_year_setting_and_the_api_uses_it(
    client: APIClient, admin_client: APIClient, frozen_today: None
) -> None:
    before = post(client, two_days_in(2027)).json()
    assert before["earned"]["professional"] == {"engineering": 16}  # 2023's 8 h days carry on

    response = admin_client.post(
        reverse("admin:credits_yearsetting_add"),
        {
            "year": 2027,
            "hours_per_day": "7.5",
            "minutes_per_hour": 50,
            "declaration_deadline": "2028-04-30",
            "public_catch_up_deadline": "2028-03-31",
        },
    )
    assert response.status_code == 302, response.content
    assert YearSetting.objects.filter(year=2027).exists()

    after = post(client, two_days_in(2027)).json()
    assert after["earned"]["professional"] == {"engineering": 15}
    assert after["records"][0]["notes"] == ["converted 2 days x 7.5 h = 15 h"]
    # Other years are unchanged.
    assert post(client, two_days_in(2026)).json()["earned"]["professional"] == {"engineering": 16}


def test_admin_refuses_an_invalid_year_setting(admin_client: APIClient) -> None:
    response = admin_client.post(
        reverse("admin:credits_yearsetting_add"),
        {
            "year": 2027,
            "hours_per_day": "0",
            "minutes_per_hour": 45,
            "declaration_deadline": "2026-04-30",
            "public_catch_up_deadline": "2028-03-31",
        },
    )

    assert response.status_code == 200  # the form again, with errors
    assert not YearSetting.objects.filter(year=2027).exists()


def test_admin_adds_a_scheme_and_the_api_uses_it(
    client: APIClient, admin_client: APIClient, frozen_today: None
) -> None:
    engineering = ProfessionalSeries.objects.get(code="engineering")
    response = admin_client.post(
        reverse("admin:credits_requirementscheme_add"),
        {
            "code": "engineering_2027",
            "name": "Engineering from 2027",
            "policy": "general",
            "series": [engineering.pk],
            "valid_from": "2027-01-01",
            "valid_to": "",
            "total": "100",
            "public": "30",
            "professional": "50",
            "allows_elective": "on",
            "elective": "20",
            "new_post_professional": "",
        },
    )
    assert response.status_code == 302, response.content
    assert RequirementScheme.objects.filter(code="engineering_2027").exists()

    body = post(client, two_days_in(2027)).json()
    assert body["required"] == {"public": 30, "elective": 20, "professional": {"engineering": 50}}
    assert body["messages"][0].startswith("engineering: scheme engineering_2027")
    previous = post(client, two_days_in(2026)).json()
    assert previous["required"]["professional"] == {"engineering": 42}


def test_admin_refuses_a_scheme_ending_before_it_starts(admin_client: APIClient) -> None:
    response = admin_client.post(
        reverse("admin:credits_requirementscheme_add"),
        {
            "code": "broken",
            "name": "Broken",
            "policy": "general",
            "valid_from": "2027-01-01",
            "valid_to": "2026-12-31",
            "total": "90",
            "public": "30",
            "professional": "42",
            "allows_elective": "on",
            "elective": "18",
        },
    )

    assert response.status_code == 200
    assert not RequirementScheme.objects.filter(code="broken").exists()


def test_degree_study_rule_cannot_be_added_twice(admin_client: APIClient) -> None:
    response = admin_client.get(reverse("admin:credits_degreestudyrule_add"))

    assert response.status_code == 403


# --- accounting activities with the year's regional tables (decision 0011) -----------------


@pytest.mark.parametrize(("region", "earned"), [("440105", 0), ("440305", 58), (None, 58)])
def test_the_calculator_applies_the_regional_table_of_the_given_region(
    client: APIClient, frozen_today: None, region: str | None, earned: int
) -> None:
    body = {
        "year": 2023,
        "series": ["accounting"],
        "profile": {"region": region},
        "records": [
            {"category": "professional", "activity": "inhouse_training_day", "quantity": "2.9"}
        ],
    }

    response = post(client, body)

    assert response.status_code == 200, response.json()
    assert response.json()["earned"]["professional"] == {"accounting": earned}


def test_the_calculator_takes_general_knowledge_and_result_dates(
    client: APIClient, frozen_today: None
) -> None:
    body = {
        "year": 2023,
        "series": ["accounting"],
        "profile": {"region": "440100"},
        "records": [
            {"category": "public", "hours": 30},
            {"category": "professional", "series": "accounting", "hours": 40},
            {
                "category": "professional",
                "series": "accounting",
                "hours": 20,
                "general_knowledge": True,
            },
            {
                "category": "professional",
                "activity": "related_exam_pass",
                "result_date": "2024-04-30",
            },
        ],
    }

    response = post(client, body)

    assert response.status_code == 200, response.json()
    assert response.json()["compliant"] is True
    assert response.json()["earned"]["professional"] == {"accounting": 150}


def test_an_unknown_region_is_refused(client: APIClient, frozen_today: None) -> None:
    response = post(client, example(profile={"region": "999999"}))

    assert response.status_code == 400
    assert "profile.region" in response.json()["errors"]

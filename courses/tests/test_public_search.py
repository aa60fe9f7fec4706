"""培训开班信息查询: the public page and ``GET /api/v1/classes/``; only approved plans' classes;
filters; a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import GuideCourse, ReviewStatus, TrainingClass
from courses.tests.factories import class_make, plan_make
from tests.factories import World, admin_of

pytestmark = pytest.mark.django_db
S = TrainingClass.Status


def test_the_page_shows_the_seeds_columns_without_login(world: World) -> None:
    c = class_make(
        plan_make(world.institution, authority=world.authority, course_name="建筑工程专业课"),
        name="2021年建筑工程专业课第三期",
        capacity=1000,
    )
    body = Client().get(reverse("courses:class_search")).content.decode()
    for text in (c.name, "建筑工程专业课", world.institution.name, str(c.start_date), "1000"):
        assert text in body


def test_classes_of_unapproved_plans_are_not_listed(world: World) -> None:
    hidden = class_make(
        plan_make(world.institution, authority=world.authority, status=ReviewStatus.PENDING),
        name="未批准的班",
    )
    shown = class_make(plan_make(world.institution, authority=world.authority), name="已批准的班")
    body = Client().get(reverse("courses:class_search")).content.decode()
    assert shown.name in body and hidden.name not in body
    data = Client().get(reverse("courses:api_classes")).json()
    assert [r["name"] for r in data["results"]] == [shown.name]


def test_the_page_filters_by_name_course_type_state_and_institution(
    world: World, other_world: World
) -> None:
    a = class_make(
        plan_make(world.institution, authority=world.authority, course_name="桥梁"), name="甲班"
    )
    b = class_make(
        plan_make(
            other_world.institution,
            authority=other_world.authority,
            course_name="通识",
            course_type=GuideCourse.CourseType.GENERAL_KNOWLEDGE,
        ),
        name="乙班",
        status=S.OPEN,
    )
    client = Client()

    def names(**params: str) -> set[str]:
        page = client.get(reverse("courses:class_search"), params)
        return {c.name for c in page.context["page"]}

    assert names(name="甲") == {a.name}
    assert names(course="通识") == {b.name}
    assert names(course_type="general_knowledge") == {b.name}
    assert names(status="open") == {b.name}
    assert names(institution=world.institution.name) == {a.name}


def test_the_api_filters_and_paginates(world: World) -> None:
    plan = plan_make(world.institution, authority=world.authority, course_name="BIM 应用")
    for n in range(3):
        class_make(plan, name=f"BIM 第{n}期")
    class_make(plan, name="BIM 已开班", status=S.OPEN)
    client = Client()
    url = reverse("courses:api_classes")
    data = client.get(url, {"status": "accepting", "q": "BIM", "page_size": "2"}).json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]
    row = data["results"][0]
    assert set(row) >= {
        "name",
        "course_name",
        "course_type",
        "institution",
        "start_date",
        "hours",
        "planned_places",
        "enrolled",
        "status",
    }
    assert client.get(url, {"institution": str(world.institution.pk)}).json()["count"] == 4
    assert client.get(url, {"series": "accounting"}).json()["count"] == 0


def test_a_nul_character_in_a_filter_is_no_server_error(world: World) -> None:
    """schemathesis found it: PostgreSQL text cannot hold NUL; the filter then matches the
    text without it."""
    class_make(plan_make(world.institution, authority=world.authority), name="BIM 第1期")
    client = Client()
    url = reverse("courses:api_classes")
    for name in ("q", "series", "institution"):
        answer = client.get(url, {name: "BIM\x00"})
        assert answer.status_code == 200, (name, answer.status_code)
    assert client.get(url, {"q": "BIM\x00"}).json()["count"] == 1


def test_the_api_is_throttled(world: World) -> None:
    from unittest import mock

    from rest_framework.settings import api_settings

    rates: dict[str, object] = dict(api_settings.DEFAULT_THROTTLE_RATES)
    rates["class_search"] = "2/minute"

    with mock.patch("rest_framework.throttling.ScopedRateThrottle.THROTTLE_RATES", rates):
        client = Client()
        codes = [client.get(reverse("courses:api_classes")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_schema_documents_the_class_api() -> None:
    body = Client().get(reverse("api_schema")).content.decode()
    assert "/api/v1/classes/" in body and "institution" in body and "planned_places" in body


def _queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def _classes(world: World, n: int) -> None:
    for _ in range(n):
        class_make(plan_make(world.institution, authority=world.authority))


@pytest.mark.parametrize(
    "page",
    ["search", "api", "org_classes", "my_enrolments"],
)
def test_list_pages_run_the_same_queries_for_2_and_25_rows(world: World, page: str) -> None:
    from courses.models import Enrolment

    client = Client()
    if page == "search":
        url = reverse("courses:class_search")
        client.force_login(world.person.user)
    elif page == "api":
        url = reverse("courses:api_classes")
    elif page == "org_classes":
        url = reverse("courses:org_classes", kwargs={"organisation_id": world.institution.pk})
        client.force_login(admin_of(world.institution))
    else:
        url = reverse("courses:my_enrolments")
        client.force_login(world.person.user)

    def grow(n: int) -> None:
        for _ in range(n):
            c = class_make(plan_make(world.institution, authority=world.authority))
            Enrolment.objects.create(training_class=c, person=world.person)

    grow(2)
    client.get(url)  # warm caches (session, permissions)
    few = _queries(lambda: client.get(url))
    grow(23)
    many = _queries(lambda: client.get(url))
    assert few == many
    assert many <= 20


def test_a_class_page_runs_the_same_queries_for_2_and_25_enrolments(world: World) -> None:
    from courses.models import Enrolment
    from tests.factories import person_create

    c = class_make(plan_make(world.institution, authority=world.authority), status=S.OPEN)
    client = Client()
    client.force_login(admin_of(world.institution))
    url = reverse(
        "courses:org_class", kwargs={"organisation_id": world.institution.pk, "class_id": c.pk}
    )

    def grow(n: int) -> None:
        for _ in range(n):
            Enrolment.objects.create(training_class=c, person=person_create(), status="accepted")

    grow(2)
    client.get(url)
    few = _queries(lambda: client.get(url))
    grow(23)
    assert _queries(lambda: client.get(url)) == few

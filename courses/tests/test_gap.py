"""What fills my gap (issue 9): the choice of the fewest classes that close a shortfall,
and the open classes the progress page suggests."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.api import ProfessionalSeries
from courses.models import (
    CoursePlan,
    Enrolment,
    GuideCourse,
    ReviewStatus,
    SubjectGuide,
    TrainingClass,
)
from courses.models_online import OnlineEnrolment
from courses.selectors.gap import fewest_covering
from credits.api import year_windows
from tests.factories import World, person_create, record_make

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2024, 4, 1, 10, tzinfo=SHANGHAI)
WORLD_TIME = NOW
YEAR = 2024


# --- the choice ------------------------------------------------------------------------------


def _brute_force(hours: list[Decimal], need: Decimal) -> tuple[int, Decimal] | None:
    """(fewest count, least total hours at that count) of the subsets reaching ``need``."""
    for count in range(1, len(hours) + 1):
        sums = [sum(c, Decimal(0)) for c in itertools.combinations(hours, count)]
        reaching = [s for s in sums if s >= need]
        if reaching:
            return count, min(reaching)
    return None


HOURS = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("60"), places=1)


@settings(max_examples=300, deadline=None)
@given(hours=st.lists(HOURS, max_size=8), need=HOURS)
def test_fewest_covering_takes_the_fewest_classes_then_the_fewest_hours(
    hours: list[Decimal], need: Decimal
) -> None:
    chosen = fewest_covering(hours, need)
    assert len(set(chosen)) == len(chosen)
    expected = _brute_force(hours, need)
    if expected is None:
        # Nothing reaches the gap: every class is shown, largest first.
        assert sorted(chosen) == list(range(len(hours)))
        assert [hours[i] for i in chosen] == sorted(hours, reverse=True)
    else:
        assert list(chosen) == sorted(chosen)
        assert (len(chosen), sum((hours[i] for i in chosen), Decimal(0))) == expected


@pytest.mark.parametrize(
    ("hours", "need", "expected"),
    [
        # One class is enough: the smallest that covers, not the largest.
        ([8, 40, 36, 12], 34, (2,)),
        # Two needed; 20 + 14 is exactly the gap (the two largest would waste 10 h).
        ([24, 20, 14, 12], 34, (1, 2)),
        # Ties go to the earlier class.
        ([12, 12, 30], 40, (0, 2)),
        # Short of the gap: all of them, largest first.
        ([4, 8], 30, (1, 0)),
        ([], 10, ()),
        ([8], 0, ()),
    ],
)
def test_fewest_covering_examples(hours: list[int], need: int, expected: tuple[int, ...]) -> None:
    assert fewest_covering([Decimal(h) for h in hours], Decimal(need)) == expected


# --- the progress page -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _frozen_english(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LANGUAGE_CODE = "en"
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def guide_course(world: World, name: str, *, series: str = "engineering") -> GuideCourse:
    guide, _ = SubjectGuide.objects.get_or_create(
        authority=world.authority,
        series=ProfessionalSeries.objects.get(code=series),
        year=YEAR,
        defaults={"status": SubjectGuide.Status.PUBLISHED},
    )
    return GuideCourse.objects.create(guide=guide, name=name, hours=Decimal(8))


def class_make(
    world: World,
    name: str,
    hours: int,
    *,
    start: dt.date = dt.date(YEAR, 6, 1),
    series: str = "engineering",
    plan_status: str = ReviewStatus.APPROVED,
    status: str = TrainingClass.Status.ACCEPTING,
    year: int = YEAR,
    capacity: int = 30,
    enrolled: int = 0,
    course: GuideCourse | None = None,
) -> TrainingClass:
    plan = CoursePlan.objects.create(
        filer=world.institution,
        course=course or guide_course(world, f"{name} course", series=series),
        year=year,
        series=ProfessionalSeries.objects.get(code=series),
        status=plan_status,
        authority=world.authority,
    )
    return TrainingClass.objects.create(
        plan=plan,
        name=name,
        start_date=start,
        end_date=start + dt.timedelta(days=2),
        hours=Decimal(hours),
        capacity=capacity,
        enrolled=enrolled,
        location="广州市天河区",
        status=status,
    )


def progress(world: World) -> Any:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.person.user)
    return client.get(reverse("credits:progress", args=[YEAR]))


def suggested(response: Any) -> dict[str, tuple[list[str], list[str]]]:
    """Shortfall key → (names of the chosen items, names of the other options); classes
    have a name, online courses a title."""

    def label(item: Any) -> str:
        return str(getattr(item, "name", None) or item.title)

    return {
        f"{row.shortfall.category}:{row.shortfall.series}": (
            [label(c) for s in row.suggestions for c in s.items],
            [label(c) for s in row.suggestions for c in s.more],
        )
        for row in response.context["gap"]
    }


@pytest.mark.django_db
def test_progress_suggests_the_fewest_open_classes_that_close_the_professional_gap(
    world: World,
) -> None:
    # The world's approved 8 h leave 34 h of engineering professional hours to go.
    class_make(world, "Small A", 12)
    class_make(world, "Large", 24)
    class_make(world, "Small B", 20)

    response = progress(world)
    page = response.content.decode()

    chosen, more = suggested(response)["professional:engineering"]
    assert chosen == ["Small A", "Large"]  # 36 h in two classes, the least over 34
    assert more == ["Small B"]
    assert 'data-testid="gap-professional-engineering"' in page
    assert "These 2 classes (36.0 h) close the gap:" in page
    assert "34.0 h short" in page


@pytest.mark.django_db
def test_progress_suggests_only_classes_the_person_can_enrol_in_for_that_year(
    world: World,
) -> None:
    deadline = year_windows(YEAR).deadline(category="professional", series="engineering")
    class_make(world, "Fits", 8)
    class_make(world, "Plan not approved", 40, plan_status=ReviewStatus.PENDING)
    class_make(world, "Only planned", 40, status=TrainingClass.Status.PLANNED)
    class_make(world, "Already open", 40, status=TrainingClass.Status.OPEN)
    class_make(world, "Other series", 40, series="archives")
    class_make(world, "Next year", 40, year=YEAR + 1)
    class_make(world, "After the window", 40, start=deadline + dt.timedelta(days=1))
    class_make(world, "Full", 40, capacity=10, enrolled=10)
    taken = class_make(world, "Enrolled already", 40)
    Enrolment.objects.create(training_class=taken, person=world.person)
    other = person_create()
    elsewhere = class_make(world, "Someone else enrolled", 6)
    Enrolment.objects.create(training_class=elsewhere, person=other)

    chosen, more = suggested(progress(world))["professional:engineering"]

    assert sorted(chosen + more) == ["Fits", "Someone else enrolled"]


@pytest.mark.django_db
def test_progress_suggests_one_class_per_course(world: World) -> None:
    course = guide_course(world, "Bridge design")
    class_make(world, "Bridge design spring", 20, course=course, start=dt.date(YEAR, 5, 1))
    class_make(world, "Bridge design autumn", 20, course=course, start=dt.date(YEAR, 9, 1))

    chosen, more = suggested(progress(world))["professional:engineering"]

    assert (chosen, more) == (["Bridge design spring"], [])


@pytest.mark.django_db
def test_a_closed_window_or_a_met_requirement_suggests_nothing(world: World) -> None:
    class_make(world, "Large", 40)
    deadline = year_windows(YEAR).deadline(category="professional", series="engineering")
    assert suggested(progress(world))["professional:engineering"][0] == ["Large"]

    with time_machine.travel(deadline + dt.timedelta(days=1), tick=False):
        late = progress(world)
    record_make(world.person, None, title="Enough", status="approved", hours=34, year=YEAR)
    met = progress(world)

    assert late.context["gap"] == []
    assert 'data-testid="gap"' not in late.content.decode()
    assert "professional:engineering" not in suggested(met)
    assert "public:" in suggested(met)  # still short there


@pytest.mark.django_db
def test_the_progress_page_with_suggestions_runs_a_fixed_number_of_queries(
    world: World,
) -> None:
    class_make(world, "First", 8)
    public_course(world, "Course 0", 6)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.person.user)
    client.get(reverse("credits:progress", args=[YEAR]))  # warm the rule book cache
    with CaptureQueriesContext(connection) as one:
        first = client.get(reverse("credits:progress", args=[YEAR]))
    for n in range(6):
        more_class = class_make(world, f"More {n}", 4 + n, series="engineering")
        if n < 2:
            Enrolment.objects.create(training_class=more_class, person=world.person)
        studied = public_course(world, f"Course {n + 1}", 6 + n)
        if n < 2:
            OnlineEnrolment.objects.create(person=world.person, course=studied, year=YEAR)
    with CaptureQueriesContext(connection) as seven:
        second = client.get(reverse("credits:progress", args=[YEAR]))

    assert len(suggested(first)["professional:engineering"][0]) == 1
    chosen, more = suggested(second)["professional:engineering"]
    assert len(chosen) + len(more) == 5
    row = next(r for r in second.context["gap"] if r.shortfall.series == "engineering")
    assert len(row.suggestions[0].underway) == 2
    public = second.context["gap"][0].suggestions[0]
    assert (len(public.underway), len(public.items) + len(public.more)) == (2, 5)
    assert len(seven) == len(one)


@pytest.mark.django_db
def test_a_suggested_class_shows_its_institution_start_and_places_left(world: World) -> None:
    shown = class_make(world, "Fits", 8, capacity=25, enrolled=5, start=dt.date(YEAR, 7, 3))
    page = progress(world).content.decode()

    row = page.split(f'data-testid="gap-class-{shown.pk}"')[1].split("</tr>")[0]
    assert world.institution.name in row
    assert "2024-07-03" in row
    assert "<td>20</td>" in row


@pytest.mark.django_db
def test_one_click_on_a_suggested_class_enrols_the_person(world: World) -> None:
    shown = class_make(world, "Fits", 8)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.person.user)
    page = client.get(reverse("credits:progress", args=[YEAR])).content.decode()
    action = reverse("courses:class_enrol", kwargs={"class_id": shown.pk})
    assert f'action="{action}"' in page

    response = client.post(action, {"next": reverse("credits:progress", args=[YEAR])})

    assert response.status_code == 302
    enrolment = Enrolment.objects.get(training_class=shown, person=world.person)
    assert enrolment.status == Enrolment.Status.APPLIED
    after = progress(world)
    row = next(r for r in after.context["gap"] if r.shortfall.series == "engineering")
    # The class is now underway: its 8 h count against the 34 h gap, no longer offered.
    assert [c.name for s in row.suggestions for c in s.underway] == ["Fits"]
    assert suggested(after)["professional:engineering"] == ([], [])
    assert 'data-testid="gap-underway"' in after.content.decode()


@pytest.mark.django_db
def test_enrolled_classes_count_against_the_gap_before_choosing(world: World) -> None:
    taken = class_make(world, "Taken", 20, course=guide_course(world, "Roads"))
    Enrolment.objects.create(training_class=taken, person=world.person)
    class_make(world, "Roads again", 30, course=taken.plan.course)
    class_make(world, "Tunnels", 14)
    class_make(world, "Bridges", 30)

    chosen, more = suggested(progress(world))["professional:engineering"]

    # 34 h short, 20 underway: 14 h more; the course already taken is not offered again.
    assert (chosen, more) == (["Tunnels"], ["Bridges"])


# --- online public courses for the public shortfall -----------------------------------------


def public_course(world: World, title: str, hours: int, *, year: int = YEAR) -> Any:
    from courses.tests.online_factories import online_course_make

    return online_course_make(
        office=world.hrss, years=(year,), title=title, hours=Decimal(hours), durations=(2,)
    )


@pytest.mark.django_db
def test_progress_suggests_the_fewest_online_courses_that_close_the_public_gap(
    world: World,
) -> None:
    from courses.models_online import OnlineCourse, OnlineEnrolment

    public_course(world, "A 法治", 10)
    public_course(world, "B 数字经济", 20)
    public_course(world, "C 心理健康", 12)
    public_course(world, "D 其他年度", 30, year=YEAR + 1)
    hidden = public_course(world, "E 未发布", 30)
    OnlineCourse.objects.filter(pk=hidden.pk).update(published=False)
    done = public_course(world, "F 已学完", 30)
    OnlineEnrolment.objects.create(
        person=world.person, course=done, year=YEAR - 1, completed_at=NOW
    )

    response = progress(world)

    # 30 h short: 20 + 10 h in two courses (20 + 12 would waste 2 h more); not the other
    # year's, the unpublished or the finished course.
    assert suggested(response)["public:"] == (["A 法治", "B 数字经济"], ["C 心理健康"])
    assert 'data-testid="gap-public"' in response.content.decode()


@pytest.mark.django_db
def test_online_courses_being_studied_count_against_the_public_gap(world: World) -> None:
    from courses.models_online import OnlineEnrolment

    studying = public_course(world, "A 法治", 20)
    OnlineEnrolment.objects.create(person=world.person, course=studying, year=YEAR)
    public_course(world, "B 数字经济", 30)
    public_course(world, "C 心理健康", 10)

    row = progress(world).context["gap"][0]

    suggestion = row.suggestions[0]
    assert [e.course.title for e in suggestion.underway] == ["A 法治"]
    assert [c.title for c in suggestion.items] == ["C 心理健康"]  # 10 h left after 20 underway
    assert suggestion.covers


@pytest.mark.django_db
def test_one_click_on_a_suggested_online_course_starts_it_for_the_year(world: World) -> None:
    from courses.models_online import OnlineEnrolment

    course = public_course(world, "A 法治", 30)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.person.user)
    page = client.get(reverse("credits:progress", args=[YEAR])).content.decode()
    action = reverse("courses:online_course", args=[course.pk])
    assert f'action="{action}"' in page

    response = client.post(action, {"year": YEAR})

    assert response.status_code == 302
    assert OnlineEnrolment.objects.get(person=world.person, course=course).year == YEAR

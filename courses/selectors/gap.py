"""What fills my gap (issue 9): the open classes that would close a person's professional
shortfall, and the online public courses that would close the public one, on the progress
page, fewest first.

Registered with ``credits.api.progress_suggestions_register`` in ``CoursesConfig.ready()``
(``progress_suggestions`` for classes, ``public_course_suggestions`` for online courses);
credits calls them with the year's shortfalls that can still be filled and renders each
answer with its template include.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Exists, F, OuterRef

from accounts.api import Person
from courses.models import Enrolment, ReviewStatus, TrainingClass
from courses.models_online import OnlineCourse, OnlineEnrolment
from credits.api import GapSuggestion, Shortfall

PROFESSIONAL = "professional"
PUBLIC = "public"
CLASSES_TEMPLATE = "courses/includes/gap_classes.html"
PUBLIC_COURSES_TEMPLATE = "courses/includes/gap_public_courses.html"
# At most this many candidate classes are read for one progress page (one query).
CANDIDATES_LIMIT = 200
# Other open classes of a series shown apart from the chosen ones.
MORE_LIMIT = 5


def _tenths(hours: Decimal) -> int:
    return int((hours * 10).to_integral_value())


def fewest_covering(hours: Sequence[Decimal], need: Decimal) -> tuple[int, ...]:
    """Indices of the fewest items whose hours add up to at least ``need``.

    The choice, in two steps:

    1. How many: the fewest items that can reach ``need`` are the largest ones, so taking
       the hours in descending order until ``need`` is reached gives the smallest count
       ``k`` (any ``k - 1`` items add up to at most the ``k - 1`` largest, which fall
       short).  If even all items fall short, all are returned, largest first: the person
       sees how far the open classes go.
    2. Which ``k``: among the sets of ``k`` items that reach ``need``, the one with the
       fewest hours in total (the least time spent beyond the gap), a small subset-sum
       over the sums reachable with fewer than ``k`` items (in tenths of an hour; all of
       them are below ``need``, so there are at most ``k × need × 10`` states).  Ties go to
       the set found first when going through ``hours`` in order (the caller orders
       them by start date, so earlier classes win).

    The result lists the chosen indices in their order in ``hours``.
    """
    if need <= 0 or not hours:
        return ()
    target = _tenths(need)
    values = [_tenths(h) for h in hours]
    largest_first = sorted(range(len(values)), key=lambda i: (-values[i], i))
    total, count = 0, 0
    for count, index in enumerate(largest_first, start=1):  # noqa: B007 (count is used after)
        total += values[index]
        if total >= target:
            break
    else:
        return tuple(largest_first)
    # reachable[j]: sum → the earliest items (by position) that add up to it, j items.
    reachable: list[dict[int, tuple[int, ...]]] = [{} for _ in range(count + 1)]
    reachable[0][0] = ()
    best: tuple[int, tuple[int, ...]] | None = None
    for index, value in enumerate(values):
        for j in range(count - 1, -1, -1):
            for subtotal, chosen in list(reachable[j].items()):
                new_total = subtotal + value
                if j + 1 == count:
                    if new_total >= target and (best is None or new_total < best[0]):
                        best = (new_total, (*chosen, index))
                elif new_total not in reachable[j + 1]:
                    reachable[j + 1][new_total] = (*chosen, index)
    assert best is not None  # the k largest reach the target
    return best[1]


def open_classes(*, person: Person, year: int, series: Sequence[str]) -> list[TrainingClass]:
    """Classes of approved plans of ``year`` in ``series`` (codes) that accept enrolment,
    have a place left and that the person has not enrolled in yet, earliest start first
    (one query)."""
    enrolled = Enrolment.objects.filter(training_class=OuterRef("pk"), person=person)
    return list(
        TrainingClass.objects.filter(
            status=TrainingClass.Status.ACCEPTING,
            plan__status=ReviewStatus.APPROVED,
            plan__year=year,
            plan__series__code__in=series,
            enrolled__lt=F("capacity"),
        )
        .exclude(Exists(enrolled))
        .select_related("plan__course", "plan__filer", "plan__series")
        .order_by("start_date", "pk")[:CANDIDATES_LIMIT]
    )


def enrolled_classes(*, person: Person, year: int, series: Sequence[str]) -> list[TrainingClass]:
    """Classes of ``year`` in ``series`` the person holds a place in (applied or accepted)
    that have not closed yet: their hours are on the way (one query)."""
    return list(
        TrainingClass.objects.filter(
            status__in=(TrainingClass.Status.ACCEPTING, TrainingClass.Status.OPEN),
            plan__year=year,
            plan__series__code__in=series,
            enrolments__person=person,
            enrolments__status__in=Enrolment.HOLDING_STATUSES,
        )
        .select_related("plan__course", "plan__filer", "plan__series")
        .order_by("start_date", "pk")
    )


def progress_suggestions(
    person: Person, year: int, shortfalls: tuple[Shortfall, ...]
) -> list[GapSuggestion]:
    """For each professional shortfall, the fewest open classes of that series starting by
    the year's deadline that close what the classes the person is already enrolled in
    (``underway``) leave open (``fewest_covering``), one class per course (the earliest,
    none of a course already taken); a few other open classes go in ``more``."""
    wanted = [s for s in shortfalls if s.category == PROFESSIONAL and s.series]
    if not wanted:
        return []
    codes = [s.series for s in wanted]
    classes = open_classes(person=person, year=year, series=codes)
    enrolled = enrolled_classes(person=person, year=year, series=codes)
    found: list[GapSuggestion] = []
    for shortfall in wanted:
        underway = tuple(c for c in enrolled if c.plan.series.code == shortfall.series)
        underway_hours = sum((c.hours for c in underway), Decimal(0))
        # A course already taken is not suggested again in another class.
        seen_courses = {c.plan.course_id for c in underway}
        candidates: list[TrainingClass] = []
        for one in classes:
            if (
                one.plan.series.code == shortfall.series
                and one.start_date <= shortfall.deadline
                and one.plan.course_id not in seen_courses
            ):
                seen_courses.add(one.plan.course_id)
                candidates.append(one)
        if not candidates and not underway:
            continue
        need = shortfall.hours - underway_hours
        chosen = fewest_covering([c.hours for c in candidates], need)
        items = tuple(candidates[i] for i in chosen)
        rest = tuple(c for i, c in enumerate(candidates) if i not in set(chosen))
        found.append(
            GapSuggestion(
                shortfall=shortfall,
                template=CLASSES_TEMPLATE,
                items=items,
                hours=sum((c.hours for c in items), Decimal(0)),
                more=rest[:MORE_LIMIT],
                underway=underway,
                underway_hours=underway_hours,
            )
        )
    return found


def public_course_suggestions(
    person: Person, year: int, shortfalls: tuple[Shortfall, ...]
) -> list[GapSuggestion]:
    """For the public shortfall, the fewest published online courses counting for ``year``
    (a published public subject of that year) that close what the courses the person is
    studying for ``year`` (``underway``, not complete yet) leave open; a course the person
    ever started is not offered again (one enrolment per course).  Two queries."""
    wanted = next((s for s in shortfalls if s.category == PUBLIC), None)
    if wanted is None:
        return []
    mine = OnlineEnrolment.objects.filter(person=person, course=OuterRef("pk"))
    candidates = list(
        OnlineCourse.objects.filter(published=True, subjects__year=year, subjects__published=True)
        .exclude(Exists(mine))
        .distinct()
        .order_by("title", "pk")[:CANDIDATES_LIMIT]
    )
    underway = tuple(
        OnlineEnrolment.objects.filter(person=person, year=year, completed_at__isnull=True)
        .select_related("course")
        .order_by("created_at", "pk")
    )
    if not candidates and not underway:
        return []
    underway_hours = sum((e.course.hours for e in underway), Decimal(0))
    chosen = fewest_covering([c.hours for c in candidates], wanted.hours - underway_hours)
    items = tuple(candidates[i] for i in chosen)
    return [
        GapSuggestion(
            shortfall=wanted,
            template=PUBLIC_COURSES_TEMPLATE,
            items=items,
            hours=sum((c.hours for c in items), Decimal(0)),
            more=tuple(c for i, c in enumerate(candidates) if i not in set(chosen))[:MORE_LIMIT],
            underway=underway,
            underway_hours=underway_hours,
        )
    ]

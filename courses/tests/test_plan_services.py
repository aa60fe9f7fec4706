"""Subject guides and course plans: who may file, the filing window, integrity, routing to
the reviewing authority, the three outcomes and the HRSS filing (s4-plans)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from accounts.models import AuditEntry, Decision, Level, Notice, Organisation, ProfessionalSeries
from accounts.services import organisation_review
from courses.models import CoursePlan, ReviewStatus, SubjectGuide, TrainingClass, Violation
from courses.services import guides, plans
from courses.tests.plan_helpers import guide_course_published, instructor, plan_with_class, qualify
from tests.factories import World, admin_of, authority_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


TODAY = date(2026, 3, 2)


def _submit(plan: CoursePlan, today: date = TODAY) -> CoursePlan:
    return plans.plan_submit(actor=admin_of(plan.filer), plan=plan, today=today)


# --- Guides -----------------------------------------------------------------------------------


def test_authority_drafts_a_guide_only_for_a_series_it_governs(world: World) -> None:
    accounting = ProfessionalSeries.objects.get(code="accounting")
    with pytest.raises(ValidationError, match="does not govern"):
        guides.guide_create(
            actor=admin_of(world.authority), authority=world.authority, series=accounting, year=2026
        )


def test_a_guide_is_published_with_courses_and_then_frozen(world: World) -> None:
    actor = admin_of(world.authority)
    series = ProfessionalSeries.objects.get(code="engineering")
    guide = guides.guide_create(actor=actor, authority=world.authority, series=series, year=2026)
    with pytest.raises(ValidationError, match="at least one course"):
        guides.guide_publish(actor=actor, guide=guide)
    guides.guide_course_add(
        actor=actor, guide=guide, name="BIM", course_type="professional", hours=Decimal(12)
    )
    with pytest.raises(ValidationError):
        guides.guide_course_add(
            actor=actor, guide=guide, name="BIM", course_type="professional", hours=Decimal(6)
        )
    guide = guides.guide_publish(actor=actor, guide=guide)
    assert guide.status == SubjectGuide.Status.PUBLISHED and guide.published_at
    with pytest.raises(ValidationError, match="published guide"):
        guides.guide_course_add(
            actor=actor, guide=guide, name="New", course_type="professional", hours=Decimal(6)
        )
    assert AuditEntry.objects.filter(action="guide.publish", target_id=str(guide.pk)).exists()


def test_a_plan_picks_only_a_course_of_a_published_guide(world: World) -> None:
    actor = admin_of(world.authority)
    series = ProfessionalSeries.objects.get(code="engineering")
    guide = guides.guide_create(actor=actor, authority=world.authority, series=series, year=2026)
    course = guides.guide_course_add(
        actor=actor, guide=guide, name="BIM", course_type="professional", hours=Decimal(12)
    )
    qualify(world.institution)
    with pytest.raises(ValidationError, match="published subject guide"):
        plans.plan_create(actor=admin_of(world.institution), filer=world.institution, course=course)


# --- Who may file ------------------------------------------------------------------------------


def test_an_institution_needs_the_series_qualification_to_plan(world: World) -> None:
    course = guide_course_published(world.authority)
    with pytest.raises(ValidationError, match="qualification"):
        plans.plan_create(actor=admin_of(world.institution), filer=world.institution, course=course)
    qualify(world.institution)
    plan = plans.plan_create(
        actor=admin_of(world.institution), filer=world.institution, course=course
    )
    assert (plan.year, plan.series.code, plan.status) == (2026, "engineering", "draft")


def test_an_employer_files_an_in_house_plan_without_a_qualification(world: World) -> None:
    course = guide_course_published(world.authority)
    plan = plans.plan_create(actor=admin_of(world.employer), filer=world.employer, course=course)
    assert plan.filer == world.employer


def test_only_enabled_instructors_of_the_filer_teach(world: World, other_world: World) -> None:
    course = guide_course_published(world.authority)
    plan, training_class = plan_with_class(world.employer, course, today=TODAY)
    kwargs: dict[str, Any] = {
        "actor": admin_of(world.employer),
        "plan": plan,
        "training_class": training_class,
        "name": "第1期",
        "start_date": TODAY + timedelta(days=10),
        "end_date": TODAY + timedelta(days=10),
        "hours": Decimal(8),
        "capacity": 30,
        "mode": TrainingClass.Mode.FACE_TO_FACE,
        "location": "广州",
    }
    for teacher in (instructor(other_world.employer), instructor(world.employer, enabled=False)):
        with pytest.raises(ValidationError, match="enabled instructors"):
            plans.plan_class_save(**kwargs, instructors=[teacher])
    mine = instructor(world.employer)
    saved = plans.plan_class_save(**kwargs, instructors=[mine])
    assert list(saved.instructors.all()) == [mine]
    with pytest.raises(ValidationError, match="location"):
        plans.plan_class_save(**{**kwargs, "location": ""})


# --- Submission: classes, window, integrity, routing ------------------------------------------


def test_a_plan_without_classes_is_not_submitted(world: World) -> None:
    course = guide_course_published(world.authority)
    plan = plans.plan_create(actor=admin_of(world.employer), filer=world.employer, course=course)
    with pytest.raises(ValidationError, match="at least one class"):
        _submit(plan)


def test_a_class_starting_outside_the_window_is_refused_with_its_dates(world: World) -> None:
    course = guide_course_published(world.authority)
    qualify(world.institution)
    start = date(2026, 4, 20)  # 49 days after TODAY
    plan, _ = plan_with_class(world.institution, course, start=start, today=TODAY)
    with pytest.raises(ValidationError) as refused:
        _submit(plan)
    assert refused.value.messages == [
        "The class starting 2026-04-20 must be filed between 2026-03-21 and 2026-04-19."
    ]
    assert _submit(plan, today=date(2026, 3, 21)).status == ReviewStatus.PENDING


def test_a_class_starting_today_is_too_late_to_file(world: World) -> None:
    course = guide_course_published(world.authority)
    plan, _ = plan_with_class(world.employer, course, start=TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="2026-03-02 must be filed between"):
        _submit(plan)


@override_settings(COURSES_PLAN_WINDOW_MIN_DAYS=30, COURSES_PLAN_WINDOW_MAX_DAYS=0)
def test_the_at_least_30_days_reading_is_a_setting(world: World) -> None:
    course = guide_course_published(world.authority)
    plan, _ = plan_with_class(world.employer, course, start=TODAY + timedelta(days=10))
    with pytest.raises(ValidationError) as refused:
        _submit(plan)
    assert refused.value.messages == [
        "The class starting 2026-03-12 must be filed on or before 2026-02-10."
    ]
    early, _ = plan_with_class(world.employer, course, start=TODAY + timedelta(days=45))
    assert _submit(early).status == ReviewStatus.PENDING


def test_an_active_violation_blocks_filing_until_it_clears(world: World) -> None:
    course = guide_course_published(world.authority)
    qualify(world.institution)
    plan, _ = plan_with_class(world.institution, course, today=TODAY)
    violation = Violation.objects.create(
        party_organisation=world.institution,
        recorded_by=world.hrss,
        reason="违规开班",
        occurred_on=date(2026, 1, 5),
        clears_on=date(2026, 6, 30),
    )
    with pytest.raises(ValidationError, match="until 2026-06-30"):
        _submit(plan)
    violation.clears_on = TODAY - timedelta(days=1)
    violation.save()
    assert _submit(plan).status == ReviewStatus.PENDING


def test_an_institution_plan_goes_to_the_authority_of_its_level(world: World) -> None:
    course = guide_course_published(world.authority)
    qualify(world.institution)
    plan, _ = plan_with_class(world.institution, course, today=TODAY)
    plan = _submit(plan)
    assert plan.authority == world.authority  # city institution → city authority
    entry = AuditEntry.objects.get(action="plan.submit", target_id=str(plan.pk))
    assert (entry.from_state, entry.to_state) == ("draft", "pending")


def test_an_employer_plan_goes_to_its_district_authority_or_the_nearest_above(
    world: World,
) -> None:
    course = guide_course_published(world.authority)
    # The world's district authority is still pending: the city authority reviews.
    first, _ = plan_with_class(world.employer, course, today=TODAY)
    assert _submit(first).authority == world.authority
    district = organisation_review(
        reviewer=admin_of(world.authority),
        reviewer_organisation=world.authority,
        organisation=world.pending_authority,
        decision=Decision.APPROVE,
    )
    second, _ = plan_with_class(world.employer, course, today=TODAY)
    assert _submit(second).authority == district


def test_an_authority_own_plan_goes_to_its_parent_or_provincial_hrss(world: World) -> None:
    course = guide_course_published(world.authority)
    own, _ = plan_with_class(world.authority, course, today=TODAY)
    assert _submit(own).authority == world.authority.parent
    province = world.authority.parent
    assert province is not None
    provincial_course = guide_course_published(province, name="省级课程")
    provincial, _ = plan_with_class(province, provincial_course, today=TODAY)
    reviewer = _submit(provincial).authority
    assert reviewer is not None
    assert (reviewer.kind, reviewer.level) == ("hrss", Level.PROVINCE)


def test_no_fitting_authority_is_refused_with_a_clear_message(world: World) -> None:
    """A district authority's own plan whose parent (the city authority) is no longer
    approved: nobody reviews it."""
    district = organisation_review(
        reviewer=admin_of(world.authority),
        reviewer_organisation=world.authority,
        organisation=world.pending_authority,
        decision=Decision.APPROVE,
    )
    course = guide_course_published(world.authority)
    plan, _ = plan_with_class(district, course, today=TODAY)
    Organisation.objects.filter(pk=world.authority.pk).update(status="returned")
    with pytest.raises(ValidationError, match="No approved authority governing"):
        _submit(plan)
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_a_course_of_another_city_guide_cannot_be_picked(world: World, other_world: World) -> None:
    course = guide_course_published(other_world.authority)
    with pytest.raises(ValidationError, match="published subject guide"):
        plans.plan_create(actor=admin_of(world.employer), filer=world.employer, course=course)


# --- Review ------------------------------------------------------------------------------------


def _pending(world: World, name: str = "装配式建筑施工技术") -> CoursePlan:
    course = guide_course_published(world.authority, name=name)
    qualify(world.institution)
    plan, _ = plan_with_class(world.institution, course, today=TODAY)
    return _submit(plan)


def test_approval_files_the_plan_with_the_hrss_office_of_the_reviewer_level(
    world: World,
) -> None:
    plan = _pending(world)
    result = plans.plans_review(
        reviewer=admin_of(world.authority),
        reviewer_organisation=world.authority,
        plan_ids=[plan.pk],
        decision=Decision.APPROVE,
    )
    plan.refresh_from_db()
    assert (result.decided, result.skipped) == (1, 0)
    assert plan.status == "approved" and plan.hrss_office == world.hrss
    notice = Notice.objects.get(recipient=admin_of(world.institution))
    assert notice.kind == Notice.Kind.PLAN_APPROVED and world.hrss.name in notice.text
    assert AuditEntry.objects.filter(
        action="plan.approve",
        target_id=str(plan.pk),
        to_state="approved",
    ).exists()


def test_a_returned_plan_is_edited_and_submitted_again(world: World) -> None:
    plan = _pending(world)
    with pytest.raises(ValidationError, match="reason"):
        plans.plans_review(
            reviewer=admin_of(world.authority),
            reviewer_organisation=world.authority,
            plan_ids=[plan.pk],
            decision=Decision.RETURN,
        )
    plans.plans_review(
        reviewer=admin_of(world.authority),
        reviewer_organisation=world.authority,
        plan_ids=[plan.pk],
        decision=Decision.RETURN,
        reason="请补充师资",
    )
    plan.refresh_from_db()
    assert plan.is_editable and plan.reviewer_reason == "请补充师资"
    assert Notice.objects.filter(kind=Notice.Kind.PLAN_RETURNED).count() == 1
    assert _submit(plan).status == "pending"


def test_a_pending_plan_cannot_be_edited(world: World) -> None:
    plan = _pending(world)
    with pytest.raises(ValidationError, match="only a draft or returned plan"):
        plans.plan_update(
            actor=admin_of(world.institution),
            plan=plan,
            course=plan.course,
        )


def test_batch_review_skips_plans_that_are_not_the_reviewer_s(
    world: World, other_world: World
) -> None:
    mine = [_pending(world, "课程一"), _pending(world, "课程二")]
    theirs = _pending(other_world)
    result = plans.plans_review(
        reviewer=admin_of(world.authority),
        reviewer_organisation=world.authority,
        plan_ids=[p.pk for p in [*mine, theirs]],
        decision=Decision.REJECT,
        reason="不符合指南",
    )
    assert (result.decided, result.skipped) == (2, 1)
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_approval_is_refused_when_no_hrss_office_can_file_it(world: World) -> None:
    plan = _pending(world)
    Organisation.objects.filter(kind="hrss").update(status="pending")
    with pytest.raises(ValidationError, match="No approved HRSS office"):
        plans.plans_review(
            reviewer=admin_of(world.authority),
            reviewer_organisation=world.authority,
            plan_ids=[plan.pk],
            decision=Decision.APPROVE,
        )


def test_a_new_authority_without_the_series_is_not_a_reviewer(world: World) -> None:
    """An approved authority of the institution's city governing another series only."""
    city = world.institution.region
    other = authority_create(region=city, level=Level.CITY, parent=world.authority.parent)
    other.series.set(ProfessionalSeries.objects.filter(code="accounting"))
    Organisation.objects.filter(pk=other.pk).update(status="approved")
    plan = _pending(world)
    assert plan.authority == world.authority

"""Demo classes for ``make run`` (called from ``courses.demo``): the demo institution holds an
engineering qualification and an approved plan of the provincial authority's guide, with a
class accepting enrolment (two professionals enrolled, one accepted), an open class with
results, and a closed class whose record sits in the demo employer's review queue.

Idempotent: it looks up what it made by name and creates only what is missing; the plan,
guide and qualification are made directly with the models when the other parts' demo did
not make them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.api import Organisation, Person, ProfessionalSeries, User
from courses.models import (
    CoursePlan,
    Enrolment,
    GuideCourse,
    Qualification,
    ReviewStatus,
    SubjectGuide,
    TrainingClass,
)
from courses.services.classes import class_status_change
from courses.services.closing import class_close, class_records_create
from courses.services.enrolments import enrolment_create, enrolments_decide
from courses.services.results import Result, results_record

S = TrainingClass.Status


def _plan(institution: Organisation, authority: Organisation, course_name: str) -> CoursePlan:
    year = timezone.localdate().year
    series = ProfessionalSeries.objects.get(code="engineering")
    Qualification.objects.get_or_create(
        institution=institution,
        series=series,
        defaults={"authority": authority, "status": ReviewStatus.APPROVED},
    )
    guide, _ = SubjectGuide.objects.get_or_create(
        authority=authority,
        series=series,
        year=year,
        defaults={"status": SubjectGuide.Status.PUBLISHED, "published_at": timezone.now()},
    )
    course, _ = GuideCourse.objects.get_or_create(
        guide=guide, name=course_name, defaults={"hours": Decimal(16)}
    )
    plan = CoursePlan.objects.filter(filer=institution, course=course, year=year).first()
    if plan is None:
        plan = CoursePlan.objects.create(
            filer=institution,
            course=course,
            year=year,
            series=series,
            status=ReviewStatus.APPROVED,
            authority=authority,
            submitted_at=timezone.now(),
            decided_at=timezone.now(),
        )
    return plan


def _class(
    plan: CoursePlan, name: str, *, start_in: int, days: int, capacity: int
) -> TrainingClass:
    found = TrainingClass.objects.filter(plan=plan, name=name).first()
    if found is not None:
        return found
    today = timezone.localdate()
    start = max(today + timedelta(days=start_in), today.replace(month=1, day=1))
    return TrainingClass.objects.create(
        plan=plan,
        name=name,
        start_date=start,
        end_date=start + timedelta(days=days),
        hours=Decimal(16),
        capacity=capacity,
        location="广州市海珠区新港西路135号",
        head_teacher="陈老师",
    )


@transaction.atomic
def demo_classes_load() -> None:
    admin = User.objects.filter(username="institution").first()
    authority_user = User.objects.filter(username="authority").first()
    person = Person.objects.filter(user__username="person").first()
    second = Person.objects.filter(user__username="reviewer").first()
    if admin is None or authority_user is None or person is None or second is None:
        return
    institution = Organisation.objects.get(memberships__user=admin, kind="institution")
    authority = Organisation.objects.get(memberships__user=authority_user, kind="authority")

    def to(c: TrainingClass, status: str) -> None:
        class_status_change(training_class=c, to=status, user=admin, organisation=institution)

    # A class accepting enrolment, two professionals enrolled, one accepted.
    accepting = _class(
        _plan(institution, authority, "装配式建筑施工技术"),
        "装配式建筑施工技术（第一期）",
        start_in=30,
        days=2,
        capacity=60,
    )
    if accepting.status == S.PLANNED:
        to(accepting, S.ACCEPTING)
        first = enrolment_create(training_class=accepting, person=person, user=person.user)
        enrolment_create(training_class=accepting, person=second, user=second.user)
        enrolments_decide(
            training_class=accepting,
            enrolment_ids=[first.pk],
            accept=True,
            user=admin,
            organisation=institution,
        )

    # An open class with results.
    open_class = _class(
        _plan(institution, authority, "BIM 技术在工程管理中的应用"),
        "BIM 技术应用（第二期）",
        start_in=-1,
        days=3,
        capacity=40,
    )
    if open_class.status == S.PLANNED:
        to(open_class, S.ACCEPTING)
        enrolment = enrolment_create(training_class=open_class, person=person, user=person.user)
        enrolments_decide(
            training_class=open_class,
            enrolment_ids=[enrolment.pk],
            accept=True,
            user=admin,
            organisation=institution,
        )
        to(open_class, S.OPEN)
        results_record(
            training_class=open_class,
            results=[Result(enrolment.pk, Enrolment.Result.PASS, Decimal(88))],
            user=admin,
            organisation=institution,
        )

    # A closed class whose record waits in the employer's review queue.
    closed = _class(
        _plan(institution, authority, "建筑工程质量安全管理"),
        "建筑工程质量安全管理（第一期）",
        start_in=-12,
        days=2,
        capacity=40,
    )
    if closed.status == S.PLANNED:
        to(closed, S.ACCEPTING)
        enrolment = enrolment_create(training_class=closed, person=person, user=person.user)
        enrolments_decide(
            training_class=closed,
            enrolment_ids=[enrolment.pk],
            accept=True,
            user=admin,
            organisation=institution,
        )
        to(closed, S.OPEN)
        results_record(
            training_class=closed,
            results=[Result(enrolment.pk, Enrolment.Result.PASS, Decimal(92))],
            user=admin,
            organisation=institution,
        )
        class_close(training_class=closed, user=admin, organisation=institution)
    if (
        closed.status == S.CLOSED
        or TrainingClass.objects.filter(pk=closed.pk, status=S.CLOSED).exists()
    ):
        class_records_create(class_id=closed.pk, actor=admin)  # (eager tasks may have done it)

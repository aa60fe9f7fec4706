"""Class states and enrolment (004 institution #4/#5, person #7)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, Notice
from courses.models import Enrolment, ReviewStatus, TrainingClass
from courses.services.classes import class_status_change
from courses.services.enrolments import enrolment_create, enrolment_withdraw, enrolments_decide
from courses.tests.factories import class_make, plan_make
from tests.factories import World, admin_of, person_create

pytestmark = pytest.mark.django_db
S = TrainingClass.Status


def _class(world: World, **kwargs: object) -> TrainingClass:
    return class_make(plan_make(world.institution, authority=world.authority), **kwargs)  # type: ignore[arg-type]


def _change(world: World, c: TrainingClass, to: str, reason: str = "") -> TrainingClass:
    return class_status_change(
        training_class=c,
        to=to,
        reason=reason,
        user=admin_of(world.institution),
        organisation=world.institution,
    )


def test_a_class_goes_planned_accepting_open_and_each_change_is_audited(world: World) -> None:
    c = _class(world, status=S.PLANNED)
    _change(world, c, S.ACCEPTING)
    _change(world, c, S.OPEN)
    c.refresh_from_db()
    assert c.status == S.OPEN
    entries = AuditEntry.objects.filter(
        action="class.status", target_type="courses.trainingclass", target_id=str(c.pk)
    ).order_by("pk")
    assert [(e.from_state, e.to_state) for e in entries] == [
        ("planned", "accepting"),
        ("accepting", "open"),
    ]


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.PLANNED, S.OPEN),
        (S.ACCEPTING, S.PLANNED),
        (S.OPEN, S.ACCEPTING),
        (S.CANCELLED, S.ACCEPTING),
        (S.CLOSED, S.OPEN),
    ],
)
def test_only_the_listed_transitions_are_allowed(world: World, start: str, to: str) -> None:
    c = _class(world, status=start)
    with pytest.raises(ValidationError):
        _change(world, c, to, reason="x")
    c.refresh_from_db()
    assert c.status == start


def test_a_class_of_an_unapproved_plan_cannot_accept_enrolment(world: World) -> None:
    plan = plan_make(world.institution, authority=world.authority, status=ReviewStatus.PENDING)
    c = class_make(plan, status=S.PLANNED)
    with pytest.raises(ValidationError, match="not approved"):
        _change(world, c, S.ACCEPTING)


def test_only_the_filer_changes_a_class(world: World, other_world: World) -> None:
    c = _class(world, status=S.PLANNED)
    with pytest.raises(PermissionDenied):
        class_status_change(
            training_class=c,
            to=S.ACCEPTING,
            user=admin_of(other_world.institution),
            organisation=other_world.institution,
        )


def test_cancelling_a_class_cancels_its_enrolments_and_notifies_the_enrolled(
    world: World,
) -> None:
    c = _class(world)
    enrolment_create(training_class=c, person=world.person, user=world.person.user)
    c = _change(world, c, S.CANCELLED, reason="讲师生病")
    assert c.status == S.CANCELLED and c.enrolled == 0
    assert Enrolment.objects.get(training_class=c).status == Enrolment.Status.CANCELLED
    notice = Notice.objects.get(recipient=world.person.user, kind=Notice.Kind.CLASS_CANCELLED)
    assert "讲师生病" in notice.text and c.name in notice.text


def test_cancelling_needs_a_reason(world: World) -> None:
    c = _class(world)
    with pytest.raises(ValidationError):
        _change(world, c, S.CANCELLED)


# --- enrolment ---------------------------------------------------------------------------------


def test_a_person_enrols_and_the_class_counts_the_place(world: World) -> None:
    c = _class(world, capacity=2)
    enrolment = enrolment_create(training_class=c, person=world.person, user=world.person.user)
    c.refresh_from_db()
    assert (enrolment.status, c.enrolled) == (Enrolment.Status.APPLIED, 1)
    assert AuditEntry.objects.filter(
        action="enrolment.create", target_id=str(enrolment.pk)
    ).exists()


def test_enrolling_twice_is_refused(world: World) -> None:
    c = _class(world)
    enrolment_create(training_class=c, person=world.person, user=world.person.user)
    with pytest.raises(ValidationError, match="already enrolled"):
        enrolment_create(training_class=c, person=world.person, user=world.person.user)
    c.refresh_from_db()
    assert c.enrolled == 1


def test_a_full_class_refuses_with_the_number_of_places(world: World) -> None:
    c = _class(world, capacity=1)
    other = person_create()
    enrolment_create(training_class=c, person=other, user=other.user)
    with pytest.raises(ValidationError, match="full: all 1 places"):
        enrolment_create(training_class=c, person=world.person, user=world.person.user)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.CLOSED, "is closed"),
        (S.CANCELLED, "was cancelled"),
        (S.OPEN, "has started"),
        (S.PLANNED, "does not accept enrolment yet"),
    ],
)
def test_a_class_not_accepting_refuses_with_its_reason(
    world: World, status: str, message: str
) -> None:
    c = _class(world, status=status)
    with pytest.raises(ValidationError, match=message):
        enrolment_create(training_class=c, person=world.person, user=world.person.user)


def test_a_class_in_a_series_the_person_does_not_hold_is_refused(world: World) -> None:
    c = class_make(plan_make(world.institution, authority=world.authority, series="accounting"))
    with pytest.raises(ValidationError, match="do not hold"):
        enrolment_create(training_class=c, person=world.person, user=world.person.user)


def test_the_institution_accepts_and_cancels_in_batch_and_cancelling_frees_places(
    world: World,
) -> None:
    c = _class(world, capacity=3)
    persons = [person_create() for _ in range(3)]
    ids = [enrolment_create(training_class=c, person=p, user=p.user).pk for p in persons]
    admin = admin_of(world.institution)
    result = enrolments_decide(
        training_class=c,
        enrolment_ids=ids[:2],
        accept=True,
        user=admin,
        organisation=world.institution,
    )
    assert result.changed == 2
    result = enrolments_decide(
        training_class=c,
        enrolment_ids=[ids[1], ids[2]],
        accept=False,
        user=admin,
        organisation=world.institution,
    )
    assert result.changed == 2
    statuses = dict(Enrolment.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert [statuses[i] for i in ids] == ["accepted", "cancelled", "cancelled"]
    c.refresh_from_db()
    assert c.enrolled == 1
    assert Notice.objects.filter(kind=Notice.Kind.ENROLMENT_CANCELLED).count() == 2


def test_another_institution_cannot_decide_enrolments(world: World, other_world: World) -> None:
    c = _class(world)
    e = enrolment_create(training_class=c, person=world.person, user=world.person.user)
    with pytest.raises(PermissionDenied):
        enrolments_decide(
            training_class=c,
            enrolment_ids=[e.pk],
            accept=True,
            user=admin_of(other_world.institution),
            organisation=other_world.institution,
        )


def test_the_person_cancels_their_own_enrolment_only_while_accepting(world: World) -> None:
    c = _class(world)
    e = enrolment_create(training_class=c, person=world.person, user=world.person.user)
    enrolment_withdraw(enrolment=e, person=world.person, user=world.person.user)
    c.refresh_from_db()
    assert c.enrolled == 0
    e2 = enrolment_create(training_class=c, person=world.person, user=world.person.user)
    assert e2.pk == e.pk and e2.status == Enrolment.Status.APPLIED
    _change(world, c, S.OPEN)
    with pytest.raises(ValidationError, match="only while the class accepts"):
        enrolment_withdraw(enrolment=e2, person=world.person, user=world.person.user)


# --- pages -------------------------------------------------------------------------------------


def test_enrolling_through_the_agreed_url(world: World) -> None:
    c = _class(world)
    client = Client()
    client.force_login(world.person.user)
    response = client.post(reverse("courses:class_enrol", kwargs={"class_id": c.pk}))
    assert response.status_code == 302
    assert Enrolment.objects.filter(training_class=c, person=world.person).exists()
    again = client.post(reverse("courses:class_enrol", kwargs={"class_id": c.pk}), follow=True)
    shown = [str(m) for m in again.context["messages"]]
    assert shown[-1] == "您已报名该培训班。"  # the error message, in the page's language
    assert Enrolment.objects.filter(training_class=c).count() == 1


def test_a_class_of_an_unapproved_plan_is_not_public(world: World) -> None:
    plan = plan_make(world.institution, authority=world.authority, status=ReviewStatus.PENDING)
    c = class_make(plan)
    client = Client()
    assert client.get(reverse("courses:class_public_detail", args=[c.pk])).status_code == 404
    client.force_login(world.person.user)
    assert client.post(reverse("courses:class_enrol", args=[c.pk])).status_code == 404


def test_the_institution_page_accepts_ticked_enrolments(world: World) -> None:
    c = _class(world)
    e = enrolment_create(training_class=c, person=world.person, user=world.person.user)
    client = Client()
    client.force_login(admin_of(world.institution))
    url = reverse(
        "courses:org_enrolments_decide",
        kwargs={"organisation_id": world.institution.pk, "class_id": c.pk},
    )
    client.post(url, {"enrolment_ids": [e.pk], "action": "accept"})
    e.refresh_from_db()
    assert e.status == Enrolment.Status.ACCEPTED
    page = client.get(
        reverse(
            "courses:org_class", kwargs={"organisation_id": world.institution.pk, "class_id": c.pk}
        )
    )
    assert world.person.real_name in page.content.decode()


def test_the_person_sees_their_enrolments(world: World) -> None:
    c = _class(world)
    enrolment_create(training_class=c, person=world.person, user=world.person.user)
    client = Client()
    client.force_login(world.person.user)
    body = client.get(reverse("courses:my_enrolments")).content.decode()
    assert c.name in body


def test_the_filer_changes_the_state_and_cancels_with_a_reason_from_the_page(
    world: World,
) -> None:
    c = _class(world, status=S.PLANNED)
    client = Client()
    client.force_login(admin_of(world.institution))
    kwargs = {"organisation_id": world.institution.pk, "class_id": c.pk}
    url = reverse("courses:org_class_status", kwargs=kwargs)
    client.post(url, {"to": "accepting"})
    c.refresh_from_db()
    assert c.status == S.ACCEPTING
    client.post(url, {"to": "cancelled", "reason": ""})
    c.refresh_from_db()
    assert c.status == S.ACCEPTING  # a cancellation needs a reason
    client.post(url, {"to": "cancelled", "reason": "场地不可用"})
    c.refresh_from_db()
    assert c.status == S.CANCELLED


def test_the_person_cancels_their_enrolment_from_the_page(world: World) -> None:
    c = _class(world)
    e = enrolment_create(training_class=c, person=world.person, user=world.person.user)
    client = Client()
    client.force_login(world.person.user)
    client.post(reverse("courses:enrolment_cancel", kwargs={"enrolment_id": e.pk}))
    e.refresh_from_db()
    assert e.status == Enrolment.Status.CANCELLED

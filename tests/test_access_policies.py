"""Every URL declares an access policy, and everyone outside it is refused.

The test walks the whole URL resolver, so a new URL is covered as soon as it exists: it fails
when a pattern has no declaration or uses an object id this file cannot build.
For each pattern and each of the six roles (anonymous, person, employer, institution,
authority, HRSS):
- a role outside the policy gets a redirect to log in (anonymous), 403 or 404, for GET and POST;
- a role inside the policy, acting on another organisation's objects (IDOR), gets 403 or 404;
- a role inside the policy, on its own objects, is let in (so the test can fail).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Notice, Organisation
from accounts.permissions import ANONYMOUS, PERSON, Policy
from portal.urls import NAMESPACE_POLICIES
from tests.factories import PDF_BYTES, World, world_create

ROLES = [ANONYMOUS, PERSON, "employer", "institution", "authority", "hrss"]
REFUSED = {403, 404}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str
    kwargs: tuple[str, ...]
    policy: Policy | None


def _walk(
    patterns: list[Any], namespace: str = "", prefix: str = "", inherited: Policy | None = None
) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            policy = NAMESPACE_POLICIES.get(ns, inherited)
            yield from _walk(entry.url_patterns, full_ns, prefix + str(entry.pattern), policy)
        elif isinstance(entry, URLPattern):
            policy = getattr(entry.callback, "access_policy", None) or inherited
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield Route(name, prefix + str(entry.pattern), tuple(entry.pattern.converters), policy)


ROUTES = list(_walk(get_resolver().url_patterns))
APP_ROUTES = [r for r in ROUTES if not r.name.startswith("admin:")]


def test_every_url_pattern_declares_an_access_policy() -> None:
    missing = [r.route for r in ROUTES if r.policy is None]
    assert missing == [], f"URL patterns without an access policy: {missing}"


def test_every_app_url_is_named() -> None:
    assert [r.route for r in APP_ROUTES if not r.name or r.name.endswith(":")] == []


# --- Building URLs for a world ---------------------------------------------------------------


def _organisation_id(world: World, policy: Policy, role: str) -> int:
    kind = role if role in policy.kinds else policy.kinds[0]
    return world.org(kind).pk


def _application_id(world: World, policy: Policy, role: str) -> int:
    kind = role if role in policy.kinds else policy.kinds[0]
    return (world.pending_employer if kind == "hrss" else world.pending_authority).pk


def _person_notice_id(world: World) -> int:
    notice = Notice.objects.filter(recipient=world.person.user).order_by("pk").first()
    assert notice is not None, "binding the world's person should have sent a notice"
    return notice.pk


def _invitation_id(world: World, policy: Policy, role: str) -> int:
    """A pending invitation of `world`'s employer to `world`'s institution admin."""
    from accounts.models import MembershipInvitation

    invitation, _ = MembershipInvitation.objects.get_or_create(
        user=world.user("institution"),
        organisation=world.employer,
        status=MembershipInvitation.Status.PENDING,
        defaults={"role": "staff"},
    )
    return invitation.pk


def _fact_id(world: World, policy: Policy, role: str) -> int:
    """A pending profile fact of `world`'s person (their employer confirms it), with a proof."""
    from django.core.files.base import ContentFile

    from accounts.models import ProfileFact

    fact = ProfileFact.objects.filter(person=world.person).first()
    if fact is None:
        fact = ProfileFact(
            person=world.person,
            kind=ProfileFact.Kind.ARCHIVES_POST,
            on=world.record.start_date,
            education=ProfileFact.Education.BACHELOR,
            proof_name="diploma.pdf",
            proof_content_type="application/pdf",
        )
        fact.proof.save("diploma.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        fact.save()
    return fact.pk


def _certificate_id(world: World, policy: Policy, role: str) -> int:
    """A valid certificate of `world`'s person, issued under `world`'s employer."""
    from django.core.files.base import ContentFile

    from certificates.models import Certificate

    certificate, created = Certificate.objects.get_or_create(
        person=world.person,
        year=2020,
        status=Certificate.Status.VALID,
        defaults={
            "number": f"2020-{world.employer.region.code}-{world.person.pk:06d}",
            "check_code": "ABCDEFGH",
            "employer": world.employer,
            "person_name": world.person.real_name,
        },
    )
    if created:
        certificate.pdf.save("c.pdf", ContentFile(PDF_BYTES))
    return certificate.pk


def _print_job_id(world: World, policy: Policy, role: str) -> int:
    """A bulk print job of `world`'s employer (queued: nothing to download yet)."""
    from certificates.models import BulkPrintJob

    job, _ = BulkPrintJob.objects.get_or_create(
        organisation=world.employer,
        year=2020,
        defaults={"format": "zip", "requested_by": world.user("employer"), "chunk_size": 50},
    )
    return job.pk


def _class_id(world: World, policy: Policy, role: str) -> int:
    """A class accepting enrolment, of an approved plan filed by the policy's organisation of
    `world` (the institution for public and person pages)."""
    from courses.models import TrainingClass
    from courses.tests.factories import class_make, plan_make

    kind = (role if role in policy.kinds else policy.kinds[0]) if policy.kinds else "institution"
    filer = world.org(kind)
    found = TrainingClass.objects.filter(plan__filer=filer).order_by("pk").first()
    if found is None:
        found = class_make(plan_make(filer, authority=world.authority))
    return found.pk


def _enrolment_id(world: World, policy: Policy, role: str) -> int:
    """`world`'s person's enrolment in the institution's class."""
    from courses.models import Enrolment

    class_id = _class_id(world, Policy("person", frozenset({PERSON})), role)
    enrolment, _ = Enrolment.objects.get_or_create(training_class_id=class_id, person=world.person)
    return enrolment.pk


# --- institutions, qualifications, instructors, integrity (courses) ---


def _qualification(world: World) -> Any:
    """`world`'s institution's application in engineering, sent to `world`'s authority,
    with one attachment."""
    from django.core.files.base import ContentFile

    from accounts.models import ProfessionalSeries
    from courses.models import Qualification, QualificationAttachment

    qualification, created = Qualification.objects.get_or_create(
        institution=world.institution,
        series=ProfessionalSeries.objects.get(code="engineering"),
        defaults={"authority": world.authority},
    )
    if created:
        attachment = QualificationAttachment(qualification=qualification, name="licence.pdf")
        attachment.file.save("licence.pdf", ContentFile(PDF_BYTES), save=False)
        attachment.save()
    return qualification


def _instructor_id(world: World, policy: Policy, role: str) -> int:
    from courses.models import Instructor

    kind = role if role in policy.kinds else policy.kinds[0]
    instructor, _ = Instructor.objects.get_or_create(owner=world.org(kind), name="王老师")
    return instructor.pk


def _violation_id(world: World, policy: Policy, role: str) -> int:
    """A violation against `world`'s institution recorded by the role's organisation."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from accounts.models import ProfessionalSeries
    from courses.models import Violation

    kind = role if role in policy.kinds else policy.kinds[0]
    violation = Violation.objects.filter(recorded_by=world.org(kind)).first()
    if violation is None:
        violation = Violation(
            party_organisation=world.institution,
            recorded_by=world.org(kind),
            series=ProfessionalSeries.objects.get(code="engineering"),
            reason="虚假宣传",
            occurred_on=dt.date(2025, 1, 1),
            clears_on=dt.date(2099, 1, 1),
        )
        violation.evidence.save("e.pdf", ContentFile(PDF_BYTES), save=False)
        violation.save()
    return violation.pk


# --- subject guides and course plans (s4-plans) ---


def _plans_of(world: World) -> dict[str, Any]:
    """Guides, plans, classes and attachments of `world` for the courses URLs (made once)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.models import ProfessionalSeries
    from courses.models import CourseAttachment, CoursePlan, GuideCourse, SubjectGuide

    cache: dict[str, Any] = _PLAN_OBJECTS.setdefault(world.hrss.pk, {})
    # Each test's own objects are rolled back after it: make them again when they are gone.
    if cache and CoursePlan.objects.filter(pk=cache["filed"].pk).exists():
        return cache
    cache.clear()
    series = ProfessionalSeries.objects.get(code="engineering")
    draft = SubjectGuide.objects.create(authority=world.authority, series=series, year=2027)
    cache["draft_course"] = GuideCourse.objects.create(guide=draft, name="草稿课程", hours=8)
    published = SubjectGuide.objects.create(
        authority=world.authority, series=series, year=2026, status="published"
    )
    course = GuideCourse.objects.create(guide=published, name="已发布课程", hours=8)
    cache["draft_guide"], cache["published_guide"] = draft, published
    start = timezone.localdate() + timedelta(days=10)

    def plan(filer: Organisation, **fields: Any) -> CoursePlan:
        made = CoursePlan.objects.create(
            filer=filer, course=course, year=2026, series=series, **fields
        )
        made.classes.create(
            name="第1期",
            start_date=start,
            end_date=start,
            hours=Decimal(8),
            capacity=30,
            location="广州",
        )
        attachment = CourseAttachment(plan=made, name="plan.pdf")
        attachment.file.save("plan.pdf", ContentFile(PDF_BYTES), save=False)
        attachment.save()
        return made

    for kind in ("institution", "employer", "authority"):
        cache[f"own:{kind}"] = plan(world.org(kind))
    cache["review:authority"] = plan(world.employer, status="pending", authority=world.authority)
    cache["review:hrss"] = plan(world.authority, status="pending", authority=world.hrss)
    cache["filed"] = plan(
        world.institution, status="approved", authority=world.authority, hrss_office=world.hrss
    )
    return cache


_PLAN_OBJECTS: dict[int, dict[str, Any]] = {}


def _plan(world: World, policy: Policy, role: str) -> Any:
    objects = _plans_of(world)
    kind = role if role in policy.kinds else policy.kinds[0]
    if policy.perm == "review_organisations":
        return objects[f"review:{kind}"]
    if kind == "hrss":
        return objects["filed"]
    return objects[f"own:{kind}"]


def _guide_id(world: World, policy: Policy, role: str) -> int:
    objects = _plans_of(world)
    if policy.kinds == ("authority",):
        return int(objects["draft_guide"].pk)
    return int(objects["published_guide"].pk)


def _online_enrolment(world: World) -> Any:
    """`world`'s person studying an online course of `world`'s HRSS (with an open exam)."""
    from django.utils import timezone

    from courses.models_online import ExamAttempt, OnlineEnrolment
    from courses.tests.online_factories import online_course_make

    enrolment = OnlineEnrolment.objects.filter(person=world.person).first()
    if enrolment is None:
        year = timezone.localdate().year
        course = online_course_make(
            office=world.hrss, years=(year,), title=f"公需课{world.hrss.pk}", durations=(2,)
        )
        enrolment = OnlineEnrolment.objects.create(person=world.person, course=course, year=year)
        ExamAttempt.objects.create(
            enrolment=enrolment, number=1, question_ids=[], started_at=timezone.now()
        )
    return enrolment


# Every URL keyword argument names an object; this says which object of a world it is.
OBJECT_KWARGS: dict[str, Callable[[World, Policy, str], int | str]] = {
    "organisation_id": _organisation_id,
    "employment_id": lambda world, policy, role: world.employment.pk,
    "membership_id": lambda world, policy, role: (
        world.staff_membership.pk
        if role in ("employer", "anonymous", "person")
        else world.org(role).memberships.get().pk
    ),
    "application_id": _application_id,
    "record_id": lambda world, policy, role: world.record.pk,
    "job_id": lambda world, policy, role: world.review_job.pk,
    "import_id": lambda world, policy, role: world.import_job.pk,
    "sample_id": lambda world, policy, role: world.recheck_item.sample_id,
    "item_id": lambda world, policy, role: world.recheck_item.pk,
    # The notice the person got when the employer confirmed their binding (mark-read is POST).
    "notice_id": lambda world, policy, role: _person_notice_id(world),
    # HRSS sees evidence through its recheck item (the approved record), employers their own.
    "evidence_id": lambda world, policy, role: (
        world.approved_evidence.pk if "hrss" in policy.kinds else world.evidence.pk
    ),
    "invitation_id": _invitation_id,
    "fact_id": _fact_id,
    "certificate_id": _certificate_id,
    "print_job_id": _print_job_id,
    "class_id": _class_id,
    "enrolment_id": _enrolment_id,
    "qualification_id": lambda world, policy, role: _qualification(world).pk,
    "attachment_id": lambda world, policy, role: _qualification(world).attachments.get().pk,
    "instructor_id": _instructor_id,
    "violation_id": _violation_id,
    # subject guides and course plans (s4-plans)
    "guide_id": _guide_id,
    "guide_course_id": lambda world, policy, role: _plans_of(world)["draft_course"].pk,
    "plan_id": lambda world, policy, role: _plan(world, policy, role).pk,
    "plan_class_id": lambda world, policy, role: _plan(world, policy, role).classes.get().pk,
    "plan_attachment_id": lambda world, policy, role: (
        _plan(world, policy, role).attachments.get().pk
    ),
    # Online study: the person's own enrolment, its lessons and exam attempts; HRSS's subjects.
    "online_enrolment_id": lambda world, policy, role: _online_enrolment(world).pk,
    "lesson_id": lambda world, policy, role: _online_enrolment(world).course.lessons.get().pk,
    "attempt_id": lambda world, policy, role: _online_enrolment(world).attempts.get().pk,
    "subject_id": lambda world, policy, role: _online_enrolment(world).course.subjects.get().pk,
    # Not an object: a published online course is the catalogue every person may open.
    "course_id": lambda world, policy, role: _online_enrolment(world).course_id,
    # Not an object: any year the person may look at (their own figures for that year).
    "year": lambda world, policy, role: world.record.year,
    # Not objects: a password-reset link's encoded user id and token (checked by Django's
    # token generator, public by design; a wrong pair shows "invalid link").
    "uidb64": lambda world, policy, role: "MQ",
    "token": lambda world, policy, role: "set-password",
}
NOT_OBJECTS = frozenset({"year", "uidb64", "token"})
# Objects everyone may see (a class of an approved plan is on the public class search): under a
# policy without organisations (public, person), another world's one is nobody's secret.
PUBLIC_OBJECTS = frozenset({"class_id"})


def _has_private_objects(route: Route) -> bool:
    assert route.policy is not None
    shared = NOT_OBJECTS | (PUBLIC_OBJECTS if not route.policy.kinds else frozenset())
    return bool(set(route.kwargs) - shared)


NOT_OBJECTS = frozenset({"year", "uidb64", "token", "course_id"})


def test_every_url_keyword_is_known_to_this_test() -> None:
    unknown = {k for r in APP_ROUTES for k in r.kwargs if k not in OBJECT_KWARGS}
    assert unknown == set(), f"add these URL keywords to OBJECT_KWARGS: {unknown}"


def _url(route: Route, world: World, role: str, org_world: World | None = None) -> str:
    """The route's URL with `world`'s objects (and `org_world`'s organisation, if given)."""
    assert route.policy is not None
    kwargs = {k: OBJECT_KWARGS[k](world, route.policy, role) for k in route.kwargs}
    if org_world is not None and "organisation_id" in kwargs:
        kwargs["organisation_id"] = _organisation_id(org_world, route.policy, role)
    return reverse(route.name, kwargs=kwargs)


def _client(world: World, role: str) -> Client:
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.user(role))
    return client


def _assert_refused(
    response: Any, role: str, what: str, also: frozenset[int] = frozenset()
) -> None:
    if role == ANONYMOUS and response.status_code == 302:
        assert "/login/" in response["Location"], what
        return
    assert response.status_code in REFUSED | also, f"{what}: got {response.status_code}"


@pytest.fixture(scope="module")
def worlds(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[World, World]]:
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            home, other = world_create("440100", "440105"), world_create("440300", "440305")
            yield home, other
            transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("route", APP_ROUTES, ids=lambda r: r.name)
def test_roles_outside_the_policy_are_refused(route: Route, worlds: tuple[World, World]) -> None:
    home, _ = worlds
    assert route.policy is not None
    for role in ROLES:
        if role in route.policy.roles:
            continue
        client = _client(home, role)
        url = _url(route, home, role)
        _assert_refused(client.get(url), role, f"GET {url} as {role}")
        _assert_refused(client.post(url, {}), role, f"POST {url} as {role}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in APP_ROUTES if _has_private_objects(r)], ids=lambda r: r.name
)
def test_roles_inside_the_policy_cannot_reach_other_organisations_objects(
    route: Route, worlds: tuple[World, World]
) -> None:
    home, other = worlds
    assert route.policy is not None
    checked = 0
    for role in ROLES:
        if role not in route.policy.roles or role == ANONYMOUS:
            continue
        client = _client(home, role)
        urls = {_url(route, other, role)}  # the other world's organisation and objects
        if len(route.kwargs) > 1:  # own organisation, the other world's objects
            urls.add(_url(route, other, role, org_world=home))
        for url in urls:
            # A POST-only view may answer a GET with 405 before it looks the object up.
            _assert_refused(
                client.get(url),
                role,
                f"GET {url} as {role} of another world",
                also=frozenset({405}),
            )
            _assert_refused(client.post(url, {}), role, f"POST {url} as {role} of another world")
            checked += 1
    assert checked, "no role inside the policy was checked"


@pytest.mark.django_db
@pytest.mark.parametrize("route", APP_ROUTES, ids=lambda r: r.name)
def test_roles_inside_the_policy_are_let_in(route: Route, worlds: tuple[World, World]) -> None:
    home, _ = worlds
    assert route.policy is not None
    for role in ROLES:
        if role not in route.policy.roles:
            continue
        response = _client(home, role).get(_url(route, home, role))
        assert response.status_code not in REFUSED | {500}, (
            f"GET {route.name} as {role}: {response.status_code}"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["admin:index", "admin:accounts_auditentry_changelist"])
def test_admin_site_refuses_every_portal_role(name: str, worlds: tuple[World, World]) -> None:
    home, _ = worlds
    for role in ROLES:
        response = _client(home, role).get(reverse(name))
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role

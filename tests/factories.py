"""Test data built through the services, so groups, permissions and audit rows are real.

`World` is one self-contained region of the province with an organisation of each kind, an
admin login per kind, a person bound to the employer and one pending application for each
reviewer. Two worlds (Guangzhou and Shenzhen) give the cross-organisation (IDOR) cases.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts import services
from accounts.catalogues import catalogues_ensure
from accounts.demo import demo_id_number, demo_uscc
from accounts.models import (
    Decision,
    Employment,
    Level,
    Membership,
    MembershipInvitation,
    Organisation,
    Person,
    ProfessionalSeries,
    Region,
    User,
)
from credits.models import Evidence, ImportJob, RecheckItem, RecheckSample, Record, ReviewJob

PASSWORD = "Correct-horse-42"
_serial = itertools.count(100)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)


def next_serial() -> int:
    return next(_serial)


def person_create(
    *, username: str | None = None, series: tuple[str, ...] = ("engineering",)
) -> Person:
    serial = next_serial()
    return services.person_register(
        username=username or f"person{serial}",
        password=PASSWORD,
        real_name=f"测试{serial}",
        # Three digits of serial per birth date: a new date every 1,000 persons keeps them unique.
        id_number=demo_id_number(
            (date(1990, 1, 1) + timedelta(days=serial // 1000)).strftime("%Y%m%d"), serial % 1000
        ),
        phone="13912345678",
        series_codes=list(series),
    )


def hrss_create(
    *, region: Region, level: str = Level.CITY, admin: str | None = None
) -> Organisation:
    office = services.organisation_create(
        kind=Organisation.Kind.HRSS, name=f"{region.name}人社局", region=region, level=level
    )
    services.membership_add(
        actor=None,
        organisation=office,
        username=admin or f"hrss{office.pk}",
        role="admin",
        password=PASSWORD,
    )
    return office


def institution_create(*, region: Region, admin: str | None = None) -> Organisation:
    institution = services.organisation_create(
        kind=Organisation.Kind.INSTITUTION,
        name=f"{region.name}继续教育基地",
        region=region,
        level=Level.CITY,
    )
    services.membership_add(
        actor=None,
        organisation=institution,
        username=admin or f"inst{institution.pk}",
        role="admin",
        password=PASSWORD,
    )
    return institution


def employer_create(
    *,
    region: Region,
    reviewer: User | None = None,
    reviewer_org: Organisation | None = None,
    admin: str | None = None,
    approved: bool = True,
) -> Organisation:
    serial = next_serial()
    employer = services.employer_register(
        username=admin or f"employer{serial}",
        password=PASSWORD,
        name=f"示例单位{serial}",
        uscc=demo_uscc(serial),
        region=region,
        contact_name="联系人",
        contact_phone="13800000000",
    )
    if approved:
        assert reviewer is not None and reviewer_org is not None
        return services.organisation_review(
            reviewer=reviewer,
            reviewer_organisation=reviewer_org,
            organisation=employer,
            decision=Decision.APPROVE,
        )
    return employer


def authority_create(
    *, region: Region, level: str, parent: Organisation | None, admin: str | None = None
) -> Organisation:
    serial = next_serial()
    return services.authority_register(
        username=admin or f"authority{serial}",
        password=PASSWORD,
        name=f"行业主管部门{serial}",
        level=level,
        region=region,
        parent=parent,
        series_codes=["engineering"],
        contact_name="联系人",
        contact_phone="13800000000",
    )


def record_make(
    person: Person,
    employer: Organisation | None,
    *,
    title: str = "继续教育",
    status: str = "submitted",
    year: int | None = None,
    category: str = "professional",
    series: str = "engineering",
    hours: Decimal | int = 8,
) -> Record:
    """A record written directly (no declaration rules): for tests of what comes after."""
    year = year or timezone.localdate().year
    return Record.objects.create(
        person=person,
        employer_id=employer.pk if employer else None,
        year=year,
        category=category,
        series=ProfessionalSeries.objects.get(code=series) if category == "professional" else None,
        hours=Decimal(hours),
        original_amount=Decimal(hours),
        original_unit="hours",
        title=title,
        form="class",
        start_date=date(year, 1, 10),
        end_date=date(year, 1, 10),
        status=status,
        source="self_declared",
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def evidence_make(record: Record, *, name: str = "certificate.pdf") -> Evidence:
    """A small PDF attached to `record`, stored in MEDIA_ROOT (no content checks)."""
    evidence = Evidence(
        record=record, original_name=name, content_type="application/pdf", size=len(PDF_BYTES)
    )
    # Stored outside ``evidence/`` so tests can check that refused uploads write nothing there.
    evidence.file.name = evidence.file.storage.save(
        f"test-world/{record.pk}.pdf", ContentFile(PDF_BYTES)
    )
    evidence.save()
    return evidence


def world_files_ensure(world: World) -> None:
    """Write the world's evidence files again if the storage no longer has them (a test that
    moves MEDIA_ROOT uses a world built before it moved)."""
    for evidence in (world.evidence, world.approved_evidence):
        storage, name = evidence.file.storage, evidence.file.name
        if name and not storage.exists(name):
            storage.save(name, ContentFile(PDF_BYTES))


def admin_of(organisation: Organisation) -> User:
    return Membership.objects.get(organisation=organisation, role="admin").user


def member_link(organisation: Organisation, user: User, role: str) -> Membership:
    """Invite an existing login and accept on its behalf (what the two screens do)."""
    invitation = services.membership_add(
        actor=admin_of(organisation), organisation=organisation, username=user.username, role=role
    )
    assert isinstance(invitation, MembershipInvitation)
    services.membership_invitation_answer(user=user, invitation=invitation, accept=True)
    return Membership.objects.get(user=user, organisation=organisation)


def member_create(organisation: Organisation, username: str, role: str) -> Membership:
    """A new login that is a member at once (an admin creating a sub-account with a password)."""
    membership = services.membership_add(
        actor=admin_of(organisation),
        organisation=organisation,
        username=username,
        role=role,
        password=PASSWORD,
    )
    assert isinstance(membership, Membership)
    return membership


def bind(person: Person, employer: Organisation, *, confirm: bool = True) -> Employment:
    employment = services.employment_request(person=person, employer=employer)
    if confirm:
        employment = services.employment_review(
            reviewer=admin_of(employer), employment=employment, decision=Decision.APPROVE
        )
    return employment


@dataclass
class World:
    """One city's worth of organisations, logins and pending work."""

    hrss: Organisation
    employer: Organisation
    institution: Organisation
    authority: Organisation  # city level, approved, parent of `pending_authority`
    pending_employer: Organisation  # waiting for `hrss`
    pending_authority: Organisation  # district level, waiting for `authority`
    person: Person
    employment: Employment
    staff_membership: Membership  # a non-admin sub-account of `employer`
    record: Record  # submitted by `person`, waiting for `employer`
    approved_record: Record  # approved by `employer`
    review_job: ReviewJob  # of `employer`
    import_job: ImportJob  # a refused sheet `employer` uploaded
    recheck_item: RecheckItem  # `hrss`'s sample holding `approved_record`
    evidence: Evidence  # a PDF attached to `record`
    approved_evidence: Evidence  # a PDF attached to `approved_record` (in `hrss`'s sample)

    def org(self, kind: str) -> Organisation:
        return {
            Organisation.Kind.HRSS: self.hrss,
            Organisation.Kind.EMPLOYER: self.employer,
            Organisation.Kind.INSTITUTION: self.institution,
            Organisation.Kind.AUTHORITY: self.authority,
        }[Organisation.Kind(kind)]

    def user(self, role: str) -> User:
        if role == "person":
            return self.person.user
        return admin_of(self.org(role))


def rules_ensure() -> None:
    """Seed the requirement tables again: an earlier transactional test flushed them (saving
    through the models bumps the cached rule book's version, so every process reloads it)."""
    import importlib

    from django.apps import apps

    from credits.models import RequirementScheme

    if not RequirementScheme.objects.exists():
        importlib.import_module("credits.migrations.0002_seed_rules").seed_rules(apps, None)
        importlib.import_module("credits.migrations.0010_routes_deadlines").seed(apps, None)
        importlib.import_module("credits.migrations.0012_accounting_activities").seed(apps, None)


def world_create(city_code: str, district_code: str) -> World:
    catalogues_ensure()
    rules_ensure()
    city = Region.objects.get(code=city_code)
    district = Region.objects.get(code=district_code)
    province = Region.objects.get(code="440000")
    hrss = hrss_create(region=city)
    hrss_admin = admin_of(hrss)
    province_hrss = Organisation.objects.filter(kind="hrss", level="province").first()
    if province_hrss is None:
        province_hrss = hrss_create(region=province, level=Level.PROVINCE)
    province_authority = authority_create(region=province, level=Level.PROVINCE, parent=None)
    province_authority = services.organisation_review(
        reviewer=admin_of(province_hrss),
        reviewer_organisation=province_hrss,
        organisation=province_authority,
        decision=Decision.APPROVE,
    )
    authority = authority_create(region=city, level=Level.CITY, parent=province_authority)
    authority = services.organisation_review(
        reviewer=admin_of(province_authority),
        reviewer_organisation=province_authority,
        organisation=authority,
        decision=Decision.APPROVE,
    )
    pending_authority = authority_create(region=district, level=Level.DISTRICT, parent=authority)
    employer = employer_create(region=district, reviewer=hrss_admin, reviewer_org=hrss)
    pending_employer = employer_create(region=district, approved=False)
    person = person_create()
    employment = bind(person, employer)
    staff = services.membership_add(
        actor=admin_of(employer),
        organisation=employer,
        username=f"staff{employer.pk}",
        role="staff",
        password=PASSWORD,
    )
    assert isinstance(staff, Membership)
    record = record_make(person, employer, title="工程安全继续教育", status="submitted")
    approved = record_make(person, employer, title="BIM 技术应用", status="approved")
    job = ReviewJob.objects.create(
        employer_id=employer.pk,
        requested_by=admin_of(employer),
        decision="approve",
        record_ids=[record.pk],
        total=1,
    )
    import_job = ImportJob.objects.create(
        employer_id=employer.pk,
        requested_by=admin_of(employer),
        original_name="records.csv",
        format="csv",
        content=b"x",
        status="rejected",
        errors=[{"line": 2, "column": "学时", "message": "Enter a number."}],
        error_count=1,
    )
    sample = RecheckSample.objects.create(
        office=hrss, created_by=hrss_admin, filters={"year": approved.year}, size=1
    )
    item = RecheckItem.objects.create(sample=sample, record=approved)
    return World(
        record=record,
        evidence=evidence_make(record),
        approved_evidence=evidence_make(approved),
        approved_record=approved,
        review_job=job,
        import_job=import_job,
        recheck_item=item,
        hrss=hrss,
        employer=employer,
        institution=institution_create(region=city),
        authority=authority,
        pending_employer=pending_employer,
        pending_authority=pending_authority,
        person=person,
        employment=employment,
        staff_membership=staff,
    )


def records_submitted(
    person: Person,
    employer: Organisation | None,
    count: int,
    *,
    status: str = Record.Status.SUBMITTED,
) -> list[Record]:
    """``count`` public records of 2023 of ``person`` under review by ``employer``, written in
    one bulk insert (no declaration rules: for tests of reviews over many records)."""
    day = date(2023, 5, 10)
    return Record.objects.bulk_create(
        Record(
            person=person,
            year=2023,
            category=Record.Category.PUBLIC,
            hours=Decimal(2),
            original_amount=Decimal(2),
            title=f"Public lecture {next(_serial)}",
            form=Record.Form.CLASS,
            start_date=day,
            end_date=day,
            status=status,
            employer=employer,
        )
        for _ in range(count)
    )

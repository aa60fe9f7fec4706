"""Demo data for `make run`: one organisation of each kind and one login per role."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.models import (
    Decision,
    Level,
    MembershipInvitation,
    Organisation,
    Person,
    ProfileFact,
    Region,
    User,
)
from accounts.validators import id_number_check_char, uscc_check_char


def demo_uscc(serial: int) -> str:
    first17 = f"91440101MA{serial:07d}"
    return first17 + uscc_check_char(first17)


def demo_id_number(birth: str, serial: int) -> str:
    first17 = f"440105{birth}{serial:03d}"
    return first17 + id_number_check_char(first17)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str


def _password() -> str:
    return "Ce-" + secrets.token_urlsafe(9)


@transaction.atomic
def demo_load() -> list[DemoLogin]:
    """Create the demo organisations and logins; returns the logins with their passwords."""
    province = Region.objects.get(code="440000")
    guangzhou = Region.objects.get(code="440100")
    haizhu = Region.objects.get(code="440105")
    logins: list[DemoLogin] = []

    def login(role: str, username: str) -> str:
        password = _password()
        logins.append(DemoLogin(role, username, password))
        return password

    hrss = services.organisation_create(
        kind=Organisation.Kind.HRSS,
        name="广东省人力资源和社会保障厅",
        region=province,
        level=Level.PROVINCE,
    )
    services.membership_add(
        actor=None, organisation=hrss, username="hrss", role="admin", password=login("HRSS", "hrss")
    )
    hrss_admin = User.objects.get(username="hrss")

    institution = services.organisation_create(
        kind=Organisation.Kind.INSTITUTION,
        name="广州市专业技术人员继续教育基地（广州大学）",
        region=guangzhou,
        level=Level.CITY,
    )
    services.membership_add(
        actor=None,
        organisation=institution,
        username="institution",
        role="admin",
        password=login("Institution", "institution"),
    )

    province_authority: Organisation = services.authority_register(
        username="authority",
        password=login("Authority (province)", "authority"),
        name="广东省住房和城乡建设厅",
        level=Level.PROVINCE,
        region=province,
        parent=None,
        series_codes=["engineering"],
        contact_name="陈科长",
        contact_phone="13800000001",
    )
    province_authority = services.organisation_review(
        reviewer=hrss_admin,
        reviewer_organisation=hrss,
        organisation=province_authority,
        decision=Decision.APPROVE,
    )
    services.authority_register(
        username="city_authority",
        password=login("Authority (city, pending)", "city_authority"),
        name="广州市住房和城乡建设局",
        level=Level.CITY,
        region=guangzhou,
        parent=province_authority,
        series_codes=["engineering"],
        contact_name="黄主任",
        contact_phone="13800000002",
    )

    employer: Organisation = services.employer_register(
        username="employer",
        password=login("Employer", "employer"),
        name="广州示范建设工程有限公司",
        uscc=demo_uscc(1),
        region=haizhu,
        contact_name="李经理",
        contact_phone="13800000003",
    )
    employer = services.organisation_review(
        reviewer=hrss_admin,
        reviewer_organisation=hrss,
        organisation=employer,
        decision=Decision.APPROVE,
    )
    services.employer_register(
        username="employer2",
        password=login("Employer (pending)", "employer2"),
        name="广州新申请科技有限公司",
        uscc=demo_uscc(2),
        region=haizhu,
        contact_name="周主任",
        contact_phone="13800000004",
    )
    employer_admin = User.objects.get(username="employer")

    person = services.person_register(
        username="person",
        password=login("Person", "person"),
        real_name="张三",
        id_number=demo_id_number("19880312", 1),
        phone="13900000001",
        series_codes=["engineering"],
    )
    binding = services.employment_request(person=person, employer=employer)
    services.employment_review(
        reviewer=employer_admin, employment=binding, decision=Decision.APPROVE
    )

    waiting = services.person_register(
        username="person2",
        password=login("Person (binding pending)", "person2"),
        real_name="李四",
        id_number=demo_id_number("19920721", 2),
        phone="13900000002",
        series_codes=["accounting"],
    )
    services.employment_request(person=waiting, employer=employer)

    # One login, two roles: a professional who also reviews for the employer.
    both = services.person_register(
        username="reviewer",
        password=login("Person + employer reviewer", "reviewer"),
        real_name="王五",
        id_number=demo_id_number("19850101", 3),
        phone="13900000003",
        series_codes=["engineering", "archives"],
    )
    invitation = services.membership_add(
        actor=employer_admin, organisation=employer, username=both.user.username, role="reviewer"
    )
    assert isinstance(invitation, MembershipInvitation)
    services.membership_invitation_answer(user=both.user, invitation=invitation, accept=True)
    _demo_profile_facts(employer=employer, employer_admin=employer_admin, both=both, login=login)
    _demo_institutions(hrss=hrss, hrss_admin=hrss_admin, login=login)
    return logins


def _demo_institutions(
    *, hrss: Organisation, hrss_admin: User, login: Callable[[str, str], str]
) -> None:
    """The organisations the courses demo builds on (courses/demo.py): Guangzhou's HRSS
    office, which accepted one institution's filing and has another waiting, and the
    education authorities (province and Guangzhou) that review the demo institution's
    qualifications."""
    province = Region.objects.get(code="440000")
    guangzhou = Region.objects.get(code="440100")
    city_hrss = services.organisation_create(
        kind=Organisation.Kind.HRSS,
        name="广州市人力资源和社会保障局",
        region=guangzhou,
        level=Level.CITY,
    )
    services.membership_add(
        actor=None,
        organisation=city_hrss,
        username="city_hrss",
        role="admin",
        password=login("HRSS (Guangzhou)", "city_hrss"),
    )
    city_hrss_admin = User.objects.get(username="city_hrss")
    filed = services.institution_register(
        username="institution2",
        password=login("Institution (filed, integrity violation)", "institution2"),
        name="广州市建设职业培训学校",
        level=Level.CITY,
        region=guangzhou,
        contact_name="刘校长",
        contact_phone="13800000005",
    )
    services.organisation_review(
        reviewer=city_hrss_admin,
        reviewer_organisation=city_hrss,
        organisation=filed,
        decision=Decision.APPROVE,
    )
    services.institution_register(
        username="institution3",
        password=login("Institution (filing pending)", "institution3"),
        name="广州市图书馆学会培训中心",
        level=Level.CITY,
        region=Region.objects.get(code="440105"),
        contact_name="何老师",
        contact_phone="13800000006",
    )
    education: Organisation = services.authority_register(
        username="edu_province",
        password=login("Authority (province, education)", "edu_province"),
        name="广东省教育厅",
        level=Level.PROVINCE,
        region=province,
        parent=None,
        series_codes=["education", "higher_education"],
        contact_name="吴处长",
        contact_phone="13800000007",
    )
    education = services.organisation_review(
        reviewer=hrss_admin,
        reviewer_organisation=hrss,
        organisation=education,
        decision=Decision.APPROVE,
    )
    city_education = services.authority_register(
        username="edu_city",
        password=login("Authority (Guangzhou, education)", "edu_city"),
        name="广州市教育局",
        level=Level.CITY,
        region=guangzhou,
        parent=education,
        series_codes=["education", "higher_education"],
        contact_name="郑科长",
        contact_phone="13800000008",
    )
    services.organisation_review(
        reviewer=User.objects.get(username="edu_province"),
        reviewer_organisation=education,
        organisation=city_education,
        decision=Decision.APPROVE,
    )


# A one-page PDF standing in for a scanned diploma.
_DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _demo_profile_facts(
    *,
    employer: Organisation,
    employer_admin: User,
    both: Person,
    login: Callable[[str, str], str],
) -> None:
    """An archivist new in post this year without an archives degree, the fact confirmed by
    the employer (80 h professional this year), and a degree waiting for confirmation."""
    year = timezone.localdate().year
    archivist = services.person_register(
        username="archivist",
        password=login("Person (archives, confirmed facts)", "archivist"),
        real_name="赵六",
        id_number=demo_id_number("19980605", 4),
        phone="13900000004",
        series_codes=["archives"],
    )
    binding = services.employment_request(person=archivist, employer=employer)
    services.employment_review(
        reviewer=employer_admin, employment=binding, decision=Decision.APPROVE
    )
    fact = services.profile_fact_set(
        person=archivist,
        kind=ProfileFact.Kind.ARCHIVES_POST,
        on=date(year, 2, 1),
        education=ProfileFact.Education.SECONDARY,
    )
    services.profile_fact_review(
        reviewer=employer_admin, employer=employer, fact=fact, decision=Decision.APPROVE
    )
    services.profile_fact_set(
        person=both,
        kind=ProfileFact.Kind.ARCHIVES_POST,
        on=date(year - 3, 9, 1),
        education=ProfileFact.Education.BACHELOR,
        proof=SimpleUploadedFile("毕业证书.pdf", _DEMO_PDF, content_type="application/pdf"),
    )

"""Institutions' registration and filing with HRSS, and their teaching qualifications."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import services as account_services
from accounts.models import AuditEntry, Decision, Level, Notice, Organisation, Region
from courses.models import Qualification, ReviewStatus
from courses.selectors.qualifications import filed_institutions, qualification_held
from courses.services.qualifications import (
    qualification_apply,
    qualification_resubmit,
    qualifications_review,
)
from courses.tests.orgs_helpers import engineering, html_named_pdf, pdf
from tests.factories import (
    PASSWORD,
    World,
    admin_of,
    authority_create,
    hrss_create,
    institution_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages compared in English (pages are still served in the default language)."""
    with translation.override("en"):
        yield


def _register(name: str = "广州示范培训学校", level: str = Level.CITY, region: str = "440105"):
    return account_services.institution_register(
        username=f"u{abs(hash(name)) % 10**8}",
        password=PASSWORD,
        name=name,
        level=level,
        region=Region.objects.get(code=region),
        contact_name="张老师",
        contact_phone="13800000000",
    )


# --- Registration and filing ---------------------------------------------------------------


def test_an_institution_registers_and_waits_for_the_hrss_office_of_its_level(world: World) -> None:
    institution = _register()
    assert institution.status == Organisation.Status.PENDING
    assert institution.kind == Organisation.Kind.INSTITUTION
    province_hrss = Organisation.objects.get(kind="hrss", level="province")
    # The city office of the institution's region reviews it; the province office does not
    # (a city institution), nor another city's office.
    shenzhen = hrss_create(region=Region.objects.get(code="440300"))
    with pytest.raises(ValidationError):
        account_services.organisation_review(
            reviewer=admin_of(shenzhen),
            reviewer_organisation=shenzhen,
            organisation=institution,
            decision=Decision.APPROVE,
        )
    with pytest.raises(ValidationError):
        account_services.organisation_review(
            reviewer=admin_of(province_hrss),
            reviewer_organisation=province_hrss,
            organisation=institution,
            decision=Decision.APPROVE,
        )
    assert not filed_institutions().filter(pk=institution.pk).exists()
    account_services.organisation_review(
        reviewer=admin_of(world.hrss),
        reviewer_organisation=world.hrss,
        organisation=institution,
        decision=Decision.APPROVE,
    )
    assert filed_institutions().filter(pk=institution.pk).exists()


def test_a_provincial_institution_is_filed_with_the_provincial_office(world: World) -> None:
    institution = _register("省级培训中心", level=Level.PROVINCE, region="440000")
    province_hrss = Organisation.objects.get(kind="hrss", level="province")
    with pytest.raises(ValidationError):
        account_services.organisation_review(
            reviewer=admin_of(world.hrss),
            reviewer_organisation=world.hrss,
            organisation=institution,
            decision=Decision.APPROVE,
        )
    account_services.organisation_review(
        reviewer=admin_of(province_hrss),
        reviewer_organisation=province_hrss,
        organisation=institution,
        decision=Decision.APPROVE,
    )


def test_an_institution_below_city_level_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        _register(level=Level.DISTRICT)


def test_the_registration_page_files_the_institution_and_hrss_sees_it_waiting(
    world: World,
) -> None:
    response = Client().post(
        reverse("accounts:register_institution"),
        {
            "name": "海珠区示范培训中心",
            "level": "city",
            "region": Region.objects.get(code="440105").pk,
            "contact_name": "李老师",
            "contact_phone": "13800000000",
            "username": "haizhu-school",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert response.status_code == 302
    institution = Organisation.objects.get(name="海珠区示范培训中心")
    assert institution.status == Organisation.Status.PENDING
    client = Client()
    client.force_login(admin_of(world.hrss))
    home = client.get(reverse("accounts:org_home", kwargs={"organisation_id": world.hrss.pk}))
    waiting = {str(w.label): w.count for w in home.context["waiting"]}
    with translation.override(home.wsgi_request.LANGUAGE_CODE):
        label = translation.gettext("Institution filings to review")
    assert waiting[label] == 1
    queue_url = reverse("accounts:application_queue", kwargs={"organisation_id": world.hrss.pk})
    queue = client.get(queue_url, {"kind": "institution"})
    assert [a.pk for a in queue.context["page"]] == [institution.pk]
    employers = client.get(queue_url, {"kind": "employer"})
    assert [a.kind for a in employers.context["page"]] == ["employer"]


def test_the_public_list_shows_filed_institutions_and_their_series(world: World) -> None:
    pending = _register("尚未备案的学校")
    qualification = qualification_apply(
        actor=admin_of(world.institution),
        institution=world.institution,
        series=engineering(),
        files=[pdf()],
    )
    qualifications_review(
        reviewer=admin_of(world.authority),
        authority=world.authority,
        qualification_ids=[qualification.pk],
        decision=Decision.APPROVE,
    )
    response = Client().get(reverse("courses:public_institutions"))
    assert response.status_code == 200
    rows = {i.name: i for i in response.context["page"]}
    assert world.institution.name in rows and pending.name not in rows
    assert [q.series.code for q in rows[world.institution.name].approved_qualifications] == [
        "engineering"
    ]
    filtered = Client().get(reverse("courses:public_institutions"), {"series": "accounting"})
    assert world.institution.name not in {i.name for i in filtered.context["page"]}


# --- Applying --------------------------------------------------------------------------------


def test_an_application_goes_to_the_authority_of_the_institutions_level(world: World) -> None:
    qualification = qualification_apply(
        actor=admin_of(world.institution),
        institution=world.institution,
        series=engineering(),
        description="师资齐备",
        files=[pdf(), pdf("premises.pdf")],
    )
    assert qualification.authority == world.authority  # city level, not the province one
    assert qualification.status == ReviewStatus.PENDING
    assert qualification.attachments.count() == 2
    assert AuditEntry.objects.filter(
        action="qualification.apply", target_id=str(qualification.pk)
    ).exists()
    assert not qualification_held(institution_id=world.institution.pk, series_id=engineering().pk)


def test_attachments_are_checked_by_content_and_required(world: World) -> None:
    actor = admin_of(world.institution)
    with pytest.raises(ValidationError) as refused:
        qualification_apply(
            actor=actor, institution=world.institution, series=engineering(), files=[]
        )
    assert "attachments" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        qualification_apply(
            actor=actor,
            institution=world.institution,
            series=engineering(),
            files=[html_named_pdf()],
        )
    assert "not a PDF" in " ".join(refused.value.message_dict["attachments"])
    assert not Qualification.objects.filter(institution=world.institution).exists()


def test_no_authority_or_several_for_the_series_give_a_clear_message(world: World) -> None:
    actor = admin_of(world.institution)
    from accounts.models import ProfessionalSeries

    with pytest.raises(ValidationError, match="No approved industry authority"):
        qualification_apply(
            actor=actor,
            institution=world.institution,
            series=ProfessionalSeries.objects.get(code="accounting"),
            files=[pdf()],
        )
    second = authority_create(
        region=world.institution.region, level=Level.CITY, parent=world.authority.parent
    )
    parent = world.authority.parent
    assert parent is not None  # the provincial authority reviews a city one
    account_services.organisation_review(
        reviewer=admin_of(parent),
        reviewer_organisation=parent,
        organisation=second,
        decision=Decision.APPROVE,
    )
    with pytest.raises(ValidationError, match="Several industry authorities"):
        qualification_apply(
            actor=actor, institution=world.institution, series=engineering(), files=[pdf()]
        )


def test_one_qualification_per_series_and_a_rejected_one_can_be_applied_for_again(
    world: World,
) -> None:
    actor = admin_of(world.institution)
    first = qualification_apply(
        actor=actor, institution=world.institution, series=engineering(), files=[pdf()]
    )
    with pytest.raises(ValidationError, match="already"):
        qualification_apply(
            actor=actor, institution=world.institution, series=engineering(), files=[pdf()]
        )
    qualifications_review(
        reviewer=admin_of(world.authority),
        authority=world.authority,
        qualification_ids=[first.pk],
        decision=Decision.REJECT,
        reason="材料不全",
    )
    again = qualification_apply(
        actor=actor, institution=world.institution, series=engineering(), files=[pdf()]
    )
    assert again.pk == first.pk and again.status == ReviewStatus.PENDING


def test_an_institution_not_yet_filed_cannot_apply(world: World) -> None:
    institution = _register()
    with pytest.raises(ValidationError, match="not been accepted"):
        qualification_apply(
            actor=admin_of(institution),
            institution=institution,
            series=engineering(),
            files=[pdf()],
        )


def test_only_the_institutions_members_apply(world: World, other_world: World) -> None:
    with pytest.raises(PermissionDenied):
        qualification_apply(
            actor=admin_of(other_world.institution),
            institution=world.institution,
            series=engineering(),
            files=[pdf()],
        )


# --- Reviewing ---------------------------------------------------------------------------------


def _two_applications(world: World) -> list[Qualification]:
    second = institution_create(region=Region.objects.get(code="440100"))
    return [
        qualification_apply(
            actor=admin_of(institution),
            institution=institution,
            series=engineering(),
            files=[pdf()],
        )
        for institution in (world.institution, second)
    ]


def test_the_authority_approves_a_batch_and_the_institutions_are_told(
    world: World, other_world: World
) -> None:
    applications = _two_applications(world)
    theirs = qualification_apply(
        actor=admin_of(other_world.institution),
        institution=other_world.institution,
        series=engineering(),
        files=[pdf()],
    )
    result = qualifications_review(
        reviewer=admin_of(world.authority),
        authority=world.authority,
        qualification_ids=[q.pk for q in applications] + [theirs.pk],
        decision=Decision.APPROVE,
    )
    assert (result.decided, result.skipped) == (2, 1)
    for q in applications:
        q.refresh_from_db()
        assert q.status == ReviewStatus.APPROVED and q.decided_by == admin_of(world.authority)
        assert qualification_held(institution_id=q.institution_id, series_id=engineering().pk)
    theirs.refresh_from_db()
    assert theirs.status == ReviewStatus.PENDING
    notice = Notice.objects.get(recipient=admin_of(world.institution))
    assert world.authority.name in notice.text and "approved" in notice.text
    assert AuditEntry.objects.filter(action="qualification.approve").count() == 2


def test_return_needs_a_reason_and_the_institution_resubmits(world: World) -> None:
    qualification = qualification_apply(
        actor=admin_of(world.institution),
        institution=world.institution,
        series=engineering(),
        files=[pdf()],
    )
    reviewer = admin_of(world.authority)
    with pytest.raises(ValidationError):
        qualifications_review(
            reviewer=reviewer,
            authority=world.authority,
            qualification_ids=[qualification.pk],
            decision=Decision.RETURN,
        )
    qualifications_review(
        reviewer=reviewer,
        authority=world.authority,
        qualification_ids=[qualification.pk],
        decision=Decision.RETURN,
        reason="请补充师资名单",
    )
    qualification.refresh_from_db()
    assert qualification.status == ReviewStatus.RETURNED
    assert "请补充师资名单" in Notice.objects.get(recipient=admin_of(world.institution)).text
    again = qualification_resubmit(
        actor=admin_of(world.institution),
        qualification=qualification,
        description="已补充",
        files=[pdf("staff.pdf")],
    )
    assert again.status == ReviewStatus.PENDING and again.attachments.count() == 2
    with pytest.raises(ValidationError):
        qualification_resubmit(actor=admin_of(world.institution), qualification=again)


def test_only_the_authoritys_reviewers_decide(world: World, other_world: World) -> None:
    qualification = _two_applications(world)[0]
    with pytest.raises(PermissionDenied):
        qualifications_review(
            reviewer=admin_of(other_world.authority),
            authority=world.authority,
            qualification_ids=[qualification.pk],
            decision=Decision.APPROVE,
        )
    result = qualifications_review(
        reviewer=admin_of(other_world.authority),
        authority=other_world.authority,
        qualification_ids=[qualification.pk],
        decision=Decision.APPROVE,
    )
    assert result.decided == 0


# --- Pages -----------------------------------------------------------------------------------


def test_the_institution_applies_from_its_page_and_the_authority_decides_in_batch(
    world: World,
) -> None:
    institution = Client()
    institution.force_login(admin_of(world.institution))
    url = reverse("courses:qualifications", kwargs={"organisation_id": world.institution.pk})
    response = institution.post(
        url, {"series": "engineering", "description": "", "attachments": [pdf(), pdf("b.pdf")]}
    )
    assert response.status_code == 302, response.context["form"].errors
    qualification = Qualification.objects.get(institution=world.institution)
    refused = institution.post(url, {"series": "engineering", "attachments": [html_named_pdf()]})
    assert refused.status_code == 200 and refused.context["form"].errors

    authority = Client()
    authority.force_login(admin_of(world.authority))
    org_kw = {"organisation_id": world.authority.pk}
    home = authority.get(reverse("accounts:org_home", kwargs=org_kw))
    waiting = {str(w.label): w.count for w in home.context["waiting"]}
    with translation.override(home.wsgi_request.LANGUAGE_CODE):
        label = translation.gettext("Qualification applications to review")
    assert waiting[label] == 1
    queue = authority.get(reverse("courses:qualification_queue", kwargs=org_kw))
    assert [q.pk for q in queue.context["page"]] == [qualification.pk]
    attachment = qualification.attachments.first()
    assert attachment is not None
    download = authority.get(
        reverse(
            "courses:qualification_attachment",
            kwargs={**org_kw, "qualification_id": qualification.pk, "attachment_id": attachment.pk},
        )
    )
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    decided = authority.post(
        reverse("courses:qualification_decide", kwargs=org_kw),
        {"decision": "approve", "qualification_ids": [qualification.pk], "query": "status=pending"},
    )
    assert decided.status_code == 302
    qualification.refresh_from_db()
    assert qualification.status == ReviewStatus.APPROVED
    mine = institution.get(url)
    assert "status-approved" in mine.content.decode()


def test_a_single_decision_from_the_detail_page(world: World) -> None:
    qualification = _two_applications(world)[0]
    client = Client()
    client.force_login(admin_of(world.authority))
    url = reverse(
        "courses:qualification_review_detail",
        kwargs={"organisation_id": world.authority.pk, "qualification_id": qualification.pk},
    )
    assert client.get(url).status_code == 200
    refused = client.post(url, {"decision": "reject", "reason": ""})
    assert refused.status_code == 200
    assert client.post(url, {"decision": "reject", "reason": "不符合条件"}).status_code == 302
    qualification.refresh_from_db()
    assert qualification.status == ReviewStatus.REJECTED

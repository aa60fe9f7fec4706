"""Profile facts: the person records them (with proof checked by content), the employer that
binds them now confirms or rejects them like a binding, audited and notified; a change puts
a confirmed fact back to pending."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AuditEntry, Decision, Notice, ProfileFact
from tests.factories import World, admin_of, bind, member_create, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name: str = "certificate.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _archives_fact(world: World, education: str = "none") -> ProfileFact:
    return services.profile_fact_set(
        person=world.person,
        kind=ProfileFact.Kind.ARCHIVES_POST,
        on=date(2023, 2, 1),
        education=education,
        proof=_pdf() if education == "bachelor" else None,
    )


def _decide_url(world: World, fact: ProfileFact, organisation: Any = None) -> str:
    org = organisation or world.employer
    return reverse("accounts:fact_decide", kwargs={"organisation_id": org.pk, "fact_id": fact.pk})


# --- the person's page ------------------------------------------------------------------------


def test_person_records_an_accounting_start_with_its_certificate(world: World) -> None:
    client = _client(world.person.user)
    response = client.post(
        reverse("accounts:me_facts"),
        {
            "kind": "accounting_start",
            "accounting_start-basis": "qualification",
            "accounting_start-on": "2022-05-14",
            "accounting_start-proof": _pdf(),
        },
    )
    assert response.status_code == 302
    fact = ProfileFact.objects.get(person=world.person)
    assert (fact.kind, fact.on, fact.status) == ("accounting_start", date(2022, 5, 14), "pending")
    assert fact.proof_content_type == "application/pdf"
    stored = str(fact.proof.name)
    assert stored.startswith("proof/") and stored.endswith(".pdf")
    entry = AuditEntry.objects.get(action="profile_fact.submit", target_id=str(fact.pk))
    assert entry.changes == {
        "on": ["", "2022-05-14"],
        "basis": ["", "qualification"],
        "proof": ["", "certificate.pdf"],
    }
    page = client.get(reverse("accounts:me_facts"))
    assert page.status_code == 200
    assert "certificate.pdf" in page.content.decode()


def test_the_qualification_needs_its_certificate_and_a_degree_its_diploma(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.profile_fact_set(
            person=world.person,
            kind=ProfileFact.Kind.ACCOUNTING_START,
            on=date(2022, 5, 14),
            basis="qualification",
        )
    assert "proof" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _archives_fact(world, education="junior_college")
    assert "proof" in exc.value.message_dict
    # Starting accounting work, or no archives degree: the employer's own files suffice.
    services.profile_fact_set(
        person=world.person,
        kind=ProfileFact.Kind.ACCOUNTING_START,
        on=date(2022, 5, 14),
        basis="work",
    )
    _archives_fact(world, education="secondary")
    assert ProfileFact.objects.filter(person=world.person).count() == 2


def test_a_proof_is_checked_by_its_content_not_its_name(world: World) -> None:
    client = _client(world.person.user)
    response = client.post(
        reverse("accounts:me_facts"),
        {
            "kind": "archives_post",
            "archives_post-on": "2023-02-01",
            "archives_post-education": "bachelor",
            "archives_post-proof": _pdf("diploma.pdf", b"<html><script>alert(1)</script></html>"),
        },
    )
    assert response.status_code == 200
    assert "proof" in response.context["sections"][1][3].errors
    assert not ProfileFact.objects.filter(person=world.person).exists()


def test_a_fact_cannot_be_dated_in_the_future(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.profile_fact_set(
            person=world.person,
            kind=ProfileFact.Kind.ARCHIVES_POST,
            on=date(2024, 1, 2),
            education="none",
            today=date(2024, 1, 1),
        )
    assert "on" in exc.value.message_dict


# --- the employer's confirmation --------------------------------------------------------------


def test_the_employers_reviewer_confirms_a_fact_audited_and_notified(world: World) -> None:
    fact = _archives_fact(world, education="bachelor")
    reviewer = admin_of(world.employer)
    queue = _client(reviewer).get(
        reverse("accounts:fact_queue", kwargs={"organisation_id": world.employer.pk})
    )
    assert list(queue.context["page"]) == [fact]
    proof = _client(reviewer).get(
        reverse(
            "accounts:fact_proof",
            kwargs={"organisation_id": world.employer.pk, "fact_id": fact.pk},
        )
    )
    assert proof.status_code == 200 and proof["X-Content-Type-Options"] == "nosniff"

    response = _client(reviewer).post(_decide_url(world, fact), {"decision": "approve"})
    assert response.status_code == 302
    fact.refresh_from_db()
    assert (fact.status, fact.decided_by, fact.decided_by_employer) == (
        "confirmed",
        reviewer,
        world.employer,
    )
    entry = AuditEntry.objects.get(action="profile_fact.confirm", target_id=str(fact.pk))
    assert (entry.organisation, entry.from_state, entry.to_state) == (
        world.employer,
        "pending",
        "confirmed",
    )
    notice = Notice.objects.get(recipient=world.person.user, kind=Notice.Kind.FACT_CONFIRMED)
    assert world.employer.name in notice.text and "2023-02-01" in notice.text


def test_rejecting_needs_a_reason_and_tells_the_person(world: World) -> None:
    fact = _archives_fact(world)
    reviewer = _client(admin_of(world.employer))
    reviewer.post(_decide_url(world, fact), {"decision": "reject", "reason": ""})
    fact.refresh_from_db()
    assert fact.status == "pending"
    reviewer.post(_decide_url(world, fact), {"decision": "reject", "reason": "Not in our files"})
    fact.refresh_from_db()
    assert (fact.status, fact.reason) == ("rejected", "Not in our files")
    notice = Notice.objects.get(recipient=world.person.user, kind=Notice.Kind.FACT_REJECTED)
    assert "Not in our files" in notice.text


def test_changing_a_confirmed_fact_puts_it_back_to_pending(world: World) -> None:
    fact = _archives_fact(world)
    services.profile_fact_review(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        fact=fact,
        decision=Decision.APPROVE,
    )
    same = _archives_fact(world)  # nothing changed: still confirmed
    assert same.status == "confirmed"
    changed = services.profile_fact_set(
        person=world.person,
        kind=ProfileFact.Kind.ARCHIVES_POST,
        on=date(2023, 3, 1),
        education="none",
    )
    assert (changed.status, changed.decided_by, changed.decided_at) == ("pending", None, None)
    entry = AuditEntry.objects.filter(action="profile_fact.submit").order_by("-pk").first()
    assert entry is not None
    assert (entry.from_state, entry.to_state) == ("confirmed", "pending")
    assert entry.changes == {"on": ["2023-02-01", "2023-03-01"]}


def test_a_decided_fact_cannot_be_decided_again(world: World) -> None:
    fact = _archives_fact(world)
    services.profile_fact_review(
        reviewer=admin_of(world.employer), employer=world.employer, fact=fact, decision="approve"
    )
    with pytest.raises(ValidationError):
        services.profile_fact_review(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            fact=fact,
            decision="reject",
            reason="changed my mind",
        )


# --- who may confirm --------------------------------------------------------------------------


def test_another_employers_reviewer_cannot_see_or_decide_the_fact(
    world: World, other_world: World
) -> None:
    fact = _archives_fact(world, education="bachelor")
    outsider = _client(admin_of(other_world.employer))
    assert (
        outsider.post(
            _decide_url(world, fact, other_world.employer), {"decision": "approve"}
        ).status_code
        == 404
    )
    proof_url = reverse(
        "accounts:fact_proof",
        kwargs={"organisation_id": other_world.employer.pk, "fact_id": fact.pk},
    )
    assert outsider.get(proof_url).status_code == 404
    queue = outsider.get(
        reverse("accounts:fact_queue", kwargs={"organisation_id": other_world.employer.pk})
    )
    assert list(queue.context["page"]) == []
    with pytest.raises(PermissionDenied):
        services.profile_fact_review(
            reviewer=admin_of(other_world.employer),
            employer=other_world.employer,
            fact=fact,
            decision=Decision.APPROVE,
        )
    fact.refresh_from_db()
    assert fact.status == "pending"


def test_a_staff_member_without_review_rights_is_refused(world: World) -> None:
    fact = _archives_fact(world)
    staff = world.staff_membership.user
    assert _client(staff).post(_decide_url(world, fact), {"decision": "approve"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.profile_fact_review(
            reviewer=staff, employer=world.employer, fact=fact, decision=Decision.APPROVE
        )
    fact.refresh_from_db()
    assert fact.status == "pending"


def test_a_former_employer_can_no_longer_decide(world: World) -> None:
    fact = _archives_fact(world)
    services.employment_end(actor=world.person.user, employment=world.employment, reason="left")
    response = _client(admin_of(world.employer)).post(
        _decide_url(world, fact), {"decision": "approve"}
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.profile_fact_review(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            fact=fact,
            decision=Decision.APPROVE,
        )


def test_a_reviewer_cannot_confirm_their_own_fact(world: World) -> None:
    reviewer = member_create(world.employer, "reviewer-self", "reviewer").user
    person = person_create(username="reviewer-self-person", series=("archives",))
    # The reviewer's login is not the person's: give the reviewer their own person profile.
    person.user = reviewer
    person.save(update_fields=["user"])
    bind(person, world.employer)
    fact = services.profile_fact_set(
        person=person, kind=ProfileFact.Kind.ARCHIVES_POST, on=date(2023, 2, 1), education="none"
    )
    with pytest.raises(ValidationError):
        services.profile_fact_review(
            reviewer=reviewer, employer=world.employer, fact=fact, decision=Decision.APPROVE
        )


def test_a_person_sees_only_their_own_proof(world: World, other_world: World) -> None:
    fact = _archives_fact(world, education="bachelor")
    own = reverse("accounts:me_fact_proof", kwargs={"fact_id": fact.pk})
    assert _client(world.person.user).get(own).status_code == 200
    assert _client(other_world.person.user).get(own).status_code == 404

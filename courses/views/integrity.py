"""Integrity records (信用管理): recording and clearing by HRSS and authorities, each party's
own view (信用管理查看) and the public list of institutions' active violations
(失信信息查询)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.api import (
    PERSON_ONLY,
    PUBLIC,
    Organisation,
    ProfessionalSeries,
    access,
    get_person_for_user,
    org_access,
)
from courses.forms.orgs import SearchForm, ViolationClearForm, ViolationForm
from courses.models import Violation
from courses.permissions import get_violation_for_recorder
from courses.selectors import integrity as selectors
from courses.services.integrity import RECORD_PERM, violation_clear, violation_record
from portal.http import AuthedRequest, stored_file_response
from portal.pagination import paginate
from portal.views import form_submit

HRSS = Organisation.Kind.HRSS
AUTHORITY = Organisation.Kind.AUTHORITY
PARTIES = (Organisation.Kind.INSTITUTION, Organisation.Kind.EMPLOYER)


@access(PUBLIC)
def public_violations(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    search = form.search()
    return render(
        request,
        "courses/integrity/public_list.html",
        {
            "form": form,
            "query": urlencode({"q": search}) if search else "",
            "page": paginate(
                request, selectors.public_violations(today=timezone.localdate(), search=search)
            ),
        },
    )


@access(PERSON_ONLY)
def my_integrity(request: AuthedRequest) -> HttpResponse:
    person = get_person_for_user(request.user)
    return render(
        request,
        "courses/integrity/mine.html",
        {
            "page": paginate(request, selectors.violations_of_person(person.pk)),
            "today": timezone.localdate(),
            "person_page": True,
        },
    )


@org_access(*PARTIES, require_approved=False)
def org_integrity(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    return render(
        request,
        "courses/integrity/mine.html",
        {
            "organisation": organisation,
            "page": paginate(request, selectors.violations_of_organisation(organisation.pk)),
            "today": timezone.localdate(),
        },
    )


def _series_for(recorder: Organisation) -> Any:
    if recorder.kind == AUTHORITY:
        return recorder.series.all()
    return ProfessionalSeries.objects.filter(is_active=True)


def _violation_record(
    request: AuthedRequest, recorder: Organisation, data: dict[str, Any]
) -> Violation:
    party: dict[str, Any] = {}
    if data["party"] == "institution":
        party["party_organisation"] = data["institution"]
    elif data["party"] == "employer":
        employer = selectors.employer_by_uscc(data["uscc"])
        if employer is None:
            raise ValidationError({"uscc": _("No approved employer has this credit code.")})
        party["party_organisation"] = employer
    else:
        person = selectors.person_by_id_number(data["id_number"])
        if person is None:
            raise ValidationError(
                {"id_number": _("No registered professional has this ID number.")}
            )
        party["party_person"] = person
    return violation_record(
        actor=request.user,
        recorder=recorder,
        reason=data["reason"],
        occurred_on=data["occurred_on"],
        clears_on=data["clears_on"],
        series=data["series"],
        evidence=data["evidence"],
        **party,
    )


@org_access(HRSS, AUTHORITY, perm=RECORD_PERM)
def violations(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    """What this office or authority recorded, and the form to record a violation."""
    form = ViolationForm(
        request.POST or None,
        request.FILES or None,
        institutions=selectors.recordable_institutions(),
        series=_series_for(organisation),
        series_required=organisation.kind == AUTHORITY,
    )
    here = reverse("courses:violations", kwargs={"organisation_id": organisation.pk})
    done = form_submit(
        request,
        form,
        lambda data: _violation_record(request, organisation, data),
        success=_("Violation recorded."),
        to=here,
    )
    if done:
        return done
    return render(
        request,
        "courses/integrity/recorded.html",
        {
            "organisation": organisation,
            "form": form,
            "page": paginate(request, selectors.violations_recorded_by(organisation.pk)),
            "today": timezone.localdate(),
        },
    )


@org_access(HRSS, AUTHORITY, perm=RECORD_PERM)
def violation_clear_view(
    request: AuthedRequest, organisation: Organisation, violation_id: int
) -> HttpResponse:
    violation = get_violation_for_recorder(organisation, violation_id)
    form = ViolationClearForm(request.POST or None)
    back = reverse("courses:violations", kwargs={"organisation_id": organisation.pk})
    done = form_submit(
        request,
        form,
        lambda data: violation_clear(
            actor=request.user, recorder=organisation, violation=violation, reason=data["reason"]
        ),
        success=_("Violation cleared."),
        to=back,
    )
    if done:
        return done
    return render(
        request,
        "courses/integrity/clear.html",
        {"organisation": organisation, "violation": violation, "form": form, "back": back},
    )


@org_access(HRSS, AUTHORITY, perm=RECORD_PERM)
def violation_evidence(
    request: AuthedRequest, organisation: Organisation, violation_id: int
) -> HttpResponseBase:
    violation = get_violation_for_recorder(organisation, violation_id)
    name = str(violation.evidence.name or "evidence").rsplit("/", 1)[-1]
    return stored_file_response(
        violation.evidence, filename=name, content_type="application/octet-stream"
    )

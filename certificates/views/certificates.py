"""Pages of the certificates app: public verification, the person's and the organisation's
certificates, reissue and revocation.  Thin: parse, authorise, call one service, render."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.api import (
    PERSON_ONLY,
    PUBLIC,
    Organisation,
    access,
    get_person_for_user,
    org_access,
    throttle_hit,
)
from certificates.forms.certificates import ReasonForm, VerifyFileForm, VerifyForm, YearFilterForm
from certificates.models import Certificate, VerificationLookup
from certificates.permissions import get_certificate_for_org, get_own_certificate, org_certificates
from certificates.public import mask_name
from certificates.selectors import certificates as selectors
from certificates.services import certificate_reissue, certificate_revoke
from certificates.services.verification import verification_file, verification_lookup
from portal.client_ip import client_ip
from portal.http import AuthedRequest, stored_file_response
from portal.pagination import paginate
from portal.views import form_submit

EMPLOYER = Organisation.Kind.EMPLOYER
HRSS = Organisation.Kind.HRSS
RATE_WINDOWS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def verify_throttled(request: HttpRequest) -> bool:
    """One count against the address's verification allowance (shared by form and API)."""
    count, _slash, period = settings.CERTIFICATE_VERIFY_RATE.partition("/")
    return throttle_hit(
        "certificate_verify", request, limit=int(count), window=RATE_WINDOWS[period]
    )


def _pdf_response(certificate: Certificate) -> FileResponse:
    return stored_file_response(
        certificate.pdf,
        filename=f"certificate-{certificate.number}.pdf",
        content_type="application/pdf",
    )


@access(PUBLIC)
def verify(request: HttpRequest) -> HttpResponse:
    """/verify/: number + check code (GET, also what the QR code opens), or a PDF (POST)."""
    asked = "number" in request.GET or request.method == "POST"
    if asked and verify_throttled(request):
        return render(request, "accounts/throttled.html", status=429)
    form = VerifyForm(request.GET if "number" in request.GET else None)
    file_form = VerifyFileForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "file_form": file_form}
    if form.is_bound and form.is_valid():
        certificate = verification_lookup(
            number=form.cleaned_data["number"],
            code=form.cleaned_data["code"],
            channel=VerificationLookup.Channel.FORM,
            ip=client_ip(request),
        )
        context.update(asked=True, certificate=certificate)
    elif request.method == "POST" and file_form.is_valid():
        data = file_form.cleaned_data["file"].read()
        result = verification_file(data=data, ip=client_ip(request))
        context.update(file_result=result, certificate=result.certificate)
    found = context.get("certificate")
    if isinstance(found, Certificate):
        context["masked_name"] = mask_name(found.person_name)
    status = 404 if context.get("asked") and context.get("certificate") is None else 200
    return render(request, "certificates/verify.html", context, status=status)


# --- the person -------------------------------------------------------------------------------


@access(PERSON_ONLY)
def my_certificates(request: AuthedRequest) -> HttpResponse:
    person = get_person_for_user(request.user)
    return render(
        request,
        "certificates/my_certificates.html",
        {"certificates": selectors.person_certificates(person)},
    )


@access(PERSON_ONLY)
def my_certificate_pdf(request: AuthedRequest, certificate_id: int) -> HttpResponseBase:
    person = get_person_for_user(request.user)
    return _pdf_response(get_own_certificate(person, certificate_id))


# --- the employer and HRSS --------------------------------------------------------------------


@org_access(EMPLOYER, HRSS)
def org_certificates_list(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    filters = YearFilterForm(request.GET or None)
    certificates = org_certificates(organisation).select_related("person")
    if filters.is_valid() and filters.cleaned_data["year"]:
        certificates = certificates.filter(year=filters.cleaned_data["year"])
    return render(
        request,
        "certificates/org_certificates.html",
        {
            "organisation": organisation,
            "filters": filters,
            "page": paginate(request, certificates),
            "can_reissue": "review_records" in request.organisation_perms,
            "can_revoke": organisation.kind == HRSS
            and "review_records" in request.organisation_perms,
        },
    )


@org_access(EMPLOYER, HRSS)
def org_certificate_pdf(
    request: AuthedRequest, organisation: Organisation, certificate_id: int
) -> HttpResponseBase:
    return _pdf_response(get_certificate_for_org(organisation, certificate_id))


def _reason_action(
    request: AuthedRequest, organisation: Organisation, certificate_id: int, *, revoke: bool
) -> HttpResponse:
    certificate = get_certificate_for_org(organisation, certificate_id)
    form = ReasonForm(request.POST or None)
    to = reverse("certificates:org_certificates", args=[organisation.pk])
    if revoke:
        done = form_submit(
            request,
            form,
            lambda data: certificate_revoke(
                actor=request.user,
                certificate=certificate,
                reason=data["reason"],
                office=organisation,
            ),
            success=_("The certificate was revoked."),
            to=to,
        )
    else:
        done = form_submit(
            request,
            form,
            lambda data: certificate_reissue(
                actor=request.user,
                certificate=certificate,
                reason=data["reason"],
                organisation=organisation,
            ),
            success=lambda new: (
                _("Certificate %(new)s was issued.") % {"new": new.number}
                if certificate.status == Certificate.Status.REVOKED
                else _("Certificate %(old)s was replaced by %(new)s.")
                % {"old": certificate.number, "new": new.number}
            ),
            to=to,
        )
    if done is not None:
        return done
    return render(
        request,
        "certificates/reason_form.html",
        {"organisation": organisation, "certificate": certificate, "form": form, "revoke": revoke},
    )


@org_access(EMPLOYER, HRSS, perm="review_records")
def org_certificate_reissue(
    request: AuthedRequest, organisation: Organisation, certificate_id: int
) -> HttpResponse:
    return _reason_action(request, organisation, certificate_id, revoke=False)


@org_access(HRSS, perm="review_records")
def org_certificate_revoke(
    request: AuthedRequest, organisation: Organisation, certificate_id: int
) -> HttpResponse:
    return _reason_action(request, organisation, certificate_id, revoke=True)

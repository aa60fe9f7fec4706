"""Pages for bulk printing (employer) and the pre-2019 history (person and employer).
Thin: parse, authorise, call one service, render."""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.api import (
    PERSON_ONLY,
    Organisation,
    access,
    get_person_for_user,
    org_access,
)
from certificates.forms.printing import BulkPrintForm, HistoryKindForm
from certificates.models import BulkPrintJob
from certificates.permissions import get_print_job_for_org
from certificates.selectors import printing as selectors
from certificates.services.bulk_print import bulk_print_download_log, bulk_print_start
from portal.http import AuthedRequest, stored_file_response
from portal.pagination import paginate
from portal.views import form_submit

EMPLOYER = Organisation.Kind.EMPLOYER
POLLING = (BulkPrintJob.Status.QUEUED, BulkPrintJob.Status.RUNNING)


@org_access(EMPLOYER)
def org_print_jobs(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    """The organisation's bulk prints, and the form that asks for a new one (POST)."""
    form = BulkPrintForm(request.POST or None)
    done = form_submit(
        request,
        form,
        lambda data: bulk_print_start(
            actor=request.user,
            organisation=organisation,
            year=data["year"],
            format=data["format"],
        ),
        success=_("The file is being prepared; this page shows its progress."),
        to=lambda job: reverse("certificates:org_print_job", args=[organisation.pk, job.pk]),
    )
    if done is not None:
        return done
    return render(
        request,
        "certificates/print_jobs.html",
        {
            "organisation": organisation,
            "form": form,
            "page": paginate(request, selectors.organisation_print_jobs(organisation)),
        },
    )


@org_access(EMPLOYER)
def org_print_job(
    request: AuthedRequest, organisation: Organisation, print_job_id: int
) -> HttpResponse:
    job = get_print_job_for_org(organisation, print_job_id)
    context = {"organisation": organisation, "job": job, "polling": job.status in POLLING}
    if request.headers.get("HX-Request"):
        return render(request, "certificates/print_job_progress.html", context)
    return render(request, "certificates/print_job.html", context)


@org_access(EMPLOYER)
def org_print_job_download(
    request: AuthedRequest, organisation: Organisation, print_job_id: int
) -> HttpResponseBase:
    """The finished file, for the organisation's members, until the link expires (then 410)."""
    job = get_print_job_for_org(organisation, print_job_id)
    if job.is_expired():  # (its file may be deleted already: bulk_print_cleanup)
        return render(
            request,
            "certificates/print_expired.html",
            {"organisation": organisation, "job": job},
            status=410,
        )
    if job.status != BulkPrintJob.Status.FINISHED or not job.file:
        return redirect(
            "certificates:org_print_job", organisation_id=organisation.pk, print_job_id=job.pk
        )
    bulk_print_download_log(actor=request.user, job=job)
    content_type = "application/pdf" if job.format == BulkPrintJob.Format.PDF else "application/zip"
    return stored_file_response(
        job.file,
        filename=f"certificates-{job.year}-{job.pk}.{job.format}",
        content_type=content_type,
    )


# --- history before 2019 ----------------------------------------------------------------------


def _kind(request: AuthedRequest) -> str:
    form = HistoryKindForm(request.GET or None)
    return (form.cleaned_data["kind"] if form.is_valid() else "") or "certificates"


@access(PERSON_ONLY)
def my_history(request: AuthedRequest) -> HttpResponse:
    person = get_person_for_user(request.user)
    return render(
        request,
        "certificates/my_history.html",
        {
            "certificates": selectors.person_historic_certificates(person),
            "records": selectors.person_historic_records(person),
        },
    )


@org_access(EMPLOYER)
def org_history(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    kind = _kind(request)
    rows = (
        selectors.employer_historic_records(organisation)
        if kind == "records"
        else selectors.employer_historic_certificates(organisation)
    )
    return render(
        request,
        "certificates/org_history.html",
        {
            "organisation": organisation,
            "kind": kind,
            "page": paginate(request, rows),
            "query": f"kind={kind}",
        },
    )

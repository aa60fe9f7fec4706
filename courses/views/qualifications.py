"""Teaching qualifications: the institution's applications and the authority's review
queue (single and batch decisions with the three outcomes)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.api import DecisionForm, Organisation, org_access
from courses.forms.orgs import (
    QualificationApplyForm,
    QualificationBatchForm,
    QualificationResubmitForm,
)
from courses.models import ReviewStatus
from courses.permissions import (
    get_own_qualification,
    get_qualification_attachment,
    get_qualification_for_authority,
)
from courses.selectors import qualifications as selectors
from courses.services.qualifications import (
    qualification_apply,
    qualification_resubmit,
    qualifications_review,
)
from portal.http import AuthedRequest, stored_file_response
from portal.pagination import paginate
from portal.views import form_submit

INSTITUTION = Organisation.Kind.INSTITUTION
AUTHORITY = Organisation.Kind.AUTHORITY
REVIEW = "review_organisations"
# Stored files are served as downloads (their type was checked by content on upload).
DOWNLOAD_TYPE = "application/octet-stream"


def _mine_url(organisation: Organisation) -> str:
    return reverse("courses:qualifications", kwargs={"organisation_id": organisation.pk})


def _queue_url(organisation: Organisation, query: str = "") -> str:
    url = reverse("courses:qualification_queue", kwargs={"organisation_id": organisation.pk})
    return f"{url}?{query}" if query else url


@org_access(INSTITUTION)
def qualifications(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    """The institution's qualifications and their states, and the form to apply for one."""
    form = QualificationApplyForm(
        request.POST or None,
        request.FILES or None,
        series=selectors.qualification_series_choices(),
    )
    done = form_submit(
        request,
        form,
        lambda data: qualification_apply(
            actor=request.user,
            institution=organisation,
            series=data["series"],
            description=data["description"],
            files=data["attachments"],
        ),
        success=lambda q: (
            _("Application for %(series)s sent to %(authority)s.")
            % {"series": q.series.name, "authority": q.authority.name if q.authority else ""}
        ),
        to=_mine_url(organisation),
    )
    if done:
        return done
    return render(
        request,
        "courses/qualifications/mine.html",
        {
            "organisation": organisation,
            "form": form,
            "qualifications": selectors.institution_qualifications(organisation.pk),
        },
    )


@org_access(INSTITUTION)
def qualification_resubmit_view(
    request: AuthedRequest, organisation: Organisation, qualification_id: int
) -> HttpResponse:
    qualification = get_own_qualification(organisation, qualification_id)
    form = QualificationResubmitForm(
        request.POST or None,
        request.FILES or None,
        initial={"description": qualification.description},
    )
    done = form_submit(
        request,
        form,
        lambda data: qualification_resubmit(
            actor=request.user,
            qualification=qualification,
            description=data["description"],
            files=data["attachments"],
        ),
        success=_("Application resubmitted for review."),
        to=_mine_url(organisation),
    )
    if done:
        return done
    return render(
        request,
        "courses/qualifications/resubmit.html",
        {
            "organisation": organisation,
            "qualification": qualification,
            "attachments": qualification.attachments.all(),
            "form": form,
        },
    )


@org_access(INSTITUTION, AUTHORITY)
def qualification_attachment(
    request: AuthedRequest, organisation: Organisation, qualification_id: int, attachment_id: int
) -> HttpResponseBase:
    attachment = get_qualification_attachment(organisation, qualification_id, attachment_id)
    return stored_file_response(
        attachment.file, filename=attachment.name, content_type=DOWNLOAD_TYPE
    )


@org_access(AUTHORITY, perm=REVIEW)
def qualification_queue(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    status = request.GET.get("status", ReviewStatus.PENDING)
    statuses = [(v, label) for v, label in ReviewStatus.choices if v != ReviewStatus.DRAFT]
    if status not in dict(statuses):
        status = ReviewStatus.PENDING
    return render(
        request,
        "courses/qualifications/queue.html",
        {
            "organisation": organisation,
            "status": status,
            "statuses": statuses,
            "query": urlencode({"status": status}),
            "page": paginate(
                request, selectors.qualification_queue(organisation.pk, status=status)
            ),
            "selected": {str(i) for i in request.POST.getlist("qualification_ids")},
        },
    )


@org_access(AUTHORITY, perm=REVIEW)
@require_POST
def qualification_decide(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    """One decision over the ticked applications."""
    form = QualificationBatchForm(request.POST)
    query = request.POST.get("query", "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_queue_url(organisation, query))
    data = form.cleaned_data
    try:
        result = qualifications_review(
            reviewer=request.user,
            authority=organisation,
            qualification_ids=data["qualification_ids"],
            decision=data["decision"],
            reason=data["reason"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(decided)d decided, %(skipped)d skipped.")
            % {"decided": result.decided, "skipped": result.skipped},
        )
    return redirect(_queue_url(organisation, query))


@org_access(AUTHORITY, perm=REVIEW)
def qualification_review_detail(
    request: AuthedRequest, organisation: Organisation, qualification_id: int
) -> HttpResponse:
    qualification = get_qualification_for_authority(organisation, qualification_id)

    def decide(data: dict[str, Any]) -> Any:
        result = qualifications_review(
            reviewer=request.user,
            authority=organisation,
            qualification_ids=[qualification.pk],
            **data,
        )
        if not result.decided:
            raise ValidationError(_("This application has already been decided."))
        return result

    form = DecisionForm(request.POST or None)
    done = form_submit(
        request,
        form,
        decide,
        success=_("Decision saved for %(name)s.") % {"name": qualification.institution.name},
        to=_queue_url(organisation),
    )
    if done:
        return done
    return render(
        request,
        "courses/qualifications/review_detail.html",
        {
            "organisation": organisation,
            "qualification": qualification,
            "attachments": qualification.attachments.all(),
            "held": selectors.institution_qualifications(qualification.institution_id).filter(
                status=ReviewStatus.APPROVED
            ),
            "form": form,
        },
    )

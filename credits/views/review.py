"""Employer review queue and HRSS recheck: parse → authorise → call one service → render."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts.api import Organisation, mask_id_number, org_access
from credits.downloads import evidence_file_response
from credits.forms import review as forms
from credits.models import Evidence, Record, ReviewJob
from credits.permissions import (
    get_evidence_of,
    get_recheck_item,
    get_recheck_sample,
    get_record_for_employer,
    get_review_job,
)
from credits.selectors import review as selectors
from credits.selectors.records import record_evidence
from credits.services import record_decision_change, records_review, review_job_start
from credits.services.recheck import recheck_decide, recheck_sample_draw
from portal import exports
from portal.forms import apply_service_error
from portal.http import AuthedRequest
from portal.pagination import PAGE_SIZE, paginate
from portal.views import form_submit, post_action

EMPLOYER = Organisation.Kind.EMPLOYER
HRSS = Organisation.Kind.HRSS
REVIEW = "review_records"
SYNC_LIMIT = 500  # larger selections run as a background ReviewJob


def _queue_url(organisation: Organisation, query: str = "") -> str:
    url = reverse("credits:review_queue", kwargs={"organisation_id": organisation.pk})
    return f"{url}?{query}" if query else url


def _queue_page(
    request: AuthedRequest,
    organisation: Organisation,
    params: QueryDict,
    *,
    page_number: str | None,
    decision_form: forms.ReviewDecisionForm | None = None,
) -> HttpResponse:
    """The queue filtered by `params`; after a refused decision, with the ticked rows, the
    chosen decision (as posted) and the errors of `decision_form`."""
    filter_form = forms.ReviewFilterForm(params or None, series=selectors.series_choices())
    page = selectors.review_queue_page(
        organisation,
        filters=filter_form.filters(),
        sort=filter_form.ordering(),
        page_number=page_number,
        after=params.get("after", ""),
        per_page=PAGE_SIZE,
    )
    query = params.copy()
    query.pop("page", None)
    query.pop("after", None)
    here = query.copy()  # where a decision returns to: the same keyset page, if on one
    if page.number is None:
        here["after"] = params.get("after", "")
    data = request.POST if decision_form is not None else QueryDict()
    return render(
        request,
        "credits/review_queue.html",
        {
            "organisation": organisation,
            "filter_form": filter_form,
            "page": page,
            "count_cap": selectors.COUNT_CAP,
            "query": here.urlencode(),
            "filters_query": query.urlencode(),
            "page_url": _queue_url(organisation),
            "decision_form": decision_form,
            "selected": set(data.getlist("record_ids")),
            "decision": data.get("decision", ""),
            "reason": data.get("reason", ""),
            "all_matching": bool(data.get("all_matching")),
            "all_on_page": bool(data.get("all_on_page")),
        },
    )


def _record_dates(record: Record) -> str:
    if record.end_date and record.end_date != record.start_date:
        return f"{record.start_date:%Y-%m-%d} – {record.end_date:%Y-%m-%d}"
    return f"{record.start_date:%Y-%m-%d}"


REVIEW_COLUMNS: list[exports.Column[Record]] = [
    exports.Column(_lazy("Name"), lambda r: r.person.real_name),
    exports.Column(_lazy("ID number"), lambda r: mask_id_number(r.person.id_number)),
    exports.Column(_lazy("Year"), lambda r: r.year),
    exports.Column(_lazy("Category"), lambda r: r.get_category_display()),
    exports.Column(_lazy("Series"), lambda r: r.series.name if r.series else ""),
    exports.Column(_lazy("Content"), lambda r: r.title),
    exports.Column(_lazy("Hours"), lambda r: r.hours),
    exports.Column(_lazy("Dates"), _record_dates),
    exports.Column(_lazy("Source"), lambda r: r.get_source_display()),
    exports.Column(_lazy("Status"), lambda r: r.get_status_display()),
]


@org_access(EMPLOYER, perm=REVIEW)
def review_export(request: AuthedRequest, organisation: Organisation, fmt: str) -> HttpResponseBase:
    """The review queue as shown (filters and sort applied), every matching record."""
    filter_form = forms.ReviewFilterForm(request.GET or None, series=selectors.series_choices())
    records = selectors.review_queue(
        organisation, filters=filter_form.filters(), sort=filter_form.ordering()
    )
    return exports.export_response(
        rows=records,
        columns=REVIEW_COLUMNS,
        fmt=fmt,
        filename=f"records-{organisation.pk}-{timezone.localdate():%Y%m%d}",
        title=_("Records to review"),
    )


@org_access(EMPLOYER, perm=REVIEW)
def review_queue(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    return _queue_page(request, organisation, request.GET, page_number=request.GET.get("page"))


@org_access(EMPLOYER, perm=REVIEW)
@require_POST
def review_decide(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = forms.ReviewDecisionForm(request.POST)
    query = request.POST.get("query", "")
    if not form.is_valid():
        # Show the same page again with the same ticks and decision, and say what is missing.
        return _queue_page(
            request,
            organisation,
            QueryDict(query),
            page_number=request.POST.get("page"),
            decision_form=form,
        )
    data = form.cleaned_data
    ids: list[int] = data["record_ids"]
    if data["all_matching"]:
        filter_form = forms.ReviewFilterForm(QueryDict(query), series=selectors.series_choices())
        ids = selectors.review_queue_ids(organisation, filters=filter_form.filters())
    decision = {"decision": data["decision"], "reason": data["reason"]}
    try:
        if data["all_matching"] or len(ids) > SYNC_LIMIT:
            job = review_job_start(
                reviewer=request.user, employer=organisation, record_ids=ids, **decision
            )
            return redirect("credits:review_job", organisation_id=organisation.pk, job_id=job.pk)
        result = records_review(
            reviewer=request.user, employer=organisation, record_ids=ids, **decision
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


@org_access(EMPLOYER, perm=REVIEW)
def review_job(request: AuthedRequest, organisation: Organisation, job_id: int) -> HttpResponse:
    job = get_review_job(organisation, job_id)
    context = {
        "organisation": organisation,
        "job": job,
        "polling": job.status in (ReviewJob.Status.QUEUED, ReviewJob.Status.RUNNING),
    }
    if request.headers.get("HX-Request"):
        return render(request, "credits/review_job_progress.html", context)
    return render(request, "credits/review_job.html", context)


@dataclass(frozen=True)
class EvidenceLinks:
    """One evidence file with the URLs to download it and to preview it inline."""

    evidence: Evidence
    download_url: str
    preview_url: str


def _evidence_links(
    evidence: Iterable[Evidence], download: str, preview: str, **kwargs: int
) -> list[EvidenceLinks]:
    return [
        EvidenceLinks(
            e,
            reverse(download, kwargs={**kwargs, "evidence_id": e.pk}),
            reverse(preview, kwargs={**kwargs, "evidence_id": e.pk}),
        )
        for e in evidence
    ]


def _record_decide(
    request: AuthedRequest, organisation: Organisation, record: Record
) -> tuple[forms.RecordDecisionForm, HttpResponse | None]:
    """Approve, reject or return the record from its own page (the queue's service); then
    open the next record waiting, or the queue when none is left."""
    form = forms.RecordDecisionForm(request.POST)
    if not form.is_valid():
        return form, None
    try:
        result = records_review(
            reviewer=request.user,
            employer=organisation,
            record_ids=[record.pk],
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        apply_service_error(form, exc)
        return form, None
    if not result.decided:
        messages.error(request, _("This record is no longer under review."))
        return form, redirect(
            "credits:record_review_detail", organisation_id=organisation.pk, record_id=record.pk
        )
    following = selectors.review_queue_next(organisation, after=record)
    if following is None:
        messages.success(request, _("Decision saved. No other record is waiting for review."))
        return form, redirect(_queue_url(organisation))
    messages.success(request, _("Decision saved. Here is the next record waiting for review."))
    return form, redirect(
        "credits:record_review_detail", organisation_id=organisation.pk, record_id=following.pk
    )


@org_access(EMPLOYER, perm=REVIEW)
def record_review_detail(
    request: AuthedRequest, organisation: Organisation, record_id: int
) -> HttpResponse:
    record = get_record_for_employer(organisation, record_id)
    post = request.POST if request.method == "POST" else None
    decision_form = None
    form = None
    if record.status == Record.Status.SUBMITTED:
        decision_form = forms.RecordDecisionForm()
        if post is not None:
            decision_form, done = _record_decide(request, organisation, record)
            if done is not None:
                return done
    elif record.status == Record.Status.APPROVED:
        form = forms.DecisionChangeForm(post)
        changed = form_submit(
            request,
            form,
            lambda data: record_decision_change(
                reviewer=request.user, employer=organisation, record=record, reason=data["reason"]
            ),
            success=_("The record is now rejected."),
            to=reverse(
                "credits:record_review_detail",
                kwargs={"organisation_id": organisation.pk, "record_id": record.pk},
            ),
        )
        if changed:
            return changed
    return render(
        request,
        "credits/review_record_detail.html",
        {
            "organisation": organisation,
            "record": record,
            "evidence": _evidence_links(
                record_evidence(record),
                "credits:review_evidence_download",
                "credits:review_evidence_preview",
                organisation_id=organisation.pk,
                record_id=record.pk,
            ),
            "form": form,
            "decision_form": decision_form,
        },
    )


# --- HRSS recheck ------------------------------------------------------------------------------


@org_access(HRSS, perm=REVIEW)
def recheck_samples(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = forms.RecheckDrawForm(
        request.POST or None,
        series=selectors.series_choices(),
        regions=selectors.recheck_regions(organisation),
        employers=selectors.recheck_employers(organisation).order_by("name"),
    )
    drawn = form_submit(
        request,
        form,
        lambda data: recheck_sample_draw(
            office=organisation,
            actor=request.user,
            size=data["size"],
            year=data["year"],
            series_code=data["series"].code if data["series"] else None,
            region_code=data["region"].code if data["region"] else None,
            employer_id=data["employer"].pk if data["employer"] else None,
        ),
        success=lambda sample: _("Sample of %(n)d records drawn.") % {"n": sample.size},
        to=lambda sample: reverse(
            "credits:recheck_sample",
            kwargs={"organisation_id": organisation.pk, "sample_id": sample.pk},
        ),
    )
    if drawn:
        return drawn
    return render(
        request,
        "credits/recheck_samples.html",
        {
            "organisation": organisation,
            "form": form,
            "page": paginate(request, selectors.recheck_samples(organisation)),
        },
    )


@org_access(HRSS, perm=REVIEW)
def recheck_sample(
    request: AuthedRequest, organisation: Organisation, sample_id: int
) -> HttpResponse:
    sample = get_recheck_sample(organisation, sample_id)
    return render(
        request,
        "credits/recheck_sample.html",
        {
            "organisation": organisation,
            "sample": sample,
            "page": paginate(request, selectors.recheck_items(sample)),
        },
    )


@org_access(HRSS, perm=REVIEW)
@require_POST
def recheck_decide_view(
    request: AuthedRequest, organisation: Organisation, item_id: int
) -> HttpResponse:
    item = get_recheck_item(organisation, item_id)
    form = forms.RecheckDecideForm(request.POST)

    def decide() -> None:
        if not form.is_valid():
            raise ValidationError(
                list(form.errors.get("reason", [])) or _("Choose confirm or revoke.")
            )
        recheck_decide(office=organisation, actor=request.user, item=item, **form.cleaned_data)

    return post_action(
        request,
        decide,
        success=_("Recheck saved."),
        to=reverse(
            "credits:recheck_sample",
            kwargs={"organisation_id": organisation.pk, "sample_id": item.sample_id},
        ),
    )


@org_access(HRSS, perm=REVIEW)
def recheck_record(
    request: AuthedRequest, organisation: Organisation, item_id: int
) -> HttpResponse:
    """A sampled record, read-only, with its evidence: only records in this office's samples."""
    item = get_recheck_item(organisation, item_id)
    return render(
        request,
        "credits/recheck_record.html",
        {
            "organisation": organisation,
            "item": item,
            "record": item.record,
            "evidence": _evidence_links(
                record_evidence(item.record),
                "credits:recheck_evidence_download",
                "credits:recheck_evidence_preview",
                organisation_id=organisation.pk,
                item_id=item.pk,
            ),
        },
    )


def _recheck_evidence(organisation: Organisation, item_id: int, evidence_id: int) -> Evidence:
    item = get_recheck_item(organisation, item_id)
    return get_evidence_of(item.record, evidence_id)


@org_access(HRSS, perm=REVIEW)
def recheck_evidence_download(
    request: AuthedRequest, organisation: Organisation, item_id: int, evidence_id: int
) -> HttpResponseBase:
    return evidence_file_response(_recheck_evidence(organisation, item_id, evidence_id))


@org_access(HRSS, perm=REVIEW)
@xframe_options_sameorigin  # shown in an <iframe> on the record page
def recheck_evidence_preview(
    request: AuthedRequest, organisation: Organisation, item_id: int, evidence_id: int
) -> HttpResponseBase:
    evidence = _recheck_evidence(organisation, item_id, evidence_id)
    return evidence_file_response(evidence, inline=True)


def _review_evidence(organisation: Organisation, record_id: int, evidence_id: int) -> Evidence:
    record = get_record_for_employer(organisation, record_id)
    return get_evidence_of(record, evidence_id)


@org_access(EMPLOYER, perm=REVIEW)
def review_evidence_download(
    request: AuthedRequest, organisation: Organisation, record_id: int, evidence_id: int
) -> HttpResponseBase:
    return evidence_file_response(_review_evidence(organisation, record_id, evidence_id))


@org_access(EMPLOYER, perm=REVIEW)
@xframe_options_sameorigin  # shown in an <iframe> on the record page
def review_evidence_preview(
    request: AuthedRequest, organisation: Organisation, record_id: int, evidence_id: int
) -> HttpResponseBase:
    evidence = _review_evidence(organisation, record_id, evidence_id)
    return evidence_file_response(evidence, inline=True)

"""The person's pages: records (declare, edit, submit, evidence) and yearly progress.

Views: parse → authorise (accounts.api policies, credits.permissions look-ups) → call one
service → render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.api import PERSON_ONLY, access, get_person_for_user
from credits import api, suggestions
from credits.downloads import evidence_file_response
from credits.forms.person import RecordFilterForm, RecordForm
from credits.permissions import get_evidence_of, get_own_record
from credits.selectors import records as selectors
from credits.services import (
    evidence_remove,
    record_create,
    record_delete,
    record_submit,
    record_update,
)
from portal.forms import apply_service_error
from portal.http import AuthedRequest
from portal.pagination import paginate
from portal.views import post_action


@access(PERSON_ONLY)
def my_records(request: AuthedRequest) -> HttpResponse:
    person = get_person_for_user(request.user)
    filters = RecordFilterForm(request.GET or None)
    year = status = None
    if filters.is_valid():
        year, status = filters.cleaned_data["year"], filters.cleaned_data["status"]
    query = {k: v for k, v in (("year", year), ("status", status)) if v}
    return render(
        request,
        "credits/person_records.html",
        {
            "filters": filters,
            "year": year,
            "status": status or "",
            "years": selectors.person_record_years(person),
            "query": urlencode(query),
            "page": paginate(request, selectors.person_records(person, year=year, status=status)),
        },
    )


def _declaration_help(series: list[Any]) -> dict[str, object]:
    """What the declaration form shows beside the fields: the windows of the years still
    open, and the records of the person's series that another platform certifies."""
    today = timezone.localdate()
    return {
        "windows": selectors.open_windows(series, today=today),
        "elsewhere": selectors.routes_elsewhere(series, year=today.year),
    }


@access(PERSON_ONLY)
def record_new(request: AuthedRequest) -> HttpResponse:
    person = get_person_for_user(request.user)
    series = list(person.series.order_by("code"))
    form = RecordForm(
        request.POST or None,
        request.FILES or None,
        series=series,
        activities=selectors.person_activities(person),
        initial={"year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = record_create(
                person=person, draft=form.draft(), evidence_files=form.cleaned_data["evidence"]
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Draft saved. Submit it when it is complete."))
            return redirect("credits:record_detail", record_id=record.pk)
    return render(
        request,
        "credits/record_form.html",
        {"form": form, "title": _("Declare a CE record"), **_declaration_help(series)},
    )


@access(PERSON_ONLY)
def record_detail(request: AuthedRequest, record_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    record = get_own_record(person, record_id)
    return render(
        request,
        "credits/record_detail.html",
        {"record": record, "evidence": selectors.record_evidence(record)},
    )


@access(PERSON_ONLY)
def record_edit(request: AuthedRequest, record_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    record = get_own_record(person, record_id)
    if not record.is_editable:
        messages.error(
            request,
            _(
                "This record is under review and cannot be edited. Ask your employer to "
                "return it for changes."
            )
            if record.status == record.Status.SUBMITTED
            else _("Only a draft or a returned record can be edited."),
        )
        return redirect("credits:record_detail", record_id=record.pk)
    series = list(person.series.order_by("code"))
    form = RecordForm(
        request.POST or None,
        request.FILES or None,
        series=series,
        activities=selectors.person_activities(person),
        initial=RecordForm.initial_from(record),
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_update(
                person=person,
                record=record,
                draft=form.draft(),
                evidence_files=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Record saved."))
            return redirect("credits:record_detail", record_id=record.pk)
    return render(
        request,
        "credits/record_form.html",
        {
            "form": form,
            "record": record,
            "evidence": selectors.record_evidence(record),
            "title": _("Edit the CE record"),
            **_declaration_help(series),
        },
    )


@access(PERSON_ONLY)
@require_POST
def record_submit_view(request: AuthedRequest, record_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    record = get_own_record(person, record_id)
    return post_action(
        request,
        lambda: record_submit(person=person, record=record),
        success=_("Record sent to your employer for review."),
        to=reverse("credits:record_detail", kwargs={"record_id": record.pk}),
    )


@access(PERSON_ONLY)
@require_POST
def record_delete_view(request: AuthedRequest, record_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    record = get_own_record(person, record_id)
    return post_action(
        request,
        lambda: record_delete(person=person, record=record),
        success=_("Draft “%(title)s” deleted.") % {"title": record.title},
        to="credits:my_records",
        failure_to=reverse("credits:record_detail", kwargs={"record_id": record.pk}),
    )


@access(PERSON_ONLY)
@require_POST
def evidence_remove_view(request: AuthedRequest, record_id: int, evidence_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    record = get_own_record(person, record_id)
    evidence = get_evidence_of(record, evidence_id)
    return post_action(
        request,
        lambda: evidence_remove(person=person, evidence=evidence),
        success=_("File “%(name)s” removed.") % {"name": evidence.original_name or _("file")},
        to=reverse("credits:record_detail", kwargs={"record_id": record.pk}),
    )


@access(PERSON_ONLY)
def evidence_download(request: AuthedRequest, record_id: int, evidence_id: int) -> HttpResponseBase:
    person = get_person_for_user(request.user)
    record = get_own_record(person, record_id)
    evidence = get_evidence_of(record, evidence_id)
    return evidence_file_response(evidence)


# The first year the progress page knows about; the last is next year.
FIRST_PROGRESS_YEAR = 2010


def _check_progress_year(year: int) -> None:
    """404 for a year no record can belong to (``/me/progress/0/``, ``/me/progress/99999/``)."""
    if not FIRST_PROGRESS_YEAR <= year <= timezone.localdate().year + 1:
        raise Http404("no such year")


@access(PERSON_ONLY)
def progress(request: AuthedRequest, year: int) -> HttpResponse:
    _check_progress_year(year)
    person = get_person_for_user(request.user)
    today = timezone.localdate()
    explanation = selectors.person_year_explanation(person, year, today=today)
    series = list(person.series.order_by("code"))
    shortfalls = suggestions.year_shortfalls(
        explanation.result,
        selectors.year_windows(year),
        {s.code: s.name for s in series},
        today=today,
    )
    return render(
        request,
        "credits/progress.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "explanation": explanation,
            "windows": selectors.year_window(series, year, today=today),
            "gap": suggestions.progress_suggestions(person, year, shortfalls),
            "today": today,
        },
    )


@access(PERSON_ONLY)
@require_POST
def progress_recount(request: AuthedRequest, year: int) -> HttpResponse:
    _check_progress_year(year)
    person = get_person_for_user(request.user)
    refresh = getattr(api, "summaries_refresh_now", None)
    if refresh is not None:
        refresh(person_id=person.pk, year=year)
    messages.success(request, _("Your statistics for %(year)d were recounted.") % {"year": year})
    return redirect("credits:progress", year=year)

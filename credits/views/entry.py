"""The employer entering records for its staff: one by one, or by uploading a sheet.

Views: parse → authorise (``org_access`` and ``credits.permissions``) → one service → render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.api import Organisation, org_access
from credits.forms.entry import RecordEntryForm, SheetUploadForm
from credits.permissions import get_import_job
from credits.selectors import entry as selectors
from credits.selectors.review import series_choices
from credits.services.entry import import_start, record_enter
from credits.sheets import SheetError, template_csv, template_xlsx
from portal import exports
from portal.forms import apply_service_error
from portal.http import AuthedRequest
from portal.pagination import paginate

EMPLOYER = Organisation.Kind.EMPLOYER
ENTER = "review_records"  # the members who review the employer's records enter them too
XLSX_TYPE = exports.XLSX_CONTENT_TYPE


@org_access(EMPLOYER, perm=ENTER)
def record_enter_view(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = RecordEntryForm(
        request.POST or None,
        request.FILES or None,
        series=list(series_choices()),
        initial={"year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = record_enter(
                actor=request.user,
                employer=organisation,
                id_number=form.cleaned_data["id_number"],
                real_name=form.cleaned_data["real_name"],
                declaration=form.declaration(),
                evidence_files=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Record entered for %(name)s; it is now in your review queue.")
                % {"name": record.person.real_name},
            )
            return redirect(
                "credits:record_review_detail",
                organisation_id=organisation.pk,
                record_id=record.pk,
            )
    return render(
        request, "credits/entry/record_form.html", {"organisation": organisation, "form": form}
    )


@org_access(EMPLOYER, perm=ENTER)
def imports(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    """Upload a sheet, and the employer's recent imports."""
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        sheet = form.cleaned_data["sheet"]
        try:
            job = import_start(
                actor=request.user,
                employer=organisation,
                content=sheet.read(),
                original_name=str(sheet.name or ""),
            )
        except SheetError as exc:
            form.add_error("sheet", exc)
        else:
            return redirect("credits:import_job", organisation_id=organisation.pk, import_id=job.pk)
    return render(
        request,
        "credits/entry/imports.html",
        {
            "organisation": organisation,
            "form": form,
            "page": paginate(request, selectors.employer_imports(organisation)),
        },
    )


@org_access(EMPLOYER, perm=ENTER)
def import_job(request: AuthedRequest, organisation: Organisation, import_id: int) -> HttpResponse:
    job = get_import_job(organisation, import_id)
    context = {"organisation": organisation, "job": job, "polling": job.is_running}
    if request.headers.get("HX-Request"):
        return render(request, "credits/entry/import_progress.html", context)
    return render(request, "credits/entry/import_job.html", context)


ERROR_COLUMNS: list[exports.Column[dict[str, object]]] = [
    exports.Column(_lazy("Line"), lambda e: e.get("line") or ""),
    exports.Column(_lazy("Column"), lambda e: e.get("column") or ""),
    exports.Column(_lazy("Problem"), lambda e: e.get("message") or ""),
]


@org_access(EMPLOYER, perm=ENTER)
def import_errors(
    request: AuthedRequest, organisation: Organisation, import_id: int, fmt: str
) -> HttpResponseBase:
    """The bad rows of a refused sheet, to correct it."""
    job = get_import_job(organisation, import_id)
    return exports.export_response(
        rows=list(job.errors),
        columns=ERROR_COLUMNS,
        fmt=fmt,
        filename=f"import-{job.pk}-errors",
        title=_("Rows with errors"),
    )


@org_access(EMPLOYER, perm=ENTER)
def import_template(
    request: AuthedRequest, organisation: Organisation, fmt: str
) -> HttpResponseBase:
    """The sheet to fill in: the header row and one example row."""
    if fmt == exports.CSV:
        content, content_type = template_csv(), "text/csv; charset=utf-8"
    else:
        content, content_type = template_xlsx(), XLSX_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ce-records-template.{fmt}"'
    return response

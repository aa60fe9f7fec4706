"""The filer's class pages (004 institution #4/#5, employer, authority #4): its classes,
one class with its enrolments and results, state changes, closing.  Thin: parse, authorise,
call one service, redirect or render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.api import Organisation, org_access
from courses.forms.classes import DecideForm, ResultsUploadForm, StatusForm, results_from_post
from courses.models import Enrolment, TrainingClass
from courses.permissions import get_class_for_filer
from courses.selectors import classes as selectors
from courses.services.classes import class_status_change
from courses.services.closing import class_close, class_records_retry
from courses.services.enrolments import enrolments_decide
from courses.services.results import (
    RESULT_COLUMNS,
    SheetRefused,
    results_import,
    results_record,
)
from credits.api import sheet_template_csv, sheet_template_xlsx
from portal.http import AuthedRequest
from portal.pagination import paginate
from portal.views import post_action

FILERS = (
    Organisation.Kind.INSTITUTION,
    Organisation.Kind.EMPLOYER,
    Organisation.Kind.AUTHORITY,
)


def _to_class(organisation: Organisation, training_class: TrainingClass) -> str:
    from django.urls import reverse

    return reverse(
        "courses:org_class",
        kwargs={"organisation_id": organisation.pk, "class_id": training_class.pk},
    )


@org_access(*FILERS)
def org_classes(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in TrainingClass.Status.values:
        status = ""
    page = paginate(request, selectors.filer_classes(organisation, status=status))
    return render(
        request,
        "courses/classes/org_classes.html",
        {
            "organisation": organisation,
            "page": page,
            "status": status,
            "statuses": TrainingClass.Status.choices,
            "query": f"status={status}" if status else "",
        },
    )


@org_access(*FILERS)
def org_class(request: AuthedRequest, organisation: Organisation, class_id: int) -> HttpResponse:
    training_class = get_class_for_filer(organisation, class_id)
    enrolments = list(selectors.class_enrolments(training_class))
    return render(
        request,
        "courses/classes/org_class.html",
        {
            "organisation": organisation,
            "c": training_class,
            "enrolments": enrolments,
            "accepted": [e for e in enrolments if e.status == Enrolment.Status.ACCEPTED],
            "next_states": [
                (s, TrainingClass.Status(s).label)
                for s in TrainingClass.TRANSITIONS[training_class.status]
            ],
            "upload_form": ResultsUploadForm(),
            "close_problems": any(e.close_error and e.record_id is None for e in enrolments),
            "results": Enrolment.Result.choices,
        },
    )


@org_access(*FILERS)
@require_POST
def org_class_status(
    request: AuthedRequest, organisation: Organisation, class_id: int
) -> HttpResponse:
    training_class = get_class_for_filer(organisation, class_id)
    form = StatusForm(request.POST)
    to = _to_class(organisation, training_class)

    def call() -> TrainingClass:
        if not form.is_valid():
            raise ValidationError(_("Choose a state the class can move to."))
        return class_status_change(
            training_class=training_class,
            to=form.cleaned_data["to"],
            reason=form.cleaned_data["reason"],
            user=request.user,
            organisation=organisation,
        )

    return post_action(
        request,
        call,
        success=lambda c: _("The class is now “%(state)s”.") % {"state": c.get_status_display()},
        to=to,
    )


@org_access(*FILERS)
@require_POST
def org_class_close(
    request: AuthedRequest, organisation: Organisation, class_id: int
) -> HttpResponse:
    training_class = get_class_for_filer(organisation, class_id)
    return post_action(
        request,
        lambda: class_close(
            training_class=training_class, user=request.user, organisation=organisation
        ),
        success=_(
            "The class is closed. Each passed learner's hours are being sent to their "
            "employer's review."
        ),
        to=_to_class(organisation, training_class),
    )


@org_access(*FILERS)
@require_POST
def org_class_close_retry(
    request: AuthedRequest, organisation: Organisation, class_id: int
) -> HttpResponse:
    training_class = get_class_for_filer(organisation, class_id)
    return post_action(
        request,
        lambda: class_records_retry(
            training_class=training_class, user=request.user, organisation=organisation
        ),
        success=_("The hours of the learners not done yet are being sent again."),
        to=_to_class(organisation, training_class),
    )


@org_access(*FILERS)
@require_POST
def org_enrolments_decide(
    request: AuthedRequest, organisation: Organisation, class_id: int
) -> HttpResponse:
    training_class = get_class_for_filer(organisation, class_id)
    form = DecideForm(request.POST)

    def call() -> int:
        if not form.is_valid():
            raise ValidationError(_("Choose at least one enrolment, and accept or cancel."))
        return enrolments_decide(
            training_class=training_class,
            enrolment_ids=form.cleaned_data["enrolment_ids"],
            accept=form.cleaned_data["action"] == "accept",
            user=request.user,
            organisation=organisation,
        ).changed

    return post_action(
        request,
        call,
        success=lambda n: (
            ngettext("%(n)d enrolment changed.", "%(n)d enrolments changed.", n) % {"n": n}
        ),
        to=_to_class(organisation, training_class),
    )


@org_access(*FILERS)
@require_POST
def org_results_save(
    request: AuthedRequest, organisation: Organisation, class_id: int
) -> HttpResponse:
    training_class = get_class_for_filer(organisation, class_id)
    ids = [int(v) for v in request.POST.getlist("enrolment") if v.isdigit() and len(v) < 19]

    def call() -> int:
        results, errors = results_from_post(request.POST, ids)
        if errors:
            raise ValidationError(errors)
        return results_record(
            training_class=training_class,
            results=results,
            user=request.user,
            organisation=organisation,
        )

    return post_action(
        request,
        call,
        success=lambda n: ngettext("%(n)d result saved.", "%(n)d results saved.", n) % {"n": n},
        to=_to_class(organisation, training_class),
    )


@org_access(*FILERS)
@require_POST
def org_results_upload(
    request: AuthedRequest, organisation: Organisation, class_id: int
) -> HttpResponse:
    training_class = get_class_for_filer(organisation, class_id)
    form = ResultsUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            changed = results_import(
                training_class=training_class,
                content=form.cleaned_data["sheet"],
                user=request.user,
                organisation=organisation,
            )
        except SheetRefused as exc:
            messages.error(
                request,
                _("Nothing from this sheet was saved. Correct these rows and upload it again:"),
            )
            for message in exc.messages:
                messages.error(request, message)
            return redirect(_to_class(organisation, training_class))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_to_class(organisation, training_class))
        messages.success(
            request,
            ngettext("%(n)d result saved.", "%(n)d results saved.", changed) % {"n": changed},
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(_to_class(organisation, training_class))


@org_access(*FILERS)
def org_results_template(
    request: AuthedRequest, organisation: Organisation, class_id: int, fmt: str
) -> HttpResponse:
    training_class = get_class_for_filer(organisation, class_id)
    if fmt == "xlsx":
        body = sheet_template_xlsx(RESULT_COLUMNS, "考核结果")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = sheet_template_csv(RESULT_COLUMNS)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    name = f"class-{training_class.pk}-results.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

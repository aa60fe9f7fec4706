"""Course plan pages: the filer's plans and classes, the authority's review queue (single and
batch), and the HRSS office's read-only list of filed plans."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.api import DecisionForm, Organisation, audit_readable, org_access
from courses.forms.plans import (
    AttachmentForm,
    ClassForm,
    PlanForm,
    PlanReviewForm,
    PlanStatusFilterForm,
)
from courses.models import CoursePlan, ReviewStatus
from courses.permissions import (
    get_plan_attachment,
    get_plan_class_for_filer,
    get_plan_for_filer,
    get_plan_for_office,
    get_plan_for_reviewer,
)
from courses.selectors import plans as selectors
from courses.services import plans as services
from portal import exports
from portal.http import AuthedRequest, stored_file_response
from portal.pagination import paginate
from portal.uploads import EVIDENCE_CONTENT_TYPES
from portal.views import form_submit, post_action

FILERS = (Organisation.Kind.INSTITUTION, Organisation.Kind.EMPLOYER, Organisation.Kind.AUTHORITY)
REVIEWERS = (Organisation.Kind.AUTHORITY, Organisation.Kind.HRSS)
HRSS = Organisation.Kind.HRSS
REVIEW = "review_organisations"
CONTENT_TYPES = {"pdf": EVIDENCE_CONTENT_TYPES["pdf"], "jpg": "image/jpeg", "png": "image/png"}

PLAN_COLUMNS: list[exports.Column[CoursePlan]] = [
    exports.Column(_lazy("Year"), lambda p: p.year),
    exports.Column(_lazy("Series"), lambda p: p.series.name),
    exports.Column(_lazy("Course name"), lambda p: p.course.name),
    exports.Column(_lazy("Filed by"), lambda p: p.filer.name),
    exports.Column(_lazy("Classes"), lambda p: getattr(p, "class_count", "")),
    exports.Column(_lazy("Status"), lambda p: p.get_status_display()),
    exports.Column(_lazy("Reviewing authority"), lambda p: p.authority.name if p.authority else ""),
    exports.Column(_lazy("Submitted at"), lambda p: p.submitted_at),
    exports.Column(_lazy("Decided at"), lambda p: p.decided_at),
    exports.Column(
        _lazy("Filed with HRSS office"), lambda p: p.hrss_office.name if p.hrss_office else ""
    ),
]


def _plan_url(organisation: Organisation, plan: CoursePlan) -> str:
    return reverse(
        "courses:plan_detail", kwargs={"organisation_id": organisation.pk, "plan_id": plan.pk}
    )


def _plan_context(plan: CoursePlan) -> dict[str, Any]:
    """What every page showing one plan shows: its classes (and their states), files, history."""
    classes = list(selectors.plan_classes(plan))
    return {
        "plan": plan,
        "classes": [(c, services.filing_window(c.start_date)) for c in classes],
        "attachments": plan.attachments.all(),
        "history": audit_readable(selectors.plan_history(plan)[:30]),
    }


# --- The filer's plans ---------------------------------------------------------------------------


@org_access(*FILERS)
def plan_list(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = PlanStatusFilterForm(request.GET or None)
    query = request.GET.copy()
    query.pop("page", None)
    plans = selectors.filer_plans(organisation, status=form.status_value())
    return render(
        request,
        "courses/plans/list.html",
        {
            "organisation": organisation,
            "filter_form": form,
            "query": query.urlencode(),
            "page": paginate(request, plans),
        },
    )


@org_access(*FILERS)
def plan_export(request: AuthedRequest, organisation: Organisation, fmt: str) -> HttpResponseBase:
    form = PlanStatusFilterForm(request.GET or None)
    return exports.export_response(
        rows=selectors.filer_plans(organisation, status=form.status_value()),
        columns=PLAN_COLUMNS,
        fmt=fmt,
        filename=f"plans-{organisation.pk}-{timezone.localdate():%Y%m%d}",
        title=_("Course plans"),
    )


@org_access(*FILERS)
def plan_new(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = PlanForm(request.POST or None, filer=organisation)
    done = form_submit(
        request,
        form,
        lambda data: services.plan_create(actor=request.user, filer=organisation, **data),
        success=_("The plan was saved as a draft: add its classes, then submit it."),
        to=lambda plan: _plan_url(organisation, plan),
    )
    if done:
        return done
    return render(request, "courses/plans/form.html", {"organisation": organisation, "form": form})


@org_access(*FILERS)
def plan_detail(request: AuthedRequest, organisation: Organisation, plan_id: int) -> HttpResponse:
    plan = get_plan_for_filer(organisation, plan_id)
    return render(
        request,
        "courses/plans/detail.html",
        {"organisation": organisation, "attachment_form": AttachmentForm(), **_plan_context(plan)},
    )


@org_access(*FILERS)
def plan_edit(request: AuthedRequest, organisation: Organisation, plan_id: int) -> HttpResponse:
    plan = get_plan_for_filer(organisation, plan_id)
    form = PlanForm(
        request.POST or None,
        filer=organisation,
        initial={"course": plan.course, "description": plan.description},
    )
    done = form_submit(
        request,
        form,
        lambda data: services.plan_update(actor=request.user, plan=plan, **data),
        success=_("Plan saved."),
        to=_plan_url(organisation, plan),
    )
    if done:
        return done
    return render(
        request,
        "courses/plans/form.html",
        {"organisation": organisation, "form": form, "plan": plan},
    )


@org_access(*FILERS)
@require_POST
def plan_submit(request: AuthedRequest, organisation: Organisation, plan_id: int) -> HttpResponse:
    plan = get_plan_for_filer(organisation, plan_id)
    return post_action(
        request,
        lambda: services.plan_submit(actor=request.user, plan=plan),
        success=lambda p: (
            _("The plan was sent to %(authority)s for review.")
            % {"authority": p.authority.name if p.authority else ""}
        ),
        to=_plan_url(organisation, plan),
    )


@org_access(*FILERS)
def plan_class_new(
    request: AuthedRequest, organisation: Organisation, plan_id: int
) -> HttpResponse:
    plan = get_plan_for_filer(organisation, plan_id)
    return _class_form(request, organisation, plan, None)


@org_access(*FILERS)
def plan_class_edit(
    request: AuthedRequest, organisation: Organisation, plan_id: int, plan_class_id: int
) -> HttpResponse:
    training_class = get_plan_class_for_filer(organisation, plan_id, plan_class_id)
    return _class_form(request, organisation, training_class.plan, training_class)


def _class_form(
    request: AuthedRequest, organisation: Organisation, plan: CoursePlan, training_class: Any
) -> HttpResponse:
    initial = ClassForm.initial_for(training_class) if training_class else None
    if training_class is None:
        initial = {"hours": plan.course.hours, "name": plan.course.name}
    form = ClassForm(request.POST or None, filer=organisation, initial=initial)
    done = form_submit(
        request,
        form,
        lambda data: services.plan_class_save(
            actor=request.user, plan=plan, training_class=training_class, **form.service_data()
        ),
        success=_("Class saved."),
        to=_plan_url(organisation, plan),
    )
    if done:
        return done
    return render(
        request,
        "courses/plans/class_form.html",
        {
            "organisation": organisation,
            "plan": plan,
            "training_class": training_class,
            "form": form,
        },
    )


@org_access(*FILERS)
@require_POST
def plan_class_remove(
    request: AuthedRequest, organisation: Organisation, plan_id: int, plan_class_id: int
) -> HttpResponse:
    training_class = get_plan_class_for_filer(organisation, plan_id, plan_class_id)
    plan = training_class.plan
    return post_action(
        request,
        lambda: services.plan_class_remove(actor=request.user, training_class=training_class),
        success=_("Class removed."),
        to=_plan_url(organisation, plan),
    )


@org_access(*FILERS)
@require_POST
def plan_attachment_add(
    request: AuthedRequest, organisation: Organisation, plan_id: int
) -> HttpResponse:
    plan = get_plan_for_filer(organisation, plan_id)
    form = AttachmentForm(request.POST, request.FILES)

    def call() -> object:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        return services.plan_attachment_add(
            actor=request.user, plan=plan, upload=form.cleaned_data["file"]
        )

    return post_action(request, call, success=_("File attached."), to=_plan_url(organisation, plan))


@org_access(*FILERS)
@require_POST
def plan_attachment_remove(
    request: AuthedRequest, organisation: Organisation, plan_id: int, plan_attachment_id: int
) -> HttpResponse:
    plan = get_plan_for_filer(organisation, plan_id)
    attachment = get_plan_attachment(organisation, plan.pk, plan_attachment_id)
    return post_action(
        request,
        lambda: services.plan_attachment_remove(actor=request.user, attachment=attachment),
        success=_("File removed."),
        to=_plan_url(organisation, plan),
    )


@org_access(*FILERS, HRSS)
def plan_attachment_download(
    request: AuthedRequest, organisation: Organisation, plan_id: int, plan_attachment_id: int
) -> HttpResponseBase:
    """A plan's file, for its filer, its reviewer and the HRSS office it is filed with."""
    attachment = get_plan_attachment(organisation, plan_id, plan_attachment_id)
    extension = (attachment.file.name or "").rsplit(".", 1)[-1].lower()
    return stored_file_response(
        attachment.file,
        filename=attachment.name,
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )


# --- Review (the authority of the filer's level; HRSS for a provincial authority's plan) -------


def _queue_url(organisation: Organisation, query: str = "") -> str:
    url = reverse("courses:plan_review_queue", kwargs={"organisation_id": organisation.pk})
    return f"{url}?{query}" if query else url


def _queue_page(
    request: AuthedRequest,
    organisation: Organisation,
    params: QueryDict,
    decision_form: PlanReviewForm | None = None,
) -> HttpResponse:
    form = PlanStatusFilterForm(params or None)
    status = form.status_value(default=ReviewStatus.PENDING) if params else ReviewStatus.PENDING
    query = params.copy()
    query.pop("page", None)
    page = paginate(request, selectors.review_queue(organisation, status=status))
    return render(
        request,
        "courses/plans/review_queue.html",
        {
            "organisation": organisation,
            "filter_form": form,
            "status": status,
            "query": query.urlencode(),
            "page": page,
            "decision_form": decision_form,
            "ticked": set(request.POST.getlist("plan_ids")) if decision_form else set(),
        },
    )


@org_access(*REVIEWERS, perm=REVIEW)
def plan_review_queue(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    return _queue_page(request, organisation, request.GET)


@org_access(*REVIEWERS, perm=REVIEW)
@require_POST
def plan_review_decide(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    """One decision over the ticked plans (batch review)."""
    form = PlanReviewForm(request.POST)
    query = request.POST.get("query", "")
    if not form.is_valid():
        return _queue_page(request, organisation, QueryDict(query), decision_form=form)
    data = form.cleaned_data
    try:
        result = services.plans_review(
            reviewer=request.user,
            reviewer_organisation=organisation,
            plan_ids=data["plan_ids"],
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


@org_access(*REVIEWERS, perm=REVIEW)
def plan_review_detail(
    request: AuthedRequest, organisation: Organisation, plan_id: int
) -> HttpResponse:
    plan = get_plan_for_reviewer(organisation, plan_id)
    form = DecisionForm(request.POST or None)

    def decide(data: dict[str, Any]) -> services.PlanReviewResult:
        result = services.plans_review(
            reviewer=request.user,
            reviewer_organisation=organisation,
            plan_ids=[plan.pk],
            decision=data["decision"],
            reason=data["reason"],
        )
        if not result.decided:
            raise ValidationError(_("This plan is no longer waiting for your review."))
        return result

    done = form_submit(
        request,
        form,
        decide,
        success=_("Decision saved for the plan."),
        to=_queue_url(organisation),
    )
    if done:
        return done
    return render(
        request,
        "courses/plans/review_detail.html",
        {"organisation": organisation, "form": form, **_plan_context(plan)},
    )


# --- Filed with HRSS (read only) ---------------------------------------------------------------


def _year(request: AuthedRequest) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 1990 <= int(raw) <= 2100 else None


@org_access(HRSS)
def filed_plan_list(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    year = _year(request)
    return render(
        request,
        "courses/plans/filed_list.html",
        {
            "organisation": organisation,
            "year": year,
            "query": f"year={year}" if year else "",
            "page": paginate(request, selectors.filed_plans(organisation, year=year)),
        },
    )


@org_access(HRSS)
def filed_plan_export(
    request: AuthedRequest, organisation: Organisation, fmt: str
) -> HttpResponseBase:
    return exports.export_response(
        rows=selectors.filed_plans(organisation, year=_year(request)),
        columns=PLAN_COLUMNS,
        fmt=fmt,
        filename=f"filed-plans-{organisation.pk}-{timezone.localdate():%Y%m%d}",
        title=_("Filed course plans"),
    )


@org_access(HRSS)
def filed_plan_detail(
    request: AuthedRequest, organisation: Organisation, plan_id: int
) -> HttpResponse:
    plan = get_plan_for_office(organisation, plan_id)
    return render(
        request,
        "courses/plans/filed_detail.html",
        {"organisation": organisation, **_plan_context(plan)},
    )

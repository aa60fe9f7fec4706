"""Subject guide pages: an authority drafts and publishes its guides; filers read the
published ones when they pick a course."""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.api import Organisation, org_access
from courses.forms.guides import GuideCourseForm, GuideFilterForm, GuideForm
from courses.models import GuideCourse, SubjectGuide
from courses.permissions import (
    get_guide_course_for_authority,
    get_guide_for_authority,
    get_published_guide,
)
from courses.selectors import guides as selectors
from courses.services import guides as services
from portal import exports
from portal.http import AuthedRequest
from portal.pagination import paginate
from portal.views import form_submit, post_action

AUTHORITY = Organisation.Kind.AUTHORITY
FILERS = (Organisation.Kind.INSTITUTION, Organisation.Kind.EMPLOYER, Organisation.Kind.AUTHORITY)

GUIDE_COURSE_COLUMNS: list[exports.Column[GuideCourse]] = [
    exports.Column(_lazy("Year"), lambda c: c.guide.year),
    exports.Column(_lazy("Series"), lambda c: c.guide.series.name),
    exports.Column(_lazy("Status"), lambda c: c.guide.get_status_display()),
    exports.Column(_lazy("Course name"), lambda c: c.name),
    exports.Column(_lazy("Course type"), lambda c: c.get_course_type_display()),
    exports.Column(_lazy("Hours"), lambda c: c.hours),
    exports.Column(_lazy("Description"), lambda c: c.description),
]


def _guide_url(organisation: Organisation, guide: SubjectGuide) -> str:
    return reverse(
        "courses:guide_detail", kwargs={"organisation_id": organisation.pk, "guide_id": guide.pk}
    )


@org_access(AUTHORITY)
def guide_list(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = GuideForm(request.POST or None, authority=organisation)
    done = form_submit(
        request,
        form,
        lambda data: services.guide_create(actor=request.user, authority=organisation, **data),
        success=_("The guide was created as a draft: add its courses, then publish it."),
        to=lambda guide: _guide_url(organisation, guide),
    )
    if done:
        return done
    return render(
        request,
        "courses/guides/list.html",
        {
            "organisation": organisation,
            "form": form,
            "page": paginate(request, selectors.authority_guides(organisation)),
        },
    )


@org_access(AUTHORITY)
def guide_export(request: AuthedRequest, organisation: Organisation, fmt: str) -> HttpResponseBase:
    return exports.export_response(
        rows=selectors.authority_guide_courses(organisation),
        columns=GUIDE_COURSE_COLUMNS,
        fmt=fmt,
        filename=f"guides-{organisation.pk}-{timezone.localdate():%Y%m%d}",
        title=_("Subject guides"),
    )


@org_access(AUTHORITY)
def guide_detail(request: AuthedRequest, organisation: Organisation, guide_id: int) -> HttpResponse:
    guide = get_guide_for_authority(organisation, guide_id)
    form = GuideCourseForm(request.POST or None)
    done = form_submit(
        request,
        form,
        lambda data: services.guide_course_add(actor=request.user, guide=guide, **data),
        success=_("Course added."),
        to=_guide_url(organisation, guide),
    )
    if done:
        return done
    return render(
        request,
        "courses/guides/detail.html",
        {
            "organisation": organisation,
            "guide": guide,
            "courses": guide.courses.all(),
            "form": form,
        },
    )


@org_access(AUTHORITY)
@require_POST
def guide_course_remove(
    request: AuthedRequest, organisation: Organisation, guide_id: int, guide_course_id: int
) -> HttpResponse:
    course = get_guide_course_for_authority(organisation, guide_id, guide_course_id)
    return post_action(
        request,
        lambda: services.guide_course_remove(actor=request.user, course=course),
        success=_("Course removed."),
        to=_guide_url(organisation, course.guide),
    )


@org_access(AUTHORITY)
@require_POST
def guide_publish(
    request: AuthedRequest, organisation: Organisation, guide_id: int
) -> HttpResponse:
    guide = get_guide_for_authority(organisation, guide_id)
    return post_action(
        request,
        lambda: services.guide_publish(actor=request.user, guide=guide),
        success=_("The guide is published: filers can now pick its courses."),
        to=_guide_url(organisation, guide),
    )


@org_access(*FILERS)
def published_guide_list(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = GuideFilterForm(request.GET or None)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "courses/guides/published_list.html",
        {
            "organisation": organisation,
            "filter_form": form,
            "query": query.urlencode(),
            "page": paginate(request, selectors.published_guides(organisation, **form.filters())),
        },
    )


@org_access(*FILERS)
def published_guide_detail(
    request: AuthedRequest, organisation: Organisation, guide_id: int
) -> HttpResponse:
    guide = get_published_guide(organisation, guide_id)
    return render(
        request,
        "courses/guides/published_detail.html",
        {"organisation": organisation, "guide": guide, "courses": guide.courses.all()},
    )

"""Instructors (师资) of institutions and employers: list, export, add, edit, enable,
disable, delete (004 institution #7, employer #6)."""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.api import Organisation, org_access
from courses.forms.orgs import InstructorForm, SearchForm
from courses.models import Instructor
from courses.permissions import get_own_instructor
from courses.selectors.instructors import instructors_of
from courses.services.instructors import (
    instructor_add,
    instructor_delete,
    instructor_edit,
    instructor_set_enabled,
)
from portal import exports
from portal.http import AuthedRequest
from portal.pagination import paginate
from portal.views import form_submit, post_action

OWNERS = (Organisation.Kind.INSTITUTION, Organisation.Kind.EMPLOYER)


def _list_url(organisation: Organisation) -> str:
    return reverse("courses:instructors", kwargs={"organisation_id": organisation.pk})


@org_access(*OWNERS)
def instructors(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = InstructorForm(request.POST or None)
    done = form_submit(
        request,
        form,
        lambda data: instructor_add(actor=request.user, owner=organisation, **data),
        success=lambda i: _("%(name)s added.") % {"name": i.name},
        to=_list_url(organisation),
    )
    if done:
        return done
    search_form = SearchForm(request.GET or None)
    search = search_form.search()
    return render(
        request,
        "courses/instructors/list.html",
        {
            "organisation": organisation,
            "form": form,
            "search_form": search_form,
            "query": urlencode({"q": search}) if search else "",
            "page": paginate(request, instructors_of(organisation.pk, search=search)),
        },
    )


INSTRUCTOR_COLUMNS: list[exports.Column[Instructor]] = [
    exports.Column(_lazy("Name"), lambda i: i.name),
    exports.Column(_lazy("Professional title"), lambda i: i.title),
    exports.Column(_lazy("Specialty"), lambda i: i.specialty),
    exports.Column(_lazy("Phone"), lambda i: i.phone),
    exports.Column(_lazy("Status"), lambda i: _("Enabled") if i.enabled else _("Disabled")),
]


@org_access(*OWNERS)
def instructors_export(
    request: AuthedRequest, organisation: Organisation, fmt: str
) -> HttpResponseBase:
    """The instructor list as shown (search applied), every matching row."""
    search = SearchForm(request.GET or None).search()
    return exports.export_response(
        rows=instructors_of(organisation.pk, search=search),
        columns=INSTRUCTOR_COLUMNS,
        fmt=fmt,
        filename=f"instructors-{organisation.pk}-{timezone.localdate():%Y%m%d}",
        title=_("Instructors"),
    )


@org_access(*OWNERS)
def instructor_edit_view(
    request: AuthedRequest, organisation: Organisation, instructor_id: int
) -> HttpResponse:
    instructor = get_own_instructor(organisation, instructor_id)
    form = InstructorForm(
        request.POST or None,
        initial={f: getattr(instructor, f) for f in ("name", "title", "specialty", "phone")},
    )
    done = form_submit(
        request,
        form,
        lambda data: instructor_edit(actor=request.user, instructor=instructor, **data),
        success=_("Instructor saved."),
        to=_list_url(organisation),
    )
    if done:
        return done
    return render(
        request,
        "courses/instructors/form.html",
        {
            "organisation": organisation,
            "form": form,
            "instructor": instructor,
            "back": _list_url(organisation),
        },
    )


@org_access(*OWNERS)
@require_POST
def instructor_toggle(
    request: AuthedRequest, organisation: Organisation, instructor_id: int
) -> HttpResponse:
    """Enable or disable (``enabled=1`` or ``0`` in the POST)."""
    instructor = get_own_instructor(organisation, instructor_id)
    enabled = request.POST.get("enabled") == "1"
    return post_action(
        request,
        lambda: instructor_set_enabled(actor=request.user, instructor=instructor, enabled=enabled),
        success=(_("%(name)s enabled.") if enabled else _("%(name)s disabled."))
        % {"name": instructor.name},
        to=_list_url(organisation),
    )


@org_access(*OWNERS)
def instructor_delete_view(
    request: AuthedRequest, organisation: Organisation, instructor_id: int
) -> HttpResponse:
    """A confirmation page; the POST deletes (refused for one who taught a class)."""
    instructor = get_own_instructor(organisation, instructor_id)
    if request.method == "POST":
        return post_action(
            request,
            lambda: instructor_delete(actor=request.user, instructor=instructor),
            success=_("%(name)s deleted.") % {"name": instructor.name},
            to=_list_url(organisation),
        )
    return render(
        request,
        "courses/instructors/delete.html",
        {
            "organisation": organisation,
            "instructor": instructor,
            "taught": instructor.classes.count(),
            "back": _list_url(organisation),
        },
    )

"""培训开班信息查询 (the public class search, no login), a class's public page, and the
person's side of enrolment (004 person #7): enrol, my enrolments, withdraw."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.api import PERSON_ONLY, PUBLIC, Person, access, get_person_for_user
from courses.forms.classes import ClassSearchForm
from courses.permissions import get_own_enrolment, get_public_class
from courses.selectors import classes as selectors
from courses.services.enrolments import enrolment_create, enrolment_withdraw
from portal.http import AuthedRequest
from portal.pagination import paginate
from portal.views import post_action


def _person_or_none(request: HttpRequest) -> Person | None:
    user = request.user
    if user.is_authenticated and hasattr(user, "person"):
        person: Person = user.person
        return person
    return None


@access(PUBLIC)
def class_search(request: HttpRequest) -> HttpResponse:
    form = ClassSearchForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    page = paginate(request, selectors.public_classes(**filters))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "courses/classes/search.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "mine": selectors.person_enrolled_class_ids(_person_or_none(request)),
            "is_person": _person_or_none(request) is not None,
        },
    )


@access(PUBLIC)
def class_public_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    training_class = get_public_class(class_id)
    person = _person_or_none(request)
    return render(
        request,
        "courses/classes/public_detail.html",
        {
            "c": training_class,
            "is_person": person is not None,
            "enrolled": training_class.pk in selectors.person_enrolled_class_ids(person),
        },
    )


@access(PERSON_ONLY)
@require_POST
def class_enrol(request: AuthedRequest, class_id: int) -> HttpResponse:
    """POST only: enrol the logged-in person; back to where they came from (``next``, a
    site path) or to their enrolments."""
    training_class = get_public_class(class_id)
    person = get_person_for_user(request.user)
    back = request.POST.get("next", "")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("courses:class_public_detail", kwargs={"class_id": class_id})
    return post_action(
        request,
        lambda: enrolment_create(training_class=training_class, person=person, user=request.user),
        success=lambda e: (
            _("You enrolled in “%(name)s”. The institution will accept your enrolment.")
            % {"name": training_class.name}
        ),
        to=reverse("courses:my_enrolments"),
        failure_to=back,
    )


@access(PERSON_ONLY)
def my_enrolments(request: AuthedRequest) -> HttpResponse:
    person = get_person_for_user(request.user)
    page = paginate(request, selectors.person_enrolments(person))
    return render(request, "courses/classes/my_enrolments.html", {"page": page})


@access(PERSON_ONLY)
@require_POST
def enrolment_cancel_own(request: AuthedRequest, enrolment_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    enrolment = get_own_enrolment(person, enrolment_id)
    return post_action(
        request,
        lambda: enrolment_withdraw(enrolment=enrolment, person=person, user=request.user),
        success=_("Your enrolment is cancelled."),
        to=reverse("courses:my_enrolments"),
    )

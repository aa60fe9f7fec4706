"""Online public-subject study pages: the person's catalogue, course, timed lessons and exam;
HRSS's public subjects.  Views parse → authorise (accounts.api policies and
courses.permissions_online look-ups) → call one service → render."""

from __future__ import annotations

import math

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.api import PERSON_ONLY, Organisation, access, get_person_for_user, org_access
from courses.forms.online import AnswersForm, SubjectForm, YearForm
from courses.permissions_online import (
    get_attempt_of,
    get_lesson_of,
    get_own_enrolment,
    get_published_course,
    get_subject_of_office,
)
from courses.selectors import online as selectors
from courses.services import online as services
from credits import api as credits_api
from portal.forms import apply_service_error
from portal.http import AuthedRequest, stored_file_response
from portal.views import form_submit, post_action


def _study_url(online_enrolment_id: int) -> str:
    return reverse("courses:online_study", args=[online_enrolment_id])


@access(PERSON_ONLY)
def online_courses(request: AuthedRequest) -> HttpResponse:
    person = get_person_for_user(request.user)
    enrolments = list(selectors.person_enrolments(person))
    enrolled = {e.course_id: e for e in enrolments}
    return render(
        request,
        "courses/online/courses.html",
        {
            "courses": [(c, enrolled.get(c.pk)) for c in selectors.published_courses()],
            "enrolments": enrolments,
        },
    )


@access(PERSON_ONLY)
def online_course(request: AuthedRequest, course_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    course = get_published_course(course_id)
    enrolment = person.online_enrolments.filter(course=course).first()
    if enrolment is not None:
        return redirect(_study_url(enrolment.pk))
    years = services.course_years(course)
    form = YearForm(request.POST or None, years=years)
    done = form_submit(
        request,
        form,
        lambda data: services.enrolment_create(person=person, course=course, year=data["year"]),
        success=_(
            "You can start studying. The course year can change until the course is complete."
        ),
        to=lambda enrolment: _study_url(enrolment.pk),
    )
    if done is not None:
        return done
    return render(
        request,
        "courses/online/course.html",
        {
            "course": course,
            "form": form,
            "lessons": course.lessons.order_by("position", "pk"),
            "windows": [(y, credits_api.year_windows(y).public) for y in years],
        },
    )


@access(PERSON_ONLY)
def online_study(request: AuthedRequest, online_enrolment_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    enrolment = get_own_enrolment(person, online_enrolment_id)
    lessons = selectors.enrolment_lessons(enrolment)
    return render(
        request,
        "courses/online/study.html",
        {
            "enrolment": enrolment,
            "course": enrolment.course,
            "lessons": lessons,
            "all_done": bool(lessons) and all(row.complete for row in lessons),
            "attempts": selectors.enrolment_attempts(enrolment),
            "year_form": YearForm(
                initial={"year": enrolment.year}, years=services.course_years(enrolment.course)
            ),
            "window": credits_api.year_windows(enrolment.year).public,
            "today": timezone.localdate(),
        },
    )


@access(PERSON_ONLY)
@require_POST
def online_year(request: AuthedRequest, online_enrolment_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    enrolment = get_own_enrolment(person, online_enrolment_id)
    form = YearForm(request.POST, years=services.course_years(enrolment.course))

    def call() -> object:
        if not form.is_valid():
            raise ValidationError(_("Choose one of the course's years."))
        return services.enrolment_year_change(
            person=person, enrolment=enrolment, year=form.cleaned_data["year"]
        )

    return post_action(
        request, call, success=_("The course year was changed."), to=_study_url(enrolment.pk)
    )


@access(PERSON_ONLY)
def online_lesson(request: AuthedRequest, online_enrolment_id: int, lesson_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    enrolment = get_own_enrolment(person, online_enrolment_id)
    lesson = get_lesson_of(enrolment, lesson_id)
    questions = selectors.lesson_questions(lesson)
    form = AnswersForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.lesson_answer(
                person=person, enrolment=enrolment, lesson=lesson, answers=form.answers()
            )
        except ValidationError as exc:
            apply_service_error(form, exc)
        else:
            if result.wrong:
                messages.error(request, _("Some answers are wrong: try them again."))
            else:
                messages.success(request, _("Your answers are correct."))
            return redirect(request.path)
    progress = selectors.lesson_progress(enrolment, lesson)
    answered = set(progress.answered) if progress else set()
    return render(
        request,
        "courses/online/lesson.html",
        {
            "enrolment": enrolment,
            "lesson": lesson,
            "form": form,
            "open_questions": [q for q in questions if q.pk not in answered],
            "answered_count": len(answered),
            "progress": progress,
            "credited": (progress.credited_ms // 1000) if progress else 0,
        },
    )


def _state_json(state: services.StudyState) -> JsonResponse:
    return JsonResponse(
        {
            "token": state.token,
            "credited": state.credited_seconds,
            "duration": state.duration_seconds,
            "complete": state.lesson_complete,
            "course_lessons_complete": state.course_lessons_complete,
        }
    )


@access(PERSON_ONLY)
@require_POST
def online_lesson_start(
    request: AuthedRequest, online_enrolment_id: int, lesson_id: int
) -> HttpResponseBase:
    person = get_person_for_user(request.user)
    enrolment = get_own_enrolment(person, online_enrolment_id)
    lesson = get_lesson_of(enrolment, lesson_id)
    try:
        state = services.lesson_start(person=person, enrolment=enrolment, lesson=lesson)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages), "code": exc.code}, status=409)
    return _state_json(state)


@access(PERSON_ONLY)
@require_POST
def online_lesson_beat(
    request: AuthedRequest, online_enrolment_id: int, lesson_id: int
) -> HttpResponseBase:
    person = get_person_for_user(request.user)
    enrolment = get_own_enrolment(person, online_enrolment_id)
    lesson = get_lesson_of(enrolment, lesson_id)
    try:
        position = float(request.POST.get("position", ""))
    except ValueError:
        position = math.nan
    if not math.isfinite(position) or position < 0:
        return JsonResponse({"error": _("Send the player's position in seconds.")}, status=400)
    try:
        state = services.lesson_beat(
            person=person,
            enrolment=enrolment,
            lesson=lesson,
            token=request.POST.get("token", ""),
            position=position,
        )
    except ValidationError as exc:
        progress = selectors.lesson_progress(enrolment, lesson)
        return JsonResponse(
            {
                "error": " ".join(exc.messages),
                "code": exc.code,
                "credited": (progress.credited_ms / 1000) if progress else 0,
            },
            status=409,
        )
    return _state_json(state)


@access(PERSON_ONLY)
def online_lesson_video(
    request: AuthedRequest, online_enrolment_id: int, lesson_id: int
) -> HttpResponseBase:
    person = get_person_for_user(request.user)
    enrolment = get_own_enrolment(person, online_enrolment_id)
    lesson = get_lesson_of(enrolment, lesson_id)
    return stored_file_response(
        lesson.video,
        filename=f"lesson-{lesson.pk}.{str(lesson.video.name).rsplit('.', 1)[-1]}",
        content_type=lesson.video_content_type,
        as_attachment=False,
    )


@access(PERSON_ONLY)
@require_POST
def online_exam_start(request: AuthedRequest, online_enrolment_id: int) -> HttpResponse:
    person = get_person_for_user(request.user)
    enrolment = get_own_enrolment(person, online_enrolment_id)
    try:
        attempt = services.exam_start(person=person, enrolment=enrolment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_study_url(enrolment.pk))
    return redirect(
        "courses:online_attempt", online_enrolment_id=enrolment.pk, attempt_id=attempt.pk
    )


@access(PERSON_ONLY)
def online_attempt(
    request: AuthedRequest, online_enrolment_id: int, attempt_id: int
) -> HttpResponse:
    person = get_person_for_user(request.user)
    enrolment = get_own_enrolment(person, online_enrolment_id)
    attempt = get_attempt_of(enrolment, attempt_id)
    questions = selectors.attempt_questions(attempt)
    form = AnswersForm(request.POST or None, questions=questions)
    if request.method == "POST" and attempt.is_open and form.is_valid():
        try:
            graded = services.exam_submit(person=person, attempt=attempt, answers=form.answers())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_study_url(enrolment.pk))
        if graded.passed:
            messages.success(
                request,
                _(
                    "You passed with %(score)d%%. The public record of %(year)d was created "
                    "and certified automatically."
                )
                % {"score": graded.score, "year": enrolment.year},
            )
        else:
            messages.error(
                request,
                _(
                    "You scored %(score)d%%; the pass mark is %(mark)d%%. "
                    "You can take the exam again."
                )
                % {"score": graded.score, "mark": enrolment.course.pass_mark},
            )
        return redirect(_study_url(enrolment.pk))
    return render(
        request,
        "courses/online/attempt.html",
        {"enrolment": enrolment, "attempt": attempt, "form": form},
    )


# --- HRSS ------------------------------------------------------------------------------------


@org_access(Organisation.Kind.HRSS)
def public_subjects(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    form = SubjectForm(request.POST or None)
    done = form_submit(
        request,
        form,
        lambda data: services.subject_create(actor=request.user, office=organisation, **data),
        success=_("The public subject was saved."),
        to=reverse("courses:public_subjects", args=[organisation.pk]),
    )
    if done is not None:
        return done
    return render(
        request,
        "courses/online/subjects.html",
        {
            "organisation": organisation,
            "form": form,
            "subjects": selectors.office_subjects(organisation),
        },
    )


@org_access(Organisation.Kind.HRSS)
@require_POST
def public_subject_publish(
    request: AuthedRequest, organisation: Organisation, subject_id: int
) -> HttpResponse:
    subject = get_subject_of_office(organisation, subject_id)
    publish = request.POST.get("published") == "1"
    return post_action(
        request,
        lambda: services.subject_publish(
            actor=request.user, office=organisation, subject=subject, published=publish
        ),
        success=_("The public subject was published.")
        if publish
        else _("The public subject was withdrawn."),
        to=reverse("courses:public_subjects", args=[organisation.pk]),
    )

"""Object look-ups of online study for the logged-in user: not found and not theirs both
end in 404 here (a person sees only their own enrolments, attempts and progress)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.api import Organisation, Person
from courses.models_online import ExamAttempt, Lesson, OnlineCourse, OnlineEnrolment, PublicSubject


def get_published_course(course_id: int) -> OnlineCourse:
    """A published course (the catalogue every person may open)."""
    return get_object_or_404(OnlineCourse, pk=course_id, published=True)


def get_own_enrolment(person: Person, enrolment_id: int) -> OnlineEnrolment:
    return get_object_or_404(
        OnlineEnrolment.objects.select_related("course"), pk=enrolment_id, person=person
    )


def get_lesson_of(enrolment: OnlineEnrolment, lesson_id: int) -> Lesson:
    return get_object_or_404(Lesson, pk=lesson_id, course_id=enrolment.course_id)


def get_attempt_of(enrolment: OnlineEnrolment, attempt_id: int) -> ExamAttempt:
    return get_object_or_404(ExamAttempt, pk=attempt_id, enrolment=enrolment)


def get_subject_of_office(office: Organisation, subject_id: int) -> PublicSubject:
    return get_object_or_404(PublicSubject, pk=subject_id, office=office)

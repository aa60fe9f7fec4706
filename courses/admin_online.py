"""Admin of online public-subject study: HRSS staff keep the subjects, courses, lessons (a
video and its duration), in-lesson questions and the exam bank here.  Enrolments, progress
and attempts are read-only: they change only through the services (timing on the server)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from courses.models_online import (
    ExamAttempt,
    Lesson,
    OnlineCourse,
    OnlineEnrolment,
    PublicSubject,
    Question,
)


@admin.register(PublicSubject)
class PublicSubjectAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "hours", "published", "office"]
    list_filter = ["year", "published"]
    search_fields = ["title"]


class LessonInline(admin.TabularInline):
    model = Lesson
    extra = 0


@admin.register(OnlineCourse)
class OnlineCourseAdmin(admin.ModelAdmin):
    list_display = ["title", "hours", "pass_mark", "exam_size", "published"]
    list_filter = ["published"]
    filter_horizontal = ["subjects"]
    inlines = [LessonInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "course", "lesson", "answer"]
    list_filter = ["course"]
    list_select_related = ["course", "lesson"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OnlineEnrolment)
class EnrolmentAdmin(_ReadOnly):
    list_display = ["person", "course", "year", "completed_at", "record_id"]
    list_select_related = ["person", "course"]


@admin.register(ExamAttempt)
class ExamAttemptAdmin(_ReadOnly):
    list_display = ["enrolment", "number", "score", "passed", "submitted_at"]
    list_select_related = ["enrolment__course"]

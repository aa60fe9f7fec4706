"""Online public-subject study (公需课学习平台, 004 Q&A person #8).

HRSS publishes each year's public subjects (``PublicSubject``); an ``OnlineCourse`` counts for
the years of the subjects it belongs to and holds ``Lesson``s (a video of a known duration,
with in-lesson ``Question``s) and an exam bank (questions without a lesson).  A person's
``OnlineEnrolment`` names the course year they chose; ``LessonProgress`` keeps the seconds the
server credited; ``StudySession`` is the person's one active lesson session (only its newest
token earns time); ``ExamAttempt`` is one drawn exam, graded on the server.

The timing rules are in ``courses.services.online`` and decision 0015.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def lesson_video_upload_to(instance: Lesson, filename: str) -> str:
    """A random storage name keeping only a known video extension."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ("webm", "mp4"):
        extension = "webm"
    return f"lessons/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"


class PublicSubject(models.Model):
    """One of a year's public subjects (公需科目) HRSS publishes, with its hours."""

    office = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("HRSS office"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("topic"), max_length=120)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("public subject")
        verbose_name_plural = _("public subjects")
        constraints = [
            models.UniqueConstraint(fields=["year", "title"], name="courses_subject_once"),
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="courses_subject_hours_positive",
                violation_error_message=_("Hours must be greater than 0."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class OnlineCourse(models.Model):
    """An online public course; it counts for the year of each subject it belongs to."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    subjects = models.ManyToManyField(
        PublicSubject, related_name="courses", verbose_name=_("public subjects")
    )
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=60, help_text=_("Percentage of correct answers to pass.")
    )
    exam_size = models.PositiveSmallIntegerField(
        _("questions per exam"),
        default=5,
        help_text=_("Each attempt draws this many questions from the course's exam bank."),
    )
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("online course")
        verbose_name_plural = _("online courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="courses_online_hours_positive",
                violation_error_message=_("Hours must be greater than 0."),
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1) & Q(pass_mark__lte=100),
                name="courses_online_pass_mark_range",
                violation_error_message=_("The pass mark is a percentage from 1 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(exam_size__gte=1),
                name="courses_online_exam_size_positive",
                violation_error_message=_("An exam has at least one question."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    """One video lesson; it counts as studied once the server credited its whole duration
    and every in-lesson question was answered correctly."""

    course = models.ForeignKey(
        OnlineCourse, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("course")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=120)
    video = models.FileField(_("video"), upload_to=lesson_video_upload_to, max_length=200)
    duration_seconds = models.PositiveIntegerField(
        _("duration (seconds)"), help_text=_("The video's length: the least study time credited.")
    )

    class Meta:
        ordering = ["course", "position", "pk"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="courses_lesson_position"),
            models.CheckConstraint(
                condition=Q(duration_seconds__gte=1),
                name="courses_lesson_duration_positive",
                violation_error_message=_("A lesson lasts at least one second."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def video_content_type(self) -> str:
        return "video/mp4" if str(self.video.name).endswith(".mp4") else "video/webm"


class Question(models.Model):
    """A single-choice question: in a lesson (课间问答) or, without one, in the course's exam
    bank (课后作业)."""

    course = models.ForeignKey(
        OnlineCourse, on_delete=models.CASCADE, related_name="questions", verbose_name=_("course")
    )
    lesson = models.ForeignKey(
        Lesson,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("lesson"),
        help_text=_("Blank: a question of the exam bank."),
    )
    text = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("choices"), help_text=_("A list of answer texts."))
    answer = models.PositiveSmallIntegerField(
        _("correct choice"), help_text=_("Position of the correct answer, from 0.")
    )

    class Meta:
        ordering = ["course", "lesson", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text


class OnlineEnrolment(models.Model):
    """A person studying a course for the year they chose; the year locks on completion."""

    person = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        related_name="online_enrolments",
        verbose_name=_("person"),
    )
    course = models.ForeignKey(
        OnlineCourse,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("course"),
    )
    year = models.PositiveSmallIntegerField(_("course year"))
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # The approved public record the passed exam created (credits.api.public_course_record).
    record_id = models.BigIntegerField(_("record"), null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("online enrolment")
        verbose_name_plural = _("online enrolments")
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], name="courses_enrolment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.course} ({self.year})"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class LessonProgress(models.Model):
    """The study time the server credited to one lesson of an enrolment."""

    enrolment = models.ForeignKey(
        OnlineEnrolment,
        on_delete=models.CASCADE,
        related_name="progress",
        verbose_name=_("enrolment"),
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="+", verbose_name=_("lesson")
    )
    credited_ms = models.PositiveBigIntegerField(_("credited milliseconds"), default=0)
    answered = models.JSONField(_("questions answered correctly"), default=list)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["enrolment", "lesson"]
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson"], name="courses_progress_once_per_lesson"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesson}: {self.credited_ms / 1000:.0f} s"


class StudySession(models.Model):
    """The person's one active lesson session: starting a lesson anywhere replaces the token,
    and only heartbeats carrying the newest token earn time (parallel tabs earn nothing)."""

    person = models.OneToOneField(
        "accounts.Person",
        on_delete=models.CASCADE,
        related_name="online_session",
        verbose_name=_("person"),
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, related_name="+", verbose_name=_("lesson")
    )
    enrolment = models.ForeignKey(
        OnlineEnrolment, on_delete=models.CASCADE, related_name="+", verbose_name=_("enrolment")
    )
    token = models.UUIDField(_("token"), default=uuid.uuid4)
    started_at = models.DateTimeField(_("started at"))
    last_beat_at = models.DateTimeField(_("last accepted heartbeat"))

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_beat_at__gte=F("started_at")),
                name="courses_session_beat_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.lesson_id}"


class ExamAttempt(models.Model):
    """One exam: questions drawn from the bank when it starts, graded when submitted."""

    enrolment = models.ForeignKey(
        OnlineEnrolment,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("enrolment"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    question_ids = models.JSONField(_("questions"), default=list)
    started_at = models.DateTimeField(_("started at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    correct = models.PositiveSmallIntegerField(_("correct answers"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        ordering = ["enrolment", "-number"]
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "number"], name="courses_attempt_number"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


__all__ = [
    "ExamAttempt",
    "Lesson",
    "LessonProgress",
    "OnlineCourse",
    "OnlineEnrolment",
    "PublicSubject",
    "Question",
    "StudySession",
]

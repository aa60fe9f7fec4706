"""Models of the courses app (the issue that builds this app adds them)."""

# Online public-subject study (issue 9, person #8): kept in its own module.
from courses.models_online import (  # noqa: F401
    Enrolment,
    ExamAttempt,
    Lesson,
    LessonProgress,
    OnlineCourse,
    PublicSubject,
    Question,
    StudySession,
)

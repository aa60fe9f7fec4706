from django.urls import path

from courses.views import online

app_name = "courses"

# online public-subject study
online_study = "me/online/study/<int:enrolment_id>/"
online_lesson = online_study + "lessons/<int:lesson_id>/"
urlpatterns = [
    path("me/online/", online.online_courses, name="online_courses"),
    path("me/online/courses/<int:course_id>/", online.online_course, name="online_course"),
    path(online_study, online.online_study, name="online_study"),
    path(online_study + "year/", online.online_year, name="online_year"),
    path(online_lesson, online.online_lesson, name="online_lesson"),
    path(online_lesson + "start/", online.online_lesson_start, name="online_lesson_start"),
    path(online_lesson + "beat/", online.online_lesson_beat, name="online_lesson_beat"),
    path(online_lesson + "video", online.online_lesson_video, name="online_lesson_video"),
    path(online_study + "exam/", online.online_exam_start, name="online_exam_start"),
    path(online_study + "exam/<int:attempt_id>/", online.online_attempt, name="online_attempt"),
    path(
        "orgs/<int:organisation_id>/public-subjects/",
        online.public_subjects,
        name="public_subjects",
    ),
    path(
        "orgs/<int:organisation_id>/public-subjects/<int:subject_id>/publish/",
        online.public_subject_publish,
        name="public_subject_publish",
    ),
]
# end of online public-subject study

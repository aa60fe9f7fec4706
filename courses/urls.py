"""The courses app's URLs (namespace "courses"). Each part of issue 9 keeps its patterns in its
own block."""

from django.urls import URLPattern, path

from accounts.api import PUBLIC, access
from courses.apis.classes import ClassListApi
from courses.views import (
    classes,
    guides,
    institutions,
    instructors,
    integrity,
    online,
    plans,
    public,
    qualifications,
)

app_name = "courses"

org = "orgs/<int:organisation_id>/"

urlpatterns: list[URLPattern] = []

# classes and enrolment
org_class = org + "classes/<int:class_id>/"
urlpatterns += [
    path("classes/", public.class_search, name="class_search"),
    path("classes/<int:class_id>/", public.class_public_detail, name="class_public_detail"),
    path("classes/<int:class_id>/enrol/", public.class_enrol, name="class_enrol"),
    path("api/v1/classes/", access(PUBLIC)(ClassListApi.as_view()), name="api_classes"),
    path("me/enrolments/", public.my_enrolments, name="my_enrolments"),
    path(
        "me/enrolments/<int:enrolment_id>/cancel/",
        public.enrolment_cancel_own,
        name="enrolment_cancel",
    ),
    path(org + "classes/", classes.org_classes, name="org_classes"),
    path(org_class, classes.org_class, name="org_class"),
    path(org_class + "status/", classes.org_class_status, name="org_class_status"),
    path(org_class + "close/", classes.org_class_close, name="org_class_close"),
    path(org_class + "close/retry/", classes.org_class_close_retry, name="org_class_close_retry"),
    path(
        org_class + "enrolments/decide/",
        classes.org_enrolments_decide,
        name="org_enrolments_decide",
    ),
    path(org_class + "results/", classes.org_results_save, name="org_results_save"),
    path(org_class + "results/upload/", classes.org_results_upload, name="org_results_upload"),
    path(
        org_class + "results/template.csv",
        classes.org_results_template,
        {"fmt": "csv"},
        name="org_results_template_csv",
    ),
    path(
        org_class + "results/template.xlsx",
        classes.org_results_template,
        {"fmt": "xlsx"},
        name="org_results_template_xlsx",
    ),
]
# end classes and enrolment

urlpatterns += [
    # institutions, qualifications, instructors, integrity
    path("institutions/", institutions.public_institutions, name="public_institutions"),
    path("integrity/", integrity.public_violations, name="public_violations"),
    path("me/integrity/", integrity.my_integrity, name="my_integrity"),
    path(org + "qualifications/", qualifications.qualifications, name="qualifications"),
    path(
        org + "qualifications/<int:qualification_id>/resubmit/",
        qualifications.qualification_resubmit_view,
        name="qualification_resubmit",
    ),
    path(
        org + "qualifications/<int:qualification_id>/files/<int:attachment_id>/",
        qualifications.qualification_attachment,
        name="qualification_attachment",
    ),
    path(
        org + "qualification-reviews/",
        qualifications.qualification_queue,
        name="qualification_queue",
    ),
    path(
        org + "qualification-reviews/decide/",
        qualifications.qualification_decide,
        name="qualification_decide",
    ),
    path(
        org + "qualification-reviews/<int:qualification_id>/",
        qualifications.qualification_review_detail,
        name="qualification_review_detail",
    ),
    path(org + "instructors/", instructors.instructors, name="instructors"),
    path(
        org + "instructors/export.csv",
        instructors.instructors_export,
        {"fmt": "csv"},
        name="instructors_export_csv",
    ),
    path(
        org + "instructors/export.xlsx",
        instructors.instructors_export,
        {"fmt": "xlsx"},
        name="instructors_export_xlsx",
    ),
    path(
        org + "instructors/<int:instructor_id>/edit/",
        instructors.instructor_edit_view,
        name="instructor_edit",
    ),
    path(
        org + "instructors/<int:instructor_id>/enabled/",
        instructors.instructor_toggle,
        name="instructor_toggle",
    ),
    path(
        org + "instructors/<int:instructor_id>/delete/",
        instructors.instructor_delete_view,
        name="instructor_delete",
    ),
    path(org + "integrity/", integrity.org_integrity, name="org_integrity"),
    path(org + "violations/", integrity.violations, name="violations"),
    path(
        org + "violations/<int:violation_id>/clear/",
        integrity.violation_clear_view,
        name="violation_clear",
    ),
    path(
        org + "violations/<int:violation_id>/evidence/",
        integrity.violation_evidence,
        name="violation_evidence",
    ),
    # end institutions, qualifications, instructors, integrity
]

urlpatterns += [
    # subject guides and course plans
    path(org + "guides/", guides.guide_list, name="guide_list"),
    path(org + "guides/export.csv", guides.guide_export, {"fmt": "csv"}, name="guide_export_csv"),
    path(
        org + "guides/export.xlsx", guides.guide_export, {"fmt": "xlsx"}, name="guide_export_xlsx"
    ),
    path(org + "guides/<int:guide_id>/", guides.guide_detail, name="guide_detail"),
    path(org + "guides/<int:guide_id>/publish/", guides.guide_publish, name="guide_publish"),
    path(
        org + "guides/<int:guide_id>/courses/<int:guide_course_id>/remove/",
        guides.guide_course_remove,
        name="guide_course_remove",
    ),
    path(org + "published-guides/", guides.published_guide_list, name="published_guide_list"),
    path(
        org + "published-guides/<int:guide_id>/",
        guides.published_guide_detail,
        name="published_guide_detail",
    ),
    path(org + "plans/", plans.plan_list, name="plan_list"),
    path(org + "plans/export.csv", plans.plan_export, {"fmt": "csv"}, name="plan_export_csv"),
    path(org + "plans/export.xlsx", plans.plan_export, {"fmt": "xlsx"}, name="plan_export_xlsx"),
    path(org + "plans/new/", plans.plan_new, name="plan_new"),
    path(org + "plans/<int:plan_id>/", plans.plan_detail, name="plan_detail"),
    path(org + "plans/<int:plan_id>/edit/", plans.plan_edit, name="plan_edit"),
    path(org + "plans/<int:plan_id>/submit/", plans.plan_submit, name="plan_submit"),
    path(org + "plans/<int:plan_id>/classes/new/", plans.plan_class_new, name="plan_class_new"),
    path(
        org + "plans/<int:plan_id>/classes/<int:plan_class_id>/",
        plans.plan_class_edit,
        name="plan_class_edit",
    ),
    path(
        org + "plans/<int:plan_id>/classes/<int:plan_class_id>/remove/",
        plans.plan_class_remove,
        name="plan_class_remove",
    ),
    path(
        org + "plans/<int:plan_id>/attachments/",
        plans.plan_attachment_add,
        name="plan_attachment_add",
    ),
    path(
        org + "plans/<int:plan_id>/attachments/<int:plan_attachment_id>/",
        plans.plan_attachment_download,
        name="plan_attachment_download",
    ),
    path(
        org + "plans/<int:plan_id>/attachments/<int:plan_attachment_id>/remove/",
        plans.plan_attachment_remove,
        name="plan_attachment_remove",
    ),
    path(org + "plan-reviews/", plans.plan_review_queue, name="plan_review_queue"),
    path(org + "plan-reviews/decide/", plans.plan_review_decide, name="plan_review_decide"),
    path(org + "plan-reviews/<int:plan_id>/", plans.plan_review_detail, name="plan_review_detail"),
    path(org + "filed-plans/", plans.filed_plan_list, name="filed_plan_list"),
    path(
        org + "filed-plans/export.csv",
        plans.filed_plan_export,
        {"fmt": "csv"},
        name="filed_plan_export_csv",
    ),
    path(
        org + "filed-plans/export.xlsx",
        plans.filed_plan_export,
        {"fmt": "xlsx"},
        name="filed_plan_export_xlsx",
    ),
    path(org + "filed-plans/<int:plan_id>/", plans.filed_plan_detail, name="filed_plan_detail"),
    # end: subject guides and course plans
]

# online public-subject study
online_study = "me/online/study/<int:online_enrolment_id>/"
online_lesson = online_study + "lessons/<int:lesson_id>/"
urlpatterns += [
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

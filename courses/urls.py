"""The courses app's URLs (namespace "courses"). Each part of issue 9 keeps its patterns in its
own block."""

from django.urls import URLPattern, path

from accounts.api import PUBLIC, access
from courses.apis.classes import ClassListApi
from courses.views import classes, institutions, instructors, integrity, public, qualifications

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

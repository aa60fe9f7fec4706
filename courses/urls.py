"""URLs of the courses app (namespace "courses"); each part keeps its patterns in one block."""

from django.urls import path

from courses.views import institutions, instructors, integrity, qualifications

app_name = "courses"

org = "orgs/<int:organisation_id>/"

urlpatterns = [
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

"""The credits app's URLs: the compliance API, the person's pages (records, declaration, yearly
progress), and the employer review queue and HRSS recheck pages."""

from django.urls import URLPattern, path

from accounts.api import PUBLIC, access
from credits.apis.compliance import ComplianceEvaluateApi
from credits.views import entry as entry_views
from credits.views import person, review

app_name = "credits"

org = "orgs/<int:organisation_id>/"
entry = org + "entry/"

urlpatterns: list[URLPattern] = [
    path(
        "api/v1/compliance/evaluate",
        access(PUBLIC)(ComplianceEvaluateApi.as_view()),
        name="compliance_evaluate",
    ),
    # The person's pages.
    path("me/records/", person.my_records, name="my_records"),
    path("me/records/new/", person.record_new, name="record_new"),
    path("me/records/<int:record_id>/", person.record_detail, name="record_detail"),
    path("me/records/<int:record_id>/edit/", person.record_edit, name="record_edit"),
    path("me/records/<int:record_id>/submit/", person.record_submit_view, name="record_submit"),
    path("me/records/<int:record_id>/delete/", person.record_delete_view, name="record_delete"),
    path(
        "me/records/<int:record_id>/evidence/<int:evidence_id>/remove/",
        person.evidence_remove_view,
        name="evidence_remove",
    ),
    path(
        "me/records/<int:record_id>/evidence/<int:evidence_id>/",
        person.evidence_download,
        name="evidence_download",
    ),
    path("me/progress/<int:year>/", person.progress, name="progress"),
    path("me/progress/<int:year>/recount/", person.progress_recount, name="progress_recount"),
    # Employer review queue and HRSS recheck.
    path(org + "review/", review.review_queue, name="review_queue"),
    path(org + "review/export.csv", review.review_export, {"fmt": "csv"}, name="review_export_csv"),
    path(
        org + "review/export.xlsx", review.review_export, {"fmt": "xlsx"}, name="review_export_xlsx"
    ),
    path(org + "review/decide/", review.review_decide, name="review_decide"),
    path(org + "review/jobs/<int:job_id>/", review.review_job, name="review_job"),
    path(
        org + "review/records/<int:record_id>/",
        review.record_review_detail,
        name="record_review_detail",
    ),
    path(
        org + "review/records/<int:record_id>/evidence/<int:evidence_id>/",
        review.review_evidence_download,
        name="review_evidence_download",
    ),
    path(
        org + "review/records/<int:record_id>/evidence/<int:evidence_id>/preview/",
        review.review_evidence_preview,
        name="review_evidence_preview",
    ),
    path(org + "recheck/", review.recheck_samples, name="recheck_samples"),
    path(org + "recheck/<int:sample_id>/", review.recheck_sample, name="recheck_sample"),
    path(
        org + "recheck/items/<int:item_id>/decide/",
        review.recheck_decide_view,
        name="recheck_decide",
    ),
    path(org + "recheck/items/<int:item_id>/record/", review.recheck_record, name="recheck_record"),
    path(
        org + "recheck/items/<int:item_id>/record/evidence/<int:evidence_id>/",
        review.recheck_evidence_download,
        name="recheck_evidence_download",
    ),
    path(
        org + "recheck/items/<int:item_id>/record/evidence/<int:evidence_id>/preview/",
        review.recheck_evidence_preview,
        name="recheck_evidence_preview",
    ),
    # The employer entering records for its staff.
    path(entry + "new/", entry_views.record_enter_view, name="record_enter"),
    path(entry + "imports/", entry_views.imports, name="imports"),
    path(entry + "imports/<int:import_id>/", entry_views.import_job, name="import_job"),
    path(
        entry + "imports/<int:import_id>/errors.csv",
        entry_views.import_errors,
        {"fmt": "csv"},
        name="import_errors_csv",
    ),
    path(
        entry + "imports/<int:import_id>/errors.xlsx",
        entry_views.import_errors,
        {"fmt": "xlsx"},
        name="import_errors_xlsx",
    ),
    path(
        entry + "template.csv",
        entry_views.import_template,
        {"fmt": "csv"},
        name="import_template_csv",
    ),
    path(
        entry + "template.xlsx",
        entry_views.import_template,
        {"fmt": "xlsx"},
        name="import_template_xlsx",
    ),
]

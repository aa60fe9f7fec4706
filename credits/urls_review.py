"""Employer review queue and HRSS recheck pages (wired into credits.urls)."""

from django.urls import URLPattern, path

from credits.views import review as views

org = "orgs/<int:organisation_id>/"

urlpatterns: list[URLPattern] = [
    path(org + "review/", views.review_queue, name="review_queue"),
    path(org + "review/export.csv", views.review_export, {"fmt": "csv"}, name="review_export_csv"),
    path(
        org + "review/export.xlsx", views.review_export, {"fmt": "xlsx"}, name="review_export_xlsx"
    ),
    path(org + "review/decide/", views.review_decide, name="review_decide"),
    path(org + "review/jobs/<int:job_id>/", views.review_job, name="review_job"),
    path(
        org + "review/records/<int:record_id>/",
        views.record_review_detail,
        name="record_review_detail",
    ),
    path(
        org + "review/records/<int:record_id>/evidence/<int:evidence_id>/",
        views.review_evidence_download,
        name="review_evidence_download",
    ),
    path(
        org + "review/records/<int:record_id>/evidence/<int:evidence_id>/preview/",
        views.review_evidence_preview,
        name="review_evidence_preview",
    ),
    path(org + "recheck/", views.recheck_samples, name="recheck_samples"),
    path(org + "recheck/<int:sample_id>/", views.recheck_sample, name="recheck_sample"),
    path(
        org + "recheck/items/<int:item_id>/decide/",
        views.recheck_decide_view,
        name="recheck_decide",
    ),
    path(org + "recheck/items/<int:item_id>/record/", views.recheck_record, name="recheck_record"),
    path(
        org + "recheck/items/<int:item_id>/record/evidence/<int:evidence_id>/",
        views.recheck_evidence_download,
        name="recheck_evidence_download",
    ),
    path(
        org + "recheck/items/<int:item_id>/record/evidence/<int:evidence_id>/preview/",
        views.recheck_evidence_preview,
        name="recheck_evidence_preview",
    ),
]

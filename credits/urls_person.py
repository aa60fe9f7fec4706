"""The person's pages: records, declaration and yearly progress (wired into credits.urls)."""

from django.urls import URLPattern, path

from credits.views import person as views

urlpatterns: list[URLPattern] = [
    path("me/records/", views.my_records, name="my_records"),
    path("me/records/new/", views.record_new, name="record_new"),
    path("me/records/<int:record_id>/", views.record_detail, name="record_detail"),
    path("me/records/<int:record_id>/edit/", views.record_edit, name="record_edit"),
    path("me/records/<int:record_id>/submit/", views.record_submit_view, name="record_submit"),
    path("me/records/<int:record_id>/delete/", views.record_delete_view, name="record_delete"),
    path(
        "me/records/<int:record_id>/evidence/<int:evidence_id>/remove/",
        views.evidence_remove_view,
        name="evidence_remove",
    ),
    path(
        "me/records/<int:record_id>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("me/progress/<int:year>/", views.progress, name="progress"),
    path("me/progress/<int:year>/recount/", views.progress_recount, name="progress_recount"),
]

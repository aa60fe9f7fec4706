"""The employer entering records for its staff (wired into credits.urls)."""

from django.urls import URLPattern, path

from credits import views_entry as views

org = "orgs/<int:organisation_id>/entry/"

urlpatterns: list[URLPattern] = [
    path(org + "new/", views.record_enter_view, name="record_enter"),
    path(org + "imports/", views.imports, name="imports"),
    path(org + "imports/<int:import_id>/", views.import_job, name="import_job"),
    path(
        org + "imports/<int:import_id>/errors.csv",
        views.import_errors,
        {"fmt": "csv"},
        name="import_errors_csv",
    ),
    path(
        org + "imports/<int:import_id>/errors.xlsx",
        views.import_errors,
        {"fmt": "xlsx"},
        name="import_errors_xlsx",
    ),
    path(org + "template.csv", views.import_template, {"fmt": "csv"}, name="import_template_csv"),
    path(
        org + "template.xlsx", views.import_template, {"fmt": "xlsx"}, name="import_template_xlsx"
    ),
]

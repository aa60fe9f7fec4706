from django.urls import path

from partners.apis.base import partner_key_access
from partners.apis.reading import PersonYearApi, SyncRecordsFeedApi
from partners.apis.sync import SyncJobApi
from partners.views import partner_dashboard, partner_dashboard_export

app_name = "partners"

org = "orgs/<int:organisation_id>/partners/"

urlpatterns = [
    # POST pushes (partners.apis.sync), GET reads the changes feed (partners.apis.reading).
    path(
        "api/v1/sync/records",
        partner_key_access(SyncRecordsFeedApi.as_view()),
        name="sync_records",
    ),
    path(
        "api/v1/sync/jobs/<str:sync_job_id>",
        partner_key_access(SyncJobApi.as_view()),
        name="sync_job",
    ),
    path(
        "api/v1/persons/<path:id_number>/years/<str:year>",
        partner_key_access(PersonYearApi.as_view()),
        name="person_year",
    ),
    # HRSS's dashboard of the partners (partners.views).
    path(org, partner_dashboard, name="dashboard"),
    path(org + "export.csv", partner_dashboard_export, {"fmt": "csv"}, name="dashboard_csv"),
    path(org + "export.xlsx", partner_dashboard_export, {"fmt": "xlsx"}, name="dashboard_xlsx"),
]

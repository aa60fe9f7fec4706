from django.urls import path

from partners.apis.base import partner_key_access
from partners.apis.reading import PersonYearApi, SyncRecordsFeedApi
from partners.apis.sync import SyncJobApi

app_name = "partners"

urlpatterns = [
    # POST pushes (partners.apis.sync), GET reads the changes feed (partners.apis.reading).
    path(
        "api/v1/sync/records",
        partner_key_access(SyncRecordsFeedApi.as_view()),
        name="sync_records",
    ),
    path(
        "api/v1/sync/jobs/<int:sync_job_id>",
        partner_key_access(SyncJobApi.as_view()),
        name="sync_job",
    ),
    path(
        "api/v1/persons/<path:id_number>/years/<str:year>",
        partner_key_access(PersonYearApi.as_view()),
        name="person_year",
    ),
]

from django.urls import path

from partners.apis.base import partner_key_access
from partners.apis.sync import SyncJobApi, SyncRecordsApi

app_name = "partners"

urlpatterns = [
    path(
        "api/v1/sync/records",
        partner_key_access(SyncRecordsApi.as_view()),
        name="sync_records",
    ),
    path(
        "api/v1/sync/jobs/<str:sync_job_id>",
        partner_key_access(SyncJobApi.as_view()),
        name="sync_job",
    ),
]

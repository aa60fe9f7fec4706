"""URLs of the partner API's reading side (the feed shares its URL with the push's POST)."""

from django.urls import path

from accounts.api import PUBLIC, access
from partners.apis.reading import PersonYearApi, RecordFeedApi

app_name = "partners_read"

urlpatterns = [
    path("api/v1/sync/records", access(PUBLIC)(RecordFeedApi.as_view()), name="api_records"),
    path(
        "api/v1/persons/<path:id_number>/years/<str:year>",
        access(PUBLIC)(PersonYearApi.as_view()),
        name="api_person_year",
    ),
]

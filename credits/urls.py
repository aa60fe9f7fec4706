from django.urls import path

from accounts.permissions import PUBLIC, access
from credits import urls_entry, urls_person, urls_review
from credits.apis.compliance import ComplianceEvaluateApi

app_name = "credits"

urlpatterns = [
    path(
        "api/v1/compliance/evaluate",
        access(PUBLIC)(ComplianceEvaluateApi.as_view()),
        name="compliance_evaluate",
    ),
    *urls_person.urlpatterns,
    *urls_review.urlpatterns,
    *urls_entry.urlpatterns,
]

from django.urls import path

from accounts.api import PUBLIC, access
from certificates import views
from certificates.apis.verify import CertificateVerifyApi

app_name = "certificates"

org = "orgs/<int:organisation_id>/certificates/"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path(
        "api/v1/certificates/verify",
        access(PUBLIC)(CertificateVerifyApi.as_view()),
        name="api_verify",
    ),
    path("me/certificates/", views.my_certificates, name="my_certificates"),
    path(
        "me/certificates/<int:certificate_id>/pdf",
        views.my_certificate_pdf,
        name="my_certificate_pdf",
    ),
    path(org, views.org_certificates_list, name="org_certificates"),
    path(org + "<int:certificate_id>/pdf", views.org_certificate_pdf, name="org_certificate_pdf"),
    path(
        org + "<int:certificate_id>/reissue/",
        views.org_certificate_reissue,
        name="org_certificate_reissue",
    ),
    path(
        org + "<int:certificate_id>/revoke/",
        views.org_certificate_revoke,
        name="org_certificate_revoke",
    ),
]

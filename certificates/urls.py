from django.urls import path

from accounts.api import PUBLIC, access
from certificates.apis.verify import CertificateVerifyApi
from certificates.views import certificates as views
from certificates.views import printing

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
    # Bulk printing and the pre-2019 history (views/printing.py).
    path(org + "print/", printing.org_print_jobs, name="org_print_jobs"),
    path(org + "print/<int:print_job_id>/", printing.org_print_job, name="org_print_job"),
    path(
        org + "print/<int:print_job_id>/download",
        printing.org_print_job_download,
        name="org_print_job_download",
    ),
    path(org + "history/", printing.org_history, name="org_history"),
    path("me/certificates/history/", printing.my_history, name="my_history"),
]

"""The courses app's URLs. Each part of issue 9 keeps its patterns in its own block."""

from django.urls import URLPattern, path

from accounts.api import PUBLIC, access
from courses.apis.classes import ClassListApi
from courses.views import classes, public

app_name = "courses"

org = "orgs/<int:organisation_id>/"

urlpatterns: list[URLPattern] = []

# classes and enrolment
org_class = org + "classes/<int:class_id>/"
urlpatterns += [
    path("classes/", public.class_search, name="class_search"),
    path("classes/<int:class_id>/", public.class_public_detail, name="class_public_detail"),
    path("classes/<int:class_id>/enrol/", public.class_enrol, name="class_enrol"),
    path("api/v1/classes/", access(PUBLIC)(ClassListApi.as_view()), name="api_classes"),
    path("me/enrolments/", public.my_enrolments, name="my_enrolments"),
    path(
        "me/enrolments/<int:enrolment_id>/cancel/",
        public.enrolment_cancel_own,
        name="enrolment_cancel",
    ),
    path(org + "classes/", classes.org_classes, name="org_classes"),
    path(org_class, classes.org_class, name="org_class"),
    path(org_class + "status/", classes.org_class_status, name="org_class_status"),
    path(org_class + "close/", classes.org_class_close, name="org_class_close"),
    path(
        org_class + "enrolments/decide/",
        classes.org_enrolments_decide,
        name="org_enrolments_decide",
    ),
    path(org_class + "results/", classes.org_results_save, name="org_results_save"),
    path(org_class + "results/upload/", classes.org_results_upload, name="org_results_upload"),
    path(
        org_class + "results/template.csv",
        classes.org_results_template,
        {"fmt": "csv"},
        name="org_results_template_csv",
    ),
    path(
        org_class + "results/template.xlsx",
        classes.org_results_template,
        {"fmt": "xlsx"},
        name="org_results_template_xlsx",
    ),
]
# end classes and enrolment

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import LoginForm
from accounts.permissions import AUTHENTICATED, PUBLIC, access

app_name = "accounts"

org = "orgs/<int:organisation_id>/"

urlpatterns = [
    path(
        "accounts/login/",
        access(PUBLIC)(
            auth_views.LoginView.as_view(
                template_name="accounts/login.html", authentication_form=LoginForm
            )
        ),
        name="login",
    ),
    path("accounts/logout/", access(PUBLIC)(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "accounts/password/",
        access(AUTHENTICATED)(views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "accounts/password/reset/",
        access(PUBLIC)(views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        access(PUBLIC)(
            auth_views.PasswordResetDoneView.as_view(
                template_name="accounts/password_reset_done.html"
            )
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        access(PUBLIC)(views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        access(PUBLIC)(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="accounts/password_reset_complete.html"
            )
        ),
        name="password_reset_complete",
    ),
    path("accounts/role/", views.switch_role, name="switch_role"),
    path("accounts/register/", views.register, name="register"),
    path("accounts/register/person/", views.register_person, name="register_person"),
    path("accounts/register/employer/", views.register_employer, name="register_employer"),
    path("accounts/register/authority/", views.register_authority, name="register_authority"),
    path(
        "accounts/register/institution/",
        views.register_institution,
        name="register_institution",
    ),
    path("me/", views.me, name="me"),
    path("me/profile/", views.me_profile, name="me_profile"),
    path("me/employment/bind/", views.me_bind, name="me_bind"),
    path("me/facts/", views.me_facts, name="me_facts"),
    path("me/facts/<int:fact_id>/proof/", views.me_fact_proof, name="me_fact_proof"),
    path(
        "me/employment/<int:employment_id>/end/",
        views.me_employment_end,
        name="me_employment_end",
    ),
    path(
        "me/employment/<int:employment_id>/resubmit/",
        views.me_employment_resubmit,
        name="me_employment_resubmit",
    ),
    path("notices/", views.notices, name="notices"),
    path("notices/read-all/", views.notices_read_all, name="notices_read_all"),
    path("notices/<int:notice_id>/read/", views.notice_read, name="notice_read"),
    path(
        "me/employment/<int:employment_id>/answer/",
        views.me_employment_answer,
        name="me_employment_answer",
    ),
    path(
        "accounts/invitations/<int:invitation_id>/answer/",
        views.invitation_answer,
        name="invitation_answer",
    ),
    path(org, views.org_home, name="org_home"),
    path(org + "edit/", views.org_edit, name="org_edit"),
    path(org + "members/", views.members, name="members"),
    path(org + "members/<int:membership_id>/", views.member_update, name="member_update"),
    path(org + "bindings/", views.binding_queue, name="binding_queue"),
    path(
        org + "bindings/<int:employment_id>/decide/",
        views.binding_decide,
        name="binding_decide",
    ),
    path(
        org + "bindings/<int:employment_id>/id-number/",
        views.binding_id_number,
        name="binding_id_number",
    ),
    path(org + "facts/", views.fact_queue, name="fact_queue"),
    path(org + "facts/<int:fact_id>/decide/", views.fact_decide, name="fact_decide"),
    path(org + "facts/<int:fact_id>/proof/", views.fact_proof, name="fact_proof"),
    path(org + "staff/", views.staff_list, name="staff_list"),
    path(org + "staff/export.csv", views.staff_export, {"fmt": "csv"}, name="staff_export_csv"),
    path(org + "staff/export.xlsx", views.staff_export, {"fmt": "xlsx"}, name="staff_export_xlsx"),
    path(org + "staff/<int:employment_id>/unbind/", views.staff_unbind, name="staff_unbind"),
    path(org + "applications/", views.application_queue, name="application_queue"),
    path(
        org + "applications/<int:application_id>/",
        views.application_detail,
        name="application_detail",
    ),
    path(org + "audit/", views.audit_log, name="audit_log"),
    path(org + "audit/export.csv", views.audit_export, {"fmt": "csv"}, name="audit_export_csv"),
    path(org + "audit/export.xlsx", views.audit_export, {"fmt": "xlsx"}, name="audit_export_xlsx"),
]

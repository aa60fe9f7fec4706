"""Root URLs. Every pattern declares an access policy (accounts.permissions); the admin site's
patterns are covered by the namespace declaration below and checked by the URL matrix test."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView

from accounts import views as account_views
from accounts.permissions import PUBLIC, STAFF_SITE, access

# Namespaces whose every pattern is governed by one policy declared here.
NAMESPACE_POLICIES = {"admin": STAFF_SITE}

admin.site.site_header = "广东省专业技术人员继续教育管理系统"

# Error pages in the site's style (templates/400.html, 403.html, 404.html, 500.html); refused
# access is also written to the audit log.
handler403 = "accounts.errors.forbidden"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path("i18n/setlang/", access(PUBLIC)(set_language), name="set_language"),
    path("", include("accounts.urls")),
    path("", include("credits.urls")),
    path("", include("certificates.urls")),
    path("", include("courses.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", access(PUBLIC)(SpectacularAPIView.as_view()), name="api_schema"),
]

"""The portal's URLs plus a view that fails, for the 500 page test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from accounts.permissions import PUBLIC, access
from portal.urls import handler403
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler403", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("boom/", access(PUBLIC)(boom)), *portal_urlpatterns]

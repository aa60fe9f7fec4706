"""Error handlers that need the accounts app: refused access is a security event.

400, 404 and 500 use Django's default handlers with the site's templates (templates/400.html,
404.html, and the standalone 500.html that needs no context processor or database).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import permission_denied

from accounts.models import SecurityEvent
from accounts.security import security_event


@requires_csrf_token
def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: every PermissionDenied raised anywhere is audited, then the site's 403 page."""
    security_event(request, SecurityEvent.FORBIDDEN, reason=f"{request.method} refused")
    return permission_denied(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a refused form post is audited and answered with the 403 page."""
    security_event(request, SecurityEvent.FORBIDDEN, reason=f"CSRF: {reason}")
    body = loader.render_to_string("403.html", {"csrf_failure": True}, request=request)
    return HttpResponseForbidden(body)

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# Import the URLconf, and with it every view module (DRF, drf-spectacular, ...), while the
# worker boots instead of on each worker's first request: that request paid 0.3 s of CPU
# (the first users after every deploy or worker restart, and docs/decisions/0019).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018

# The cache and Celery clients built (not connected) now rather than by the first request,
# then everything imported so far, which lives as long as the worker, out of the collector's
# full passes (portal.boot).
from portal.boot import boot_objects_freeze, clients_prepare  # noqa: E402

clients_prepare()
boot_objects_freeze()

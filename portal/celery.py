import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# portal is not an installed app: register its diagnostic tasks (used by the infrastructure tests).
app.autodiscover_tasks(["portal"], related_name="diagnostics")

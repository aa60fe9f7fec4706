import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# portal is not an installed app: register its diagnostic tasks (used by the infrastructure tests).
app.autodiscover_tasks(["portal"], related_name="diagnostics")


@worker_process_init.connect
def _boot_objects_freeze(**_kwargs: object) -> None:
    """A pool process starts with Django and the tasks imported: keep those objects out of
    the collector's full passes (portal.boot)."""
    from portal.boot import boot_objects_freeze

    boot_objects_freeze()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = _("Sync partners")

    def ready(self) -> None:
        from partners import audit, tasks  # noqa: F401 (services queue the tasks by name)

        audit.register()

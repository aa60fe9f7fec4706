from django.apps import AppConfig


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = "Sync partners"

    def ready(self) -> None:
        from partners import audit

        audit.register()

from django.apps import AppConfig


class CreditsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credits"

    def ready(self) -> None:
        from accounts.signals import employment_ended
        from credits import audit
        from credits.receivers import return_records_on_unbind

        employment_ended.connect(
            return_records_on_unbind, dispatch_uid="credits.return_records_on_unbind"
        )
        audit.register()

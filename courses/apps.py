from django.apps import AppConfig


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"

    def ready(self) -> None:
        from courses import audit, tasks  # noqa: F401 (services queue the tasks by name)

        audit.register()

from django.apps import AppConfig


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"

    def ready(self) -> None:
        # Online public-subject study (courses.models_online).
        from courses import audit_online

        audit_online.register()

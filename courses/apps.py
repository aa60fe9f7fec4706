from django.apps import AppConfig


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"

    def ready(self) -> None:
        from courses.selectors import gap
        from credits.api import progress_suggestions_register

        # What fills my gap: open classes on the person's progress page.
        progress_suggestions_register("courses.classes", gap.progress_suggestions)

from django.apps import AppConfig


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"

    def ready(self) -> None:
        from accounts.api import organisation_waiting_register
        from courses import (
            audit,
            audit_online,
            home,
            tasks,  # noqa: F401 (services queue the tasks by name)
        )
        from courses.selectors import home_plans

        audit.register()
        audit_online.register()
        # --- institutions, qualifications (s4-orgs) ---
        home.register()
        # --- subject guides and course plans (s4-plans) ---
        organisation_waiting_register("courses.plans", home_plans.organisation_waiting)

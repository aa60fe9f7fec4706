from django.apps import AppConfig


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"

    def ready(self) -> None:
        from accounts.api import organisation_waiting_register
        from courses import audit
        from courses.selectors import home_plans

        audit.register()
        # --- subject guides and course plans (s4-plans) ---
        organisation_waiting_register("courses.plans", home_plans.organisation_waiting)
        # Online public-subject study (courses.models_online).
        from courses import audit_online

        audit_online.register()

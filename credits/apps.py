from django.apps import AppConfig


class CreditsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credits"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

        from accounts.api import (
            ProfessionalSeries,
            Region,
            employment_ended,
            organisation_waiting_register,
            person_home_register,
            profile_facts_changed,
        )
        from credits import audit, tasks  # noqa: F401 (services queue the tasks by name)
        from credits.change_marks import installed_after_migrate
        from credits.models import (
            ActivityCondition,
            ActivityConversion,
            CertificationRoute,
            DegreeStudyRule,
            GeneralKnowledgeRule,
            RequirementScheme,
            SeriesDeadline,
            YearSetting,
        )
        from credits.receivers import (
            refresh_on_profile_facts,
            return_records_on_unbind,
            rule_table_changed,
        )
        from credits.selectors import home

        organisation_waiting_register("credits", home.organisation_waiting)
        person_home_register("credits", home.person_home)
        employment_ended.connect(
            return_records_on_unbind, dispatch_uid="credits.return_records_on_unbind"
        )
        profile_facts_changed.connect(
            refresh_on_profile_facts, dispatch_uid="credits.refresh_on_profile_facts"
        )
        audit.register()
        # SQLite drops a table's triggers when a migration rebuilds it (decision 0017).
        post_migrate.connect(
            installed_after_migrate, sender=self, dispatch_uid="credits.change_marks"
        )
        # The rule book (credits.selectors.records.rulebook_load) is cached: any edit of its
        # tables, the series catalogue (known series) and the regions (codes in the regional
        # tables) included, makes every process read it again.
        rule_tables = (
            RequirementScheme,
            YearSetting,
            ActivityConversion,
            ActivityCondition,
            GeneralKnowledgeRule,
            DegreeStudyRule,
            CertificationRoute,
            SeriesDeadline,
            ProfessionalSeries,
            Region,  # the regional tables name regions by code
        )
        for model in rule_tables:
            uid = f"credits.rulebook.{model._meta.label_lower}"
            post_save.connect(rule_table_changed, sender=model, dispatch_uid=f"{uid}.save")
            post_delete.connect(rule_table_changed, sender=model, dispatch_uid=f"{uid}.delete")
        for through in (RequirementScheme.series.through, DegreeStudyRule.excluded_series.through):
            uid = f"credits.rulebook.{through._meta.label_lower}"
            m2m_changed.connect(rule_table_changed, sender=through, dispatch_uid=f"{uid}.m2m")

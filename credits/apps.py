from django.apps import AppConfig


class CreditsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credits"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from accounts.models import ProfessionalSeries, Region
        from accounts.signals import employment_ended
        from credits import audit
        from credits.models import (
            ActivityCondition,
            ActivityConversion,
            DegreeStudyRule,
            GeneralKnowledgeRule,
            RequirementScheme,
            YearSetting,
        )
        from credits.receivers import return_records_on_unbind, rule_table_changed

        employment_ended.connect(
            return_records_on_unbind, dispatch_uid="credits.return_records_on_unbind"
        )
        audit.register()
        # The rule book (credits.selectors.rulebook_load) is cached: any edit of its tables,
        # the series catalogue (known series) and the regions (codes in the regional tables)
        # included, makes every process read it again.
        rule_tables = (
            RequirementScheme,
            YearSetting,
            ActivityConversion,
            ActivityCondition,
            GeneralKnowledgeRule,
            DegreeStudyRule,
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

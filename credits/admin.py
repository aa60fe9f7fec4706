"""Admin for the requirement tables: HRSS staff add next year's scheme or settings here.

Changes take effect on the next request: saving or deleting a rule row bumps the rule book's
version in the shared cache (``credits.selectors.records.rulebook_changed``), so every process reads
it again; the admin site's change log records who changed what.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

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


@admin.register(RequirementScheme)
class RequirementSchemeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "policy",
        "valid_from",
        "valid_to",
        "total",
        "public",
        "professional",
        "elective",
        "allows_elective",
        "series_list",
    ]
    list_filter = ["policy", "allows_elective"]
    search_fields = ["code", "name"]
    filter_horizontal = ["series"]
    fieldsets = [
        (None, {"fields": ["code", "name", "policy", "series"]}),
        ("Validity", {"fields": ["valid_from", "valid_to"]}),
        (
            "Hours",
            {
                "fields": [
                    "total",
                    "public",
                    "professional",
                    "allows_elective",
                    "elective",
                    "new_post_professional",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("series")

    @admin.display(description="series")
    def series_list(self, obj: RequirementScheme) -> str:
        return ", ".join(s.code for s in obj.series.all()) or "(all others)"


@admin.register(YearSetting)
class YearSettingAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "hours_per_day",
        "minutes_per_hour",
        "declaration_deadline",
        "public_catch_up_deadline",
    ]


@admin.register(SeriesDeadline)
class SeriesDeadlineAdmin(admin.ModelAdmin):
    """A series' own declaration deadline for a year (accounting 补登): decision 0008."""

    list_display = ["year", "series", "declaration_deadline"]
    list_filter = ["year", "series"]
    list_select_related = ["series"]


@admin.register(CertificationRoute)
class CertificationRouteAdmin(admin.ModelAdmin):
    """Who certifies records of a series, category, source and years: decision 0008.  The
    most specific row wins (series, then source, then category, then the latest start year);
    without a matching row the employer reviews."""

    list_display = [
        "series",
        "category",
        "source",
        "year_from",
        "year_to",
        "certifier",
        "platform_name",
        "platform_url",
    ]
    list_filter = ["certifier", "category", "source"]
    list_select_related = ["series"]
    search_fields = ["platform_name"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(ActivityConversion)
class ActivityConversionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "series", "target", "hours", "unit"]
    list_filter = ["series", "target", "unit"]
    list_select_related = ["series"]
    search_fields = ["code", "name"]


@admin.register(ActivityCondition)
class ActivityConditionAdmin(admin.ModelAdmin):
    """Conditions of a year's table on an activity in a region (Guangzhou 2023)."""

    list_display = ["activity", "year", "region", "min_quantity", "results_from", "results_to"]
    list_filter = ["year", "activity"]
    list_select_related = ["activity", "region"]


@admin.register(GeneralKnowledgeRule)
class GeneralKnowledgeRuleAdmin(admin.ModelAdmin):
    """Professional general knowledge (通识) minimums per year and region."""

    list_display = ["series", "year", "region", "minimum"]
    list_filter = ["year", "series"]
    list_select_related = ["series", "region"]


@admin.register(DegreeStudyRule)
class DegreeStudyRuleAdmin(admin.ModelAdmin):
    """One row only: it can be edited, not added twice or deleted."""

    list_display = ["__str__", "cap_hours", "excluded_list"]
    filter_horizontal = ["excluded_series"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("excluded_series")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not DegreeStudyRule.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="excluded series")
    def excluded_list(self, obj: DegreeStudyRule) -> str:
        return ", ".join(s.code for s in obj.excluded_series.all()) or "-"

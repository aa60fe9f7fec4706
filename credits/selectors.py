"""Reads of the credits app."""

from __future__ import annotations

from django.db.models import Prefetch

from accounts.models import ProfessionalSeries
from credits.models import ActivityConversion, DegreeStudyRule, RequirementScheme, YearSetting
from credits.rules import defaults
from credits.rules import types as rules


def _series_prefetch(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=ProfessionalSeries.objects.only("code").order_by("code"))


def rulebook_load() -> rules.RuleBook:
    """The rule book as the requirement tables hold it now (7 queries, nothing cached).

    Known series are every code of the series catalogue.  Without a degree-study row the
    seeded rule applies.
    """
    schemes = tuple(
        rules.Scheme(
            code=row.code,
            series_codes=tuple(s.code for s in row.series.all()),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            public=row.public,
            professional=row.professional,
            elective=row.elective,
            allows_elective=row.allows_elective,
            total=row.total,
            policy=row.policy,
            new_post_professional=row.new_post_professional,
        )
        for row in RequirementScheme.objects.order_by("pk").prefetch_related(
            _series_prefetch("series")
        )
    )
    year_settings = tuple(
        rules.YearSettings(
            year=row.year,
            hours_per_day=row.hours_per_day,
            minutes_per_hour=row.minutes_per_hour,
            declaration_deadline=row.declaration_deadline,
            public_catch_up_deadline=row.public_catch_up_deadline,
        )
        for row in YearSetting.objects.order_by("year")
    )
    activities = tuple(
        rules.ActivityConversion(
            code=row.code,
            series=row.series.code,
            target=row.target,
            hours=row.hours,
            unit=row.unit,
        )
        for row in ActivityConversion.objects.select_related("series").order_by("pk")
    )
    degree_row = (
        DegreeStudyRule.objects.prefetch_related(_series_prefetch("excluded_series"))
        .order_by("pk")
        .first()
    )
    degree_study = (
        rules.DegreeStudyRule(
            cap_hours=degree_row.cap_hours,
            excluded_series=tuple(s.code for s in degree_row.excluded_series.all()),
        )
        if degree_row is not None
        else defaults.DEGREE_STUDY
    )
    known_series = frozenset(ProfessionalSeries.objects.values_list("code", flat=True))
    return rules.RuleBook(
        schemes=schemes,
        year_settings=year_settings,
        activities=activities,
        degree_study=degree_study,
        known_series=known_series,
        min_year=defaults.MIN_YEAR,
    )

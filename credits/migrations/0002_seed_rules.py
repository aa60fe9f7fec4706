"""Seed the requirement tables from ``credits.rules.defaults`` (the rules of the seeds).

Rows are written through the historical models; series are looked up by code in the
catalogue that accounts/0002 loads.  ``update_or_create`` keyed on the natural keys makes the
seeding idempotent.  Later rule changes belong in new rows (admin) or a new data migration,
not in edits to this one.
"""

from django.db import migrations

from credits.rules import defaults


SCHEME_NAMES = {
    "general_legacy": "General 2010-2020: 72 h (18 public / 42 professional / 12 elective)",
    "general_2021": "General from 2021: 90 h (30 public / 42 professional / 18 elective)",
    "accounting_2018": "Accounting from 2018-07-01: 90 credits (30 public / 60 professional)",
    "archives_2019": "Archives from 2019: 90 h (30 public / 60 professional)",
}


def seed_rules(apps, schema_editor):
    Series = apps.get_model("accounts", "ProfessionalSeries")
    RequirementScheme = apps.get_model("credits", "RequirementScheme")
    YearSetting = apps.get_model("credits", "YearSetting")
    ActivityConversion = apps.get_model("credits", "ActivityConversion")
    DegreeStudyRule = apps.get_model("credits", "DegreeStudyRule")

    series_by_code = {s.code: s for s in Series.objects.all()}

    def series(codes):
        missing = sorted(set(codes) - set(series_by_code))
        if missing:
            raise RuntimeError(f"professional series missing from the catalogue: {missing}")
        return [series_by_code[code] for code in codes]

    for scheme in defaults.SCHEMES:
        row, _ = RequirementScheme.objects.update_or_create(
            code=scheme.code,
            defaults={
                "name": SCHEME_NAMES.get(scheme.code, scheme.code),
                "policy": scheme.policy,
                "valid_from": scheme.valid_from,
                "valid_to": scheme.valid_to,
                "total": scheme.total,
                "public": scheme.public,
                "professional": scheme.professional,
                "elective": scheme.elective,
                "allows_elective": scheme.allows_elective,
                "new_post_professional": scheme.new_post_professional,
            },
        )
        row.series.set(series(scheme.series_codes))

    for setting in defaults.YEAR_SETTINGS:
        YearSetting.objects.update_or_create(
            year=setting.year,
            defaults={
                "hours_per_day": setting.hours_per_day,
                "minutes_per_hour": setting.minutes_per_hour,
                "declaration_deadline": setting.declaration_deadline,
                "public_catch_up_deadline": setting.public_catch_up_deadline,
            },
        )

    for conversion in defaults.ACTIVITY_CONVERSIONS:
        ActivityConversion.objects.update_or_create(
            code=conversion.code,
            defaults={
                "series": series([conversion.series])[0],
                "target": conversion.target,
                "hours": conversion.hours,
                "unit": conversion.unit,
            },
        )

    rule, _ = DegreeStudyRule.objects.update_or_create(
        singleton=True, defaults={"cap_hours": defaults.DEGREE_STUDY.cap_hours}
    )
    rule.excluded_series.set(series(defaults.DEGREE_STUDY.excluded_series))


def unseed_rules(apps, schema_editor):
    apps.get_model("credits", "RequirementScheme").objects.filter(
        code__in=[s.code for s in defaults.SCHEMES]
    ).delete()
    apps.get_model("credits", "YearSetting").objects.filter(
        year__in=[s.year for s in defaults.YEAR_SETTINGS]
    ).delete()
    apps.get_model("credits", "ActivityConversion").objects.filter(
        code__in=[c.code for c in defaults.ACTIVITY_CONVERSIONS]
    ).delete()
    apps.get_model("credits", "DegreeStudyRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0001_initial"),
        ("accounts", "0002_catalogues_and_audit_guard"),
    ]

    operations = [migrations.RunPython(seed_rules, unseed_rules)]

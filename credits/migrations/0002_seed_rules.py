"""Seed the requirement tables with the rules of the seeds (see /work/shared/DOMAIN.md).

The rows are frozen in this file (not imported from ``credits.rules.defaults``): a migration is
history, and editing the defaults later must not change what it writes. Rows are written through
the historical models; series are looked up by code in the catalogue that accounts/0002 loads.
``update_or_create`` keyed on the natural keys makes the seeding idempotent. Later rule changes
belong in new rows (admin) or a new data migration, not in edits to this one.
"""

from datetime import date
from decimal import Decimal as D

from django.db import migrations

# The rows as the seeds stated them when this migration was written. Frozen here on purpose:
# editing credits.rules.defaults must never rewrite history (a database migrated later would
# otherwise get different rows from one migrated earlier).

# code, policy, series codes, valid from, valid to, total, public, professional, elective,
# allows elective, professional hours for archive staff new in post
SCHEMES = (
    (
        "general_legacy",
        "general",
        (),
        date(2010, 1, 1),
        date(2020, 12, 31),
        D("72"),
        D("18"),
        D("42"),
        D("12"),
        True,
        None,
    ),
    (
        "general_2021",
        "general",
        (),
        date(2021, 1, 1),
        None,
        D("90"),
        D("30"),
        D("42"),
        D("18"),
        True,
        None,
    ),
    (
        "accounting_2018",
        "accounting",
        ("accounting",),
        date(2018, 7, 1),
        None,
        D("90"),
        D("30"),
        D("60"),
        None,
        False,
        None,
    ),
    (
        "archives_2019",
        "archives",
        ("archives",),
        date(2019, 1, 1),
        None,
        D("90"),
        D("30"),
        D("60"),
        None,
        False,
        D("80"),
    ),
)

# year, hours per day, minutes per hour, declaration deadline, public catch-up deadline
YEAR_SETTINGS = (
    (2010, D("6"), 45, date(2010, 12, 31), date(2010, 12, 31)),
    (2018, D("6"), 45, date(2019, 6, 30), date(2019, 6, 30)),
    (2021, D("8"), 45, date(2021, 12, 31), date(2021, 12, 31)),
    (2023, D("8"), 45, date(2024, 4, 30), date(2024, 4, 30)),
)

# code, series, target, hours, unit
ACTIVITY_CONVERSIONS = (
    ("accounting_exam_pass", "accounting", "whole_year", D("90"), "item"),
    ("degree_graduation", "accounting", "whole_year", D("90"), "item"),
    ("cpa_continuing_education", "accounting", "whole_year", D("90"), "item"),
    ("related_exam_pass", "accounting", "professional", D("90"), "item"),
    ("degree_course_pass", "accounting", "professional", D("90"), "item"),
    ("research_lead", "accounting", "professional", D("90"), "item"),
    ("research_member", "accounting", "professional", D("60"), "item"),
    ("paper_first_author", "accounting", "professional", D("30"), "item"),
    ("paper_other_author", "accounting", "professional", D("10"), "item"),
    ("book_first_author", "accounting", "professional", D("90"), "item"),
    ("book_other_author", "accounting", "professional", D("60"), "item"),
    ("conference_day", "accounting", "professional", D("10"), "day"),
    ("inhouse_training_day", "accounting", "professional", D("20"), "day"),
    ("online_hour", "accounting", "professional", D("2.5"), "hour"),
)

DEGREE_STUDY_CAP_HOURS = D("72")
DEGREE_STUDY_EXCLUDED_SERIES = ("education", "health")

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

    for (
        code,
        policy,
        series_codes,
        valid_from,
        valid_to,
        total,
        public,
        professional,
        elective,
        allows_elective,
        new_post,
    ) in SCHEMES:
        row, _ = RequirementScheme.objects.update_or_create(
            code=code,
            defaults={
                "name": SCHEME_NAMES.get(code, code),
                "policy": policy,
                "valid_from": valid_from,
                "valid_to": valid_to,
                "total": total,
                "public": public,
                "professional": professional,
                "elective": elective,
                "allows_elective": allows_elective,
                "new_post_professional": new_post,
            },
        )
        row.series.set(series(series_codes))

    for year, hours_per_day, minutes_per_hour, declaration, catch_up in YEAR_SETTINGS:
        YearSetting.objects.update_or_create(
            year=year,
            defaults={
                "hours_per_day": hours_per_day,
                "minutes_per_hour": minutes_per_hour,
                "declaration_deadline": declaration,
                "public_catch_up_deadline": catch_up,
            },
        )

    for code, series_code, target, hours, unit in ACTIVITY_CONVERSIONS:
        ActivityConversion.objects.update_or_create(
            code=code,
            defaults={
                "series": series([series_code])[0],
                "target": target,
                "hours": hours,
                "unit": unit,
            },
        )

    rule, _ = DegreeStudyRule.objects.update_or_create(
        singleton=True, defaults={"cap_hours": DEGREE_STUDY_CAP_HOURS}
    )
    rule.excluded_series.set(series(DEGREE_STUDY_EXCLUDED_SERIES))


def unseed_rules(apps, schema_editor):
    apps.get_model("credits", "RequirementScheme").objects.filter(
        code__in=[row[0] for row in SCHEMES]
    ).delete()
    apps.get_model("credits", "YearSetting").objects.filter(
        year__in=[row[0] for row in YEAR_SETTINGS]
    ).delete()
    apps.get_model("credits", "ActivityConversion").objects.filter(
        code__in=[row[0] for row in ACTIVITY_CONVERSIONS]
    ).delete()
    apps.get_model("credits", "DegreeStudyRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("credits", "0001_initial"),
        ("accounts", "0002_catalogues_and_audit_guard"),
    ]

    operations = [migrations.RunPython(seed_rules, unseed_rules)]

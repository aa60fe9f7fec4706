"""Accounting activities a person can declare, with the 2023 Guangzhou table's conditions.

Adds what the declaration form shows (an activity's name), the "professional general
knowledge" (通识) mark on records, and two rule tables HRSS edits in the admin site: conditions
of a year's table on an activity in a region, and the general-knowledge minimum of a series
in a year and region.  The seed rows are frozen here (not imported from
``credits.rules.defaults``): editing the defaults must never rewrite history.  Sources: 004,
广州市财政局 2023-07-26 notice and its attachment 2; see
docs/decisions/0011-accounting-activities.md.
"""

from datetime import date
from decimal import Decimal as D

import django.db.models.deletion
from django.db import migrations, models

# code: name shown to persons (data, in the seeds' words)
ACTIVITY_NAMES = {
    "accounting_exam_pass": "通过全国会计专业技术资格或注册会计师考试（每科）",
    "degree_graduation": "会计类学历教育毕业（毕业年度）",
    "cpa_continuing_education": "参加注册会计师继续教育",
    "related_exam_pass": "通过资产评估师、税务师等会计类相关资格考试（每科）",
    "degree_course_pass": "会计类学历教育通过当年度一门课程考试",
    "research_lead": "会计类科研课题结项（独立承担或主持）",
    "research_member": "会计类科研课题结项（其他参与者）",
    "paper_first_author": "在 CN 报刊发表会计类论文（独立或第一作者）",
    "paper_other_author": "在 CN 报刊发表会计类论文（其他作者）",
    "book_first_author": "公开出版会计类书籍（独立或第一作者）",
    "book_other_author": "公开出版会计类书籍（其他作者）",
    "conference_day": "参加会计类专业会议（每天）",
    "inhouse_training_day": "用人单位组织的面授培训（每天）",
    "online_hour": "备案远程学习平台在线学习（每小时）",
    "in_school_exemption": "在校学习会计类学历教育（在校期间无需继续教育）",
}

# Guangzhou 2023 table, row 3: a new activity (code, series, target, hours, unit).
NEW_ACTIVITIES = (("in_school_exemption", "accounting", "whole_year", D("90"), "item"),)

GUANGZHOU = "440100"

# activity, year, region, minimum quantity, results from, results to
ACTIVITY_CONDITIONS = (
    ("inhouse_training_day", 2023, GUANGZHOU, D("3"), None, None),  # 面授不少于3天
    ("online_hour", 2023, GUANGZHOU, D("24"), None, None),  # 在线学习不少于24小时
    # 资产评估师、税务师等: scores published 2023-05-01 to 2024-04-30
    ("related_exam_pass", 2023, GUANGZHOU, None, date(2023, 5, 1), date(2024, 4, 30)),
)

# series, year, region, minimum (专业通识知识学分不得少于20学分)
GENERAL_KNOWLEDGE = (("accounting", 2023, GUANGZHOU, D("20")),)


def seed(apps, schema_editor):
    Series = apps.get_model("accounts", "ProfessionalSeries")
    Region = apps.get_model("accounts", "Region")
    Activity = apps.get_model("credits", "ActivityConversion")
    Condition = apps.get_model("credits", "ActivityCondition")
    Minimum = apps.get_model("credits", "GeneralKnowledgeRule")
    for code, series, target, hours, unit in NEW_ACTIVITIES:
        Activity.objects.update_or_create(
            code=code,
            defaults={
                "series": Series.objects.get(code=series),
                "target": target,
                "hours": hours,
                "unit": unit,
            },
        )
    for code, name in ACTIVITY_NAMES.items():
        Activity.objects.filter(code=code, name="").update(name=name)
    for code, year, region, minimum, results_from, results_to in ACTIVITY_CONDITIONS:
        activity = Activity.objects.filter(code=code).first()
        if activity is None:
            continue  # removed by HRSS before this migration ran: nothing to condition
        Condition.objects.update_or_create(
            activity=activity,
            year=year,
            region=Region.objects.get(code=region),
            defaults={
                "min_quantity": minimum,
                "results_from": results_from,
                "results_to": results_to,
            },
        )
    for series, year, region, minimum in GENERAL_KNOWLEDGE:
        Minimum.objects.update_or_create(
            series=Series.objects.get(code=series),
            year=year,
            region=Region.objects.get(code=region),
            defaults={"minimum": minimum},
        )


def unseed(apps, schema_editor):
    apps.get_model("credits", "GeneralKnowledgeRule").objects.all().delete()
    apps.get_model("credits", "ActivityCondition").objects.all().delete()
    apps.get_model("credits", "ActivityConversion").objects.filter(
        code__in=[row[0] for row in NEW_ACTIVITIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_audit_changes"),
        ("credits", "0011_employer_entry"),
    ]

    operations = [
        migrations.AddField(
            model_name="activityconversion",
            name="name",
            field=models.CharField(
                blank=True,
                help_text="What persons see in the declaration form.",
                max_length=100,
                verbose_name="name",
            ),
        ),
        migrations.AddField(
            model_name="record",
            name="general_knowledge",
            field=models.BooleanField(default=False, verbose_name="professional general knowledge"),
        ),
        migrations.CreateModel(
            name="ActivityCondition",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "min_quantity",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="Days or hours, as the activity's unit; below it the activity counts 0.",
                        max_digits=6,
                        null=True,
                        verbose_name="minimum quantity in the year",
                    ),
                ),
                (
                    "results_from",
                    models.DateField(blank=True, null=True, verbose_name="results published from"),
                ),
                (
                    "results_to",
                    models.DateField(blank=True, null=True, verbose_name="results published until"),
                ),
                (
                    "activity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conditions",
                        to="credits.activityconversion",
                        verbose_name="activity",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        help_text="Leave empty for every region.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.region",
                        verbose_name="region",
                    ),
                ),
            ],
            options={
                "verbose_name": "activity condition",
                "verbose_name_plural": "activity conditions",
                "ordering": ["year", "activity", "region"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("activity", "year", "region"),
                        name="credits_activitycondition_unique",
                        nulls_distinct=False,
                        violation_error_message="This activity already has a condition for this year and region.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("min_quantity__isnull", True), ("min_quantity__gt", 0), _connector="OR"
                        ),
                        name="credits_activitycondition_min_positive",
                        violation_error_message="The minimum must be greater than 0.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("results_from__isnull", True),
                            ("results_to__isnull", True),
                            ("results_to__gte", models.F("results_from")),
                            _connector="OR",
                        ),
                        name="credits_activitycondition_window_order",
                        violation_error_message="The window cannot end before it starts.",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="GeneralKnowledgeRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                (
                    "minimum",
                    models.DecimalField(
                        decimal_places=1, max_digits=6, verbose_name="minimum hours"
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        help_text="Leave empty for every region.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.region",
                        verbose_name="region",
                    ),
                ),
                (
                    "series",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.professionalseries",
                        verbose_name="series",
                    ),
                ),
            ],
            options={
                "verbose_name": "general knowledge minimum",
                "verbose_name_plural": "general knowledge minimums",
                "ordering": ["year", "series", "region"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("series", "year", "region"),
                        name="credits_generalknowledge_unique",
                        nulls_distinct=False,
                        violation_error_message="This series already has a minimum for this year and region.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("minimum__gt", 0)),
                        name="credits_generalknowledge_minimum_positive",
                        violation_error_message="The minimum must be greater than 0.",
                    ),
                ],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]

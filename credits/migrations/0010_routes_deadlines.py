"""Certification routes and per-year windows as the seeds state them (decision 0008).

Schema: ``CertificationRoute`` and ``SeriesDeadline`` tables; a year's declaration deadline
may be blank (then 31 December of the next year).

Data, frozen here (never imported from ``credits.rules.defaults``: editing the defaults must
not rewrite history):

* the seed routes: public hours from the online platform certified automatically; a class
  of an approved plan goes to the employer's review; education and health series certified
  on their platforms; accounting on its platform from declared year 2020;
* the year rows 0002 wrote with one date for both windows are split: the public-subject
  study window stays (2018: 2019-06-30, 2021: 2021-12-31, 2023: 2024-04-30) and the
  declaration deadline is left blank, as no seed sets one;
* accounting's own 补登 deadline for 2018 and 2019: 2020-09-30;
* degree study excludes no series any more (education and health certify it themselves).
"""

from datetime import date

import django.db.models.deletion
from django.db import migrations, models


# series code ("" = any), category, source, year from, year to, certifier, platform, address
ROUTES = (
    ("", "public", "public_course", None, None, "automatic", "广东省专业技术人员继续教育管理系统", ""),
    ("", "", "institution_class", None, None, "employer", "", ""),
    ("education", "", "", None, None, "platform", "广东省教师继续教育信息管理平台", "https://jsglpt.gdedu.gov.cn/"),
    ("higher_education", "", "", None, None, "platform", "广东省教师继续教育信息管理平台", "https://jsglpt.gdedu.gov.cn/"),
    ("vocational_teacher", "", "", None, None, "platform", "广东省教师继续教育信息管理平台", "https://jsglpt.gdedu.gov.cn/"),
    ("health", "", "", None, None, "platform", "华医网（卫生健康行业继续教育平台）", "https://www.91huayi.com/"),
    ("accounting", "", "", 2020, None, "platform", "广东省会计信息服务平台", "https://kj.czt.gd.gov.cn/"),
)

# year, declaration deadline (None: one year after the year's end), public study window end
YEAR_WINDOWS = (
    (2010, None, date(2010, 12, 31)),
    (2018, None, date(2019, 6, 30)),
    (2021, None, date(2021, 12, 31)),
    (2023, None, date(2024, 4, 30)),
)
# What 0002 wrote (for the reverse step): year, declaration deadline
YEAR_DECLARATION_BEFORE = (
    (2010, date(2010, 12, 31)),
    (2018, date(2019, 6, 30)),
    (2021, date(2021, 12, 31)),
    (2023, date(2024, 4, 30)),
)

# year, series code, declaration deadline
SERIES_DEADLINES = (
    (2018, "accounting", date(2020, 9, 30)),
    (2019, "accounting", date(2020, 9, 30)),
)

DEGREE_STUDY_EXCLUDED_BEFORE = ("education", "health")


def seed(apps, schema_editor):
    Series = apps.get_model("accounts", "ProfessionalSeries")
    CertificationRoute = apps.get_model("credits", "CertificationRoute")
    SeriesDeadline = apps.get_model("credits", "SeriesDeadline")
    YearSetting = apps.get_model("credits", "YearSetting")
    DegreeStudyRule = apps.get_model("credits", "DegreeStudyRule")
    series_by_code = {s.code: s for s in Series.objects.all()}

    def series(code):
        if not code:
            return None
        if code not in series_by_code:
            raise RuntimeError(f"professional series missing from the catalogue: {code}")
        return series_by_code[code]

    for code, category, source, year_from, year_to, certifier, name, url in ROUTES:
        CertificationRoute.objects.update_or_create(
            series=series(code),
            category=category,
            source=source,
            year_from=year_from,
            year_to=year_to,
            defaults={"certifier": certifier, "platform_name": name, "platform_url": url},
        )
    # Only rows still as 0002 wrote them: a row HRSS has edited since is left alone.
    before = dict(YEAR_DECLARATION_BEFORE)
    for year, declaration, public in YEAR_WINDOWS:
        YearSetting.objects.filter(
            year=year, public_catch_up_deadline=public, declaration_deadline=before[year]
        ).update(declaration_deadline=declaration)
    for year, code, deadline in SERIES_DEADLINES:
        SeriesDeadline.objects.update_or_create(
            year=year, series=series(code), defaults={"declaration_deadline": deadline}
        )
    for rule in DegreeStudyRule.objects.all():
        rule.excluded_series.clear()


def unseed(apps, schema_editor):
    Series = apps.get_model("accounts", "ProfessionalSeries")
    YearSetting = apps.get_model("credits", "YearSetting")
    DegreeStudyRule = apps.get_model("credits", "DegreeStudyRule")
    apps.get_model("credits", "CertificationRoute").objects.all().delete()
    apps.get_model("credits", "SeriesDeadline").objects.all().delete()
    for year, declaration in YEAR_DECLARATION_BEFORE:
        YearSetting.objects.filter(year=year, declaration_deadline__isnull=True).update(
            declaration_deadline=declaration
        )
    for row in YearSetting.objects.filter(declaration_deadline__isnull=True):
        row.declaration_deadline = date(row.year + 1, 12, 31)
        row.save(update_fields=["declaration_deadline"])
    excluded = list(Series.objects.filter(code__in=DEGREE_STUDY_EXCLUDED_BEFORE))
    for rule in DegreeStudyRule.objects.all():
        rule.excluded_series.set(excluded)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_audit_changes'),
        ('credits', '0009_load_queue_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='yearsetting',
            name='declaration_deadline',
            field=models.DateField(blank=True, help_text='Last day records of the year can be declared (employer-reviewed and pushed records). Blank: 31 December of the next year.', null=True, verbose_name='declaration deadline'),
        ),
        migrations.AlterField(
            model_name='yearsetting',
            name='public_catch_up_deadline',
            field=models.DateField(help_text="Last day of the year's public-subject study window.", verbose_name='public subjects catch-up deadline'),
        ),
        migrations.CreateModel(
            name='CertificationRoute',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('category', models.CharField(blank=True, choices=[('public', 'Public subjects'), ('professional', 'Professional subjects'), ('elective', 'Elective subjects')], help_text='Blank: any category.', max_length=12, verbose_name='category')),
                ('source', models.CharField(blank=True, choices=[('self_declared', 'Declared by the person'), ('institution_class', 'Institution class'), ('employer', 'Employer'), ('sync_partner', 'Sync partner'), ('public_course', 'Public online course')], help_text='Blank: any source.', max_length=20, verbose_name='source')),
                ('year_from', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='from year')),
                ('year_to', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='to year')),
                ('certifier', models.CharField(choices=[('employer', "The employer's review"), ('automatic', 'Automatically by the online platform'), ('platform', 'Another platform, which pushes it in')], max_length=12, verbose_name='certified by')),
                ('platform_name', models.CharField(blank=True, max_length=100, verbose_name='platform name')),
                ('platform_url', models.URLField(blank=True, verbose_name='platform address')),
                ('series', models.ForeignKey(blank=True, help_text='Blank: any series.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.professionalseries', verbose_name='series')),
            ],
            options={
                'verbose_name': 'certification route',
                'verbose_name_plural': 'certification routes',
                'ordering': ['series', 'category', 'source', 'year_from', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(('year_to__isnull', True), ('year_from__isnull', True), ('year_to__gte', models.F('year_from')), _connector='OR'), name='credits_route_years_ordered', violation_error_message="'To year' must not be before 'from year'."), models.CheckConstraint(condition=models.Q(models.Q(('certifier', 'platform'), _negated=True), models.Q(('platform_name', ''), _negated=True), _connector='OR'), name='credits_route_platform_named', violation_error_message='Name the platform that certifies these records.')],
            },
        ),
        migrations.CreateModel(
            name='SeriesDeadline',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('declaration_deadline', models.DateField(verbose_name='declaration deadline')),
                ('series', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.professionalseries', verbose_name='series')),
            ],
            options={
                'verbose_name': 'series deadline',
                'verbose_name_plural': 'series deadlines',
                'ordering': ['year', 'series'],
                'constraints': [models.UniqueConstraint(fields=('year', 'series'), name='credits_seriesdeadline_once')],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]

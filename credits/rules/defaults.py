"""Seeded rule data, as plain constants in the shape the evaluator takes.

A Django data migration can load these rows into tables (``dataclasses.asdict(row)``), and
a DB loader must build the same dataclasses back, so ``rulebook()`` and a
DB-backed rule book give identical results.  Sources: see /work/shared/DOMAIN.md,
"Yearly requirements".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .types import (
    CERTIFIER_AUTOMATIC,
    CERTIFIER_EMPLOYER,
    CERTIFIER_PLATFORM,
    POLICY_ACCOUNTING,
    POLICY_ARCHIVES,
    POLICY_GENERAL,
    PUBLIC,
    TARGET_PROFESSIONAL,
    TARGET_WHOLE_YEAR,
    ActivityCondition,
    ActivityConversion,
    CertificationRoute,
    DegreeStudyRule,
    GeneralKnowledgeRule,
    RuleBook,
    Scheme,
    SeriesDeadline,
    YearSettings,
)

MIN_YEAR = 2010
"""Earliest year the engine evaluates (the legacy general scheme starts here)."""

KNOWN_SERIES: tuple[str, ...] = (
    "engineering",
    "accounting",
    "archives",
    "health",
    "education",
    "economics",
    "agriculture",
    "journalism",
    "library",
    "higher_education",
    "vocational_teacher",
    "technical_school_teacher",
    "natural_science_research",
    "social_science_research",
    "lab_technician",
    "social_work",
    "culture_arts",
    "publishing",
    "translation",
    "broadcasting",
    "statistics",
    "auditing",
    "sports",
    "lawyer",
)

SCHEMES: tuple[Scheme, ...] = (
    # 003, 000, 001; 004 provincial regulation art. 9: 72 h (12 days) = 18 / 42 / 12.
    Scheme(
        code="general_legacy",
        series_codes=(),
        valid_from=date(2010, 1, 1),
        valid_to=date(2020, 12, 31),
        public=Decimal(18),
        professional=Decimal(42),
        elective=Decimal(12),
        allows_elective=True,
        total=Decimal(72),
        policy=POLICY_GENERAL,
    ),
    # 002: from 2021, 90 h = 30 / 42 / 18.
    Scheme(
        code="general_2021",
        series_codes=(),
        valid_from=date(2021, 1, 1),
        valid_to=None,
        public=Decimal(30),
        professional=Decimal(42),
        elective=Decimal(18),
        allows_elective=True,
        total=Decimal(90),
        policy=POLICY_GENERAL,
    ),
    # 004 accounting regulation art. 12; 001 Q&A #3: 90 credits = 30 public / 60 professional.
    Scheme(
        code="accounting_2018",
        series_codes=("accounting",),
        valid_from=date(2018, 7, 1),
        valid_to=None,
        public=Decimal(30),
        professional=Decimal(60),
        elective=None,
        allows_elective=False,
        total=Decimal(90),
        policy=POLICY_ACCOUNTING,
    ),
    # 004 archive regulation art. 9: 90 h = 30 / 60; new in post without degree: 80 prof.
    Scheme(
        code="archives_2019",
        series_codes=("archives",),
        valid_from=date(2019, 1, 1),
        valid_to=None,
        public=Decimal(30),
        professional=Decimal(60),
        elective=None,
        allows_elective=False,
        total=Decimal(90),
        policy=POLICY_ARCHIVES,
        new_post_professional=Decimal(80),
    ),
)

DEFAULT_HOURS_PER_DAY = Decimal(8)
DEFAULT_MINUTES_PER_HOUR = 45

# Units carry forward: a year without a row takes hours_per_day / minutes_per_hour from the
# latest earlier row (see evaluator.settings_for_year).  Two windows per year (decision 0008):
# the public-subject study window (a year without a row: 31 December, no catch-up) and the
# declaration window of every other record (not set by a seed: one year after the year's end,
# evaluator.default_declaration_deadline).
YEAR_SETTINGS: tuple[YearSettings, ...] = (
    # 003: 12 days = 72 h, so one day = 6 h under the legacy scheme.
    YearSettings(
        year=2010,
        hours_per_day=Decimal(6),
        minutes_per_hour=45,
        declaration_deadline=date(2011, 12, 31),
        public_catch_up_deadline=date(2010, 12, 31),
    ),
    # 001: 2018 public subjects could be studied until 2019-06-30.
    YearSettings(
        year=2018,
        hours_per_day=Decimal(6),
        minutes_per_hour=45,
        declaration_deadline=date(2019, 12, 31),
        public_catch_up_deadline=date(2019, 6, 30),
    ),
    # 002: one day = 8 h, 45 min = 1 h; courseware offline 2021-12-31, no catch-up.
    YearSettings(
        year=2021,
        hours_per_day=Decimal(8),
        minutes_per_hour=45,
        declaration_deadline=date(2022, 12, 31),
        public_catch_up_deadline=date(2021, 12, 31),
    ),
    # 004: 2023 public courseware offline 2024-04-30, no catch-up after.
    YearSettings(
        year=2023,
        hours_per_day=Decimal(8),
        minutes_per_hour=45,
        declaration_deadline=date(2024, 12, 31),
        public_catch_up_deadline=date(2024, 4, 30),
    ),
)

# 004 (粤财会函2020): accounting professional credits of 2018 and 2019 could be registered
# (补登) until 2020-09-30.
SERIES_DEADLINES: tuple[SeriesDeadline, ...] = (
    SeriesDeadline(year=2018, series="accounting", declaration_deadline=date(2020, 9, 30)),
    SeriesDeadline(year=2019, series="accounting", declaration_deadline=date(2020, 9, 30)),
)

PROVINCIAL_SYSTEM = "广东省专业技术人员继续教育管理系统"
EDUCATION_PLATFORM = ("广东省教师继续教育信息管理平台", "https://jsglpt.gdedu.gov.cn/")
HEALTH_PLATFORM = ("华医网（卫生健康行业继续教育平台）", "https://www.91huayi.com/")
ACCOUNTING_PLATFORM = ("广东省会计信息服务平台", "https://kj.czt.gd.gov.cn/")

# Who certifies what (decision 0008).  Without a matching row the employer reviews.
ROUTES: tuple[CertificationRoute, ...] = (
    # 001 §4, 003, 004 Q&A policy #7: public hours from the online platform, automatically.
    CertificationRoute(
        certifier=CERTIFIER_AUTOMATIC,
        category=PUBLIC,
        source="public_course",
        platform_name=PROVINCIAL_SYSTEM,
    ),
    # 004 employer #3/#7, 001 §5: a class of an approved plan arrives at its close and the
    # employer reviews it.
    CertificationRoute(certifier=CERTIFIER_EMPLOYER, source="institution_class"),
    # 001, 004 Q&A policy #8/#10/#11/#12: education and health certify every category in
    # their own systems and push the hours in (degree study and in-house training too).
    *(
        CertificationRoute(
            certifier=CERTIFIER_PLATFORM,
            series=code,
            platform_name=EDUCATION_PLATFORM[0],
            platform_url=EDUCATION_PLATFORM[1],
        )
        for code in ("education", "higher_education", "vocational_teacher")
    ),
    CertificationRoute(
        certifier=CERTIFIER_PLATFORM,
        series="health",
        platform_name=HEALTH_PLATFORM[0],
        platform_url=HEALTH_PLATFORM[1],
    ),
    # 004 (粤财会函2020): accounting registers and certifies on its platform from 2020-04.
    CertificationRoute(
        certifier=CERTIFIER_PLATFORM,
        series="accounting",
        year_from=2020,
        platform_name=ACCOUNTING_PLATFORM[0],
        platform_url=ACCOUNTING_PLATFORM[1],
    ),
)

ACCOUNTING = "accounting"

# code: name shown to persons (data, in the seeds' words)
ACTIVITY_NAMES: dict[str, str] = {
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

# 004 accounting regulation art. 13 and the Guangzhou 2023 credit table.
_CONVERSIONS: tuple[tuple[str, str, Decimal, str], ...] = (
    ("accounting_exam_pass", TARGET_WHOLE_YEAR, Decimal(90), "item"),
    ("degree_graduation", TARGET_WHOLE_YEAR, Decimal(90), "item"),
    ("cpa_continuing_education", TARGET_WHOLE_YEAR, Decimal(90), "item"),
    ("related_exam_pass", TARGET_PROFESSIONAL, Decimal(90), "item"),
    ("degree_course_pass", TARGET_PROFESSIONAL, Decimal(90), "item"),
    ("research_lead", TARGET_PROFESSIONAL, Decimal(90), "item"),
    ("research_member", TARGET_PROFESSIONAL, Decimal(60), "item"),
    ("paper_first_author", TARGET_PROFESSIONAL, Decimal(30), "item"),
    ("paper_other_author", TARGET_PROFESSIONAL, Decimal(10), "item"),
    ("book_first_author", TARGET_PROFESSIONAL, Decimal(90), "item"),
    ("book_other_author", TARGET_PROFESSIONAL, Decimal(60), "item"),
    ("conference_day", TARGET_PROFESSIONAL, Decimal(10), "day"),
    ("inhouse_training_day", TARGET_PROFESSIONAL, Decimal(20), "day"),
    ("online_hour", TARGET_PROFESSIONAL, Decimal("2.5"), "hour"),
    # Guangzhou 2023 table, row 3: no CE while studying an accounting degree (with the junior
    # qualification obtained in school): the year is satisfied.
    ("in_school_exemption", TARGET_WHOLE_YEAR, Decimal(90), "item"),
)
ACTIVITY_CONVERSIONS: tuple[ActivityConversion, ...] = tuple(
    ActivityConversion(code, ACCOUNTING, target, hours, unit=unit, name=ACTIVITY_NAMES[code])
    for code, target, hours, unit in _CONVERSIONS
)

GUANGZHOU = "440100"

# The 2023 Guangzhou accounting table (004, 广州市财政局 2023-07-26, attachment 2).
ACTIVITY_CONDITIONS: tuple[ActivityCondition, ...] = (
    ActivityCondition("inhouse_training_day", 2023, GUANGZHOU, min_quantity=Decimal(3)),
    ActivityCondition("online_hour", 2023, GUANGZHOU, min_quantity=Decimal(24)),
    ActivityCondition(
        "related_exam_pass",
        2023,
        GUANGZHOU,
        results_from=date(2023, 5, 1),
        results_to=date(2024, 4, 30),
    ),
)

# 004, same notice, 二(一): 专业通识知识 at least 20 of the professional credits.
GENERAL_KNOWLEDGE: tuple[GeneralKnowledgeRule, ...] = (
    GeneralKnowledgeRule(ACCOUNTING, 2023, Decimal(20), GUANGZHOU),
)

# 004 Q&A policy #11: degree study → at most 72 elective hours a year.  Its "（教育、卫生除外）"
# means education and health certify it themselves (ROUTES), not that it counts 0: no series
# is excluded (decision 0008).
DEGREE_STUDY = DegreeStudyRule(cap_hours=Decimal(72), excluded_series=())


def rulebook() -> RuleBook:
    """The seeded rules as one rule book (the database's rule book starts equal to it)."""
    return RuleBook(
        schemes=SCHEMES,
        year_settings=YEAR_SETTINGS,
        activities=ACTIVITY_CONVERSIONS,
        degree_study=DEGREE_STUDY,
        known_series=frozenset(KNOWN_SERIES),
        min_year=MIN_YEAR,
        routes=ROUTES,
        series_deadlines=SERIES_DEADLINES,
        activity_conditions=ACTIVITY_CONDITIONS,
        general_knowledge=GENERAL_KNOWLEDGE,
    )

"""Demo CE records for `make run`, declared, submitted and reviewed through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.api import Decision, Organisation, Person, User
from credits.models import RecheckItem
from credits.services.entry import import_job_process, import_start, record_enter
from credits.services.recheck import recheck_decide, recheck_sample_draw
from credits.services.records import RecordDraft, record_create, record_submit
from credits.services.reviews import records_review
from credits.services.validation import summaries_refresh
from credits.sheets import COLUMNS

# (category, series, hours, title, decision or None = left under review)
_LAST_YEAR = [
    ("public", None, 30, "习近平新时代中国特色社会主义思想专题", Decision.APPROVE),
    ("professional", "engineering", 24, "建筑工程施工质量验收新规范", Decision.APPROVE),
    ("professional", "engineering", 18, "装配式建筑设计与施工", Decision.APPROVE),
    ("elective", None, 18, "项目管理实务", Decision.APPROVE),
]
_THIS_YEAR = [
    ("public", None, 30, "数字经济与创新驱动发展", Decision.APPROVE),
    ("professional", "engineering", 24, "BIM 技术在工程中的应用", Decision.APPROVE),
    ("professional", "engineering", 16, "工程安全生产管理", None),
    ("elective", None, 8, "职业道德与法律法规", Decision.RETURN),
    ("elective", None, 4, "线上专题讲座（证明材料存疑）", Decision.APPROVE),
]
# The record HRSS revokes in the demo recheck (the person then sees who revoked it and why).
_REVOKED_TITLE = "线上专题讲座（证明材料存疑）"


def _declare(
    person: Person, reviewer: User, employer: Organisation, year: int, rows: list[tuple]
) -> None:
    today = min(timezone.localdate(), date(year, 12, 20))
    for n, (category, series, hours, title, decision) in enumerate(rows):
        day = date(year, 3 + n, 10)
        draft = RecordDraft(
            year=year,
            category=category,
            series_code=series,
            amount=Decimal(hours),
            title=title,
            form="class",
            start_date=day,
            end_date=date(year, 3 + n, 10 + hours // 8),
            assessment_result="pass",
            institution_name="广州市专业技术人员继续教育基地",
        )
        record = record_create(person=person, draft=draft, today=today)
        record_submit(person=person, record=record, today=today)
        if decision is not None:
            records_review(
                reviewer=reviewer,
                employer=employer,
                record_ids=[record.pk],
                decision=decision,
                reason="" if decision == Decision.APPROVE else "请补充结业证书",
            )


@transaction.atomic
def demo_records_load(*, person: Person, reviewer: User, employer: Organisation) -> None:
    """A compliant last year and a part-done current year for `person`."""
    year = timezone.localdate().year
    _declare(person, reviewer, employer, year - 1, _LAST_YEAR)
    _declare(person, reviewer, employer, year, _THIS_YEAR)
    for each in (year - 1, year):
        summaries_refresh(year=each)


# (activity, quantity, general knowledge, title): drafts an accountant declares.
_ACCOUNTING_DRAFTS = [
    ("conference_day", 1, False, "广东省会计学会年会"),
    ("online_hour", 24, True, "会计职业道德与会计法治（远程学习平台）"),
]


@transaction.atomic
def demo_accounting_load(*, person: Person) -> None:
    """Accounting activities declared as drafts by an accountant (a conference day counts 10
    credits, online platform hours 2.5 each, the online course marked general knowledge).

    From 2020 accounting records are certified on the accounting platform and pushed in
    (decision 0008), so the demo declares them for 2019 during its 补登 window (until
    2020-09-30), as the accountant did then."""
    day, declared_on = date(2019, 3, 10), date(2020, 6, 1)
    for activity, quantity, general, title in _ACCOUNTING_DRAFTS:
        record_create(
            person=person,
            draft=RecordDraft(
                year=2019,
                category="professional",
                series_code="accounting",
                amount=Decimal(quantity),
                title=title,
                form="conference" if activity == "conference_day" else "online",
                start_date=day,
                end_date=day,
                activity_code=activity,
                general_knowledge=general,
            ),
            today=declared_on,
        )


@transaction.atomic
def demo_recheck_load(*, office: Organisation, actor: User) -> None:
    """An HRSS recheck of this year's approved records: one revoked, one confirmed, the rest
    still open (so the HRSS home page has a sample waiting)."""
    sample = recheck_sample_draw(
        office=office, actor=actor, size=10, year=timezone.localdate().year
    )
    items = list(sample.items.select_related("record").order_by("pk"))
    revoked = next(item for item in items if item.record.title == _REVOKED_TITLE)
    recheck_decide(
        office=office,
        actor=actor,
        item=revoked,
        outcome=RecheckItem.Outcome.REVOKED,
        reason="结业证书与培训机构记录不符",
    )
    others = [item for item in items if item.pk != revoked.pk]
    if others:
        recheck_decide(
            office=office, actor=actor, item=others[0], outcome=RecheckItem.Outcome.CONFIRMED
        )


# Rows of the demo sheet the employer uploaded: (category, series, hours, title, month).
_SHEET = [
    ("professional", "工程", 8, "建筑施工安全专题培训（单位组织）", 9),
    ("elective", "", 6, "单位内部质量管理讲座", 10),
    ("public", "", 4, "法治建设专题报告会", 11),
]


def _sheet_csv(person: Person, year: int) -> bytes:
    labels = {"professional": "专业科目", "elective": "选修科目", "public": "公需科目"}
    lines = [",".join(c.header for c in COLUMNS)]
    for category, series, hours, title, month in _SHEET:
        day = date(year, month, 15).isoformat()
        values = {
            "id_number": person.id_number,
            "real_name": person.real_name,
            "year": str(year),
            "category": labels[category],
            "series": series,
            "amount": str(hours),
            "unit": "学时",
            "title": title,
            "form": "面授培训",
            "start_date": day,
            "end_date": day,
            "assessment_result": "合格",
            "institution_name": "",
        }
        lines.append(",".join(values.get(c.key, "") for c in COLUMNS))
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


@transaction.atomic
def demo_entry_load(*, employer: Organisation, actor: User, person: Person) -> None:
    """Last year's records the employer entered for `person`: one by one (under review) and
    from a sheet it uploaded (a finished import)."""
    year = timezone.localdate().year - 1
    today = date(year, 12, 20)
    record_enter(
        actor=actor,
        employer=employer,
        id_number=person.id_number,
        real_name=person.real_name,
        declaration={
            "year": year,
            "category": "elective",
            "series_code": None,
            "amount": Decimal(2),
            "unit": "days",
            "title": "单位组织的安全生产培训",
            "form": "class",
            "start_date": date(year, 8, 20),
            "end_date": date(year, 8, 21),
            "assessment_result": "pass",
            "institution_name": "",
        },
        today=today,
    )
    job = import_start(
        actor=actor,
        employer=employer,
        content=_sheet_csv(person, year),
        original_name=f"{year}年继续教育记录.csv",
    )
    import_job_process(job=job, today=today)

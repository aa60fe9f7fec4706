"""Every page each role can reach is accessible and fits a phone.

For each role the crawler logs in, starts at the home page and follows same-origin GET links
(breadth first, a few pages per URL name, at most MAX_PAGES per role). On every page it:

* runs axe-core (bundled by ``axe-playwright-python``, no CDN) and fails on any critical or
  serious violation, naming the rule and the elements;
* at a 390×844 viewport checks that nothing sticks out to the right (the document does not
  scroll sideways and no element's right edge passes the viewport), except inside a container
  marked ``data-scroll-x`` (deliberately scrollable);
* checks the breadcrumb: every page below a home page shows one, its last item marked
  ``aria-current="page"``; home pages show none;
* saves a 390×844 screenshot of every page holding a table to ``var/screenshots/``.

Pages added later are covered as soon as a menu or page links to them.
"""

from __future__ import annotations

import os
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse

from accounts.services import profile_fact_set
from portal.breadcrumbs import HOME_PAGES
from tests.browser import log_in
from tests.factories import World, bind, member_create, person_create, record_make, rules_ensure

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 768}
# SCREENSHOT_DESKTOP=1: also save every page at 1366×768 (for looking at, not checked).
ALSO_DESKTOP = os.environ.get("SCREENSHOT_DESKTOP") == "1"
MAX_PAGES = 40  # per role
MAX_PER_URL_NAME = 2  # the same page with other ids or filters adds little
ROLES = ["anonymous", "person", "employer", "reviewer", "institution", "authority", "hrss"]
# Links the crawler does not follow: leaving, switching language, the admin site, files and
# exports (downloads).
SKIP = re.compile(
    r"/logout/|/i18n/|/admin/|/evidence/|/proof/|/files/|/api/|[?&]format=|/healthz|\.(csv|xlsx)(\?|$)"
    r"|/certificates/\d+/pdf$"
)
BLOCKING = {"critical", "serious"}

OVERFLOW_JS = """() => {
  const limit = window.innerWidth;
  const found = [];
  const doc = document.documentElement.scrollWidth;
  if (doc > limit) found.push(`document scrollWidth ${doc} > ${limit}`);
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('[data-scroll-x]')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > limit + 1) {
      const cls = typeof el.className === 'string' ? el.className.trim() : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (cls ? '.' + cls.split(/\\s+/).join('.') : '');
      const text = (el.textContent || '').trim().slice(0, 30);
      found.push(`${name} right=${Math.round(box.right)} "${text}"`);
    }
  }
  return found.slice(0, 8);
}"""

LINKS_JS = "() => Array.from(document.querySelectorAll('a[href]'), a => a.href)"

# At phone width every table in the page is shown as cards, its cells labelled from the headings.
CARDS_JS = """() => Array.from(document.querySelectorAll('main table:not(.no-cards)'))
  .filter(t => !t.closest('[data-scroll-x]'))
  .filter(t => !t.classList.contains('has-labels') || getComputedStyle(t).display !== 'block' ||
               Array.from(t.querySelectorAll('tbody td:not([colspan])')).some(td =>
                 td.textContent.trim() && !td.hasAttribute('data-label') &&
                 t.tHead && t.tHead.rows[0].cells[td.cellIndex] &&
                 t.tHead.rows[0].cells[td.cellIndex].textContent.trim()))
  .map(t => t.outerHTML.slice(0, 80))"""

BREADCRUMB_JS = """() => {
  const nav = document.querySelectorAll('nav[aria-label="breadcrumb"]');
  if (nav.length === 0) return null;
  const current = nav[0].querySelectorAll('[aria-current="page"]');
  const items = nav[0].querySelectorAll('li');
  return {count: nav.length, items: items.length,
          lastIsCurrent: current.length === 1 && items[items.length - 1].contains(current[0])};
}"""


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


def _world_lists_filled(world: World) -> str:
    """Give every list page at least one row; returns the employer reviewer's username."""

    # A returned record: its page links to the edit form.
    record_make(world.person, world.employer, title="退回修改的记录", status="returned")

    waiting = person_create()
    bind(waiting, world.employer, confirm=False)  # a binding to confirm

    # A profile fact with its proof, waiting for the employer's confirmation.
    profile_fact_set(
        person=world.person,
        kind="archives_post",
        on=date(2023, 2, 1),
        education="bachelor",
        proof=SimpleUploadedFile("毕业证书.pdf", b"%PDF-1.4\n%%EOF\n"),
    )

    # A certificate of the person (the person's, the employer's and HRSS's certificate lists).
    from certificates.services import certificate_reconcile
    from certificates.tests.helpers import LAST_YEAR, make_compliant

    make_compliant(world.person, world.employer)
    certificate_reconcile(person_id=world.person.pk, year=LAST_YEAR)

    # s4-plans: a published guide, an institution plan filed with HRSS, an employer plan
    # waiting for the authority, and an instructor on a class.
    from courses.services.plans import plan_submit, plans_review
    from courses.tests.plan_helpers import (
        guide_course_published,
        instructor,
        plan_with_class,
        qualify,
    )

    course = guide_course_published(world.authority, year=date.today().year)
    qualify(world.institution)
    filed, taught = plan_with_class(world.institution, course)
    taught.instructors.add(instructor(world.institution))
    plan_submit(actor=world.user("institution"), plan=filed)
    plans_review(
        reviewer=world.user("authority"),
        reviewer_organisation=world.authority,
        plan_ids=[filed.pk],
        decision="approve",
    )
    pending_plan, _ = plan_with_class(world.employer, course)
    plan_submit(actor=world.user("employer"), plan=pending_plan)
    _world_courses_orgs_filled(world)

    # An open class of the institution with the person accepted (the class search, the
    # person's enrolments, the institution's classes and its class page with results).
    from courses.models import Enrolment
    from courses.tests.factories import class_make, plan_make

    training_class = class_make(
        plan_make(world.institution, authority=world.authority), status="open"
    )
    Enrolment.objects.create(training_class=training_class, person=world.person, status="accepted")
    return member_create(world.employer, f"reviewer{world.employer.pk}", "reviewer").user.username


def _world_courses_orgs_filled(world: World) -> None:
    """A qualification application (the institution's list, the authority's queue), an
    instructor of the institution and of the employer, and violations against the
    institution and the person (the public list, each party's own, HRSS's list)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import ProfessionalSeries
    from courses.services.instructors import instructor_add
    from courses.services.integrity import violation_record
    from courses.services.qualifications import qualification_apply

    pdf = b"%PDF-1.4\n%%EOF\n"
    institution_admin = world.user("institution")
    if not world.institution.qualifications.exists():  # (s4-gap: the plans part qualified it)
        qualification_apply(
            actor=institution_admin,
            institution=world.institution,
            series=ProfessionalSeries.objects.get(code="engineering"),
            description="师资齐备",
            files=[SimpleUploadedFile("办学许可证.pdf", pdf)],
        )
    for owner in (world.institution, world.employer):
        instructor_add(actor=world.user(owner.kind), owner=owner, name="王老师", title="高级工程师")
    today = timezone.localdate()
    for party in ({"party_organisation": world.institution}, {"party_person": world.person}):
        violation_record(
            actor=world.user("hrss"),
            recorder=world.hrss,
            reason="虚报培训学时，未按计划组织教学",
            occurred_on=today - timedelta(days=3),
            clears_on=today + timedelta(days=300),
            evidence=SimpleUploadedFile("核查记录.pdf", pdf),
            **party,
        )


def _url_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _axe(page: Page, axe: Any, where: str, findings: Findings) -> None:
    results = axe.run(page).response
    for violation in results["violations"]:
        if violation["impact"] in BLOCKING:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            findings.add(where, f"axe {violation['impact']} {violation['id']}: {targets}")


def _check_page(page: Page, axe: Any, role: str, path: str, findings: Findings) -> None:
    where = f"[{role}] {path}"
    _axe(page, axe, where, findings)
    for overflow in page.evaluate(OVERFLOW_JS):
        findings.add(where, f"overflows at 390 px: {overflow}")
    for table in page.evaluate(CARDS_JS):
        findings.add(where, f"table not shown as labelled cards at 390 px: {table}")
    crumb = page.evaluate(BREADCRUMB_JS)
    name = _url_name(urlsplit(path).path)
    if name in HOME_PAGES:
        if crumb is not None:
            findings.add(where, "a home page shows a breadcrumb")
    elif crumb is None:
        findings.add(where, "no breadcrumb")
    elif crumb["count"] != 1 or crumb["items"] < 2 or not crumb["lastIsCurrent"]:
        findings.add(where, f"bad breadcrumb {crumb}")
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if page.locator("main table").count() or ALSO_DESKTOP:
        page.screenshot(path=str(SCREENSHOTS / f"phone-{role}-{slug}.png"), full_page=True)
    if ALSO_DESKTOP:
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(SCREENSHOTS / f"desktop-{role}-{slug}.png"), full_page=True)
        page.set_viewport_size(PHONE)


def _crawl(
    page: Page, axe: Any, base: str, role: str, findings: Findings, extra: list[str]
) -> None:
    queue = deque(["/", *extra])
    seen = set(queue)
    per_name: Counter[str | None] = Counter()
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(base + path, wait_until="domcontentloaded")
        landed = page.url[len(base) :] if page.url.startswith(base) else page.url
        if response is None or response.status >= 400:
            findings.add(f"[{role}] {path}", f"HTTP {response.status if response else '?'}")
            continue
        visited += 1
        findings.visited.append(f"{role} {landed}")
        _check_page(page, axe, role, landed, findings)
        seen.add(landed)
        for href in page.evaluate(LINKS_JS):
            if not href.startswith(base):
                continue
            link = urlsplit(href[len(base) :])
            target = link.path + (f"?{link.query}" if link.query else "")
            if target in seen or SKIP.search(target):
                continue
            seen.add(target)
            name = _url_name(link.path)
            if per_name[name] >= MAX_PER_URL_NAME:
                continue
            per_name[name] += 1
            queue.append(target)


def _certificate_pages(world: World, role: str) -> list[str]:
    """The verification answer (what the QR code opens) and the reissue/revoke forms."""
    from certificates.models import Certificate

    certificate = Certificate.objects.get(person=world.person, status="valid")
    if role == "anonymous":
        return [
            f"{reverse('certificates:verify')}?number={certificate.number}"
            f"&code={certificate.check_code}"
        ]
    organisation = world.org(role)
    names = ["reissue", "revoke"] if role == "hrss" else ["reissue"]
    return [
        reverse(f"certificates:org_certificate_{name}", args=[organisation.pk, certificate.pk])
        for name in names
    ]


def _online_pages(world: World) -> list[str]:
    """A course to choose, and the person's study of another: its lesson and an open exam."""
    from django.utils import timezone

    from courses.models_online import ExamAttempt
    from courses.services.online import enrolment_create
    from courses.tests.online_factories import online_course_make

    year = timezone.localdate().year
    online_course_make(office=world.hrss, years=(year, year - 1), title="数字经济")
    course = online_course_make(office=world.hrss, years=(year,), title="中国式现代化")
    enrolment = enrolment_create(person=world.person, course=course, year=year)
    bank = list(course.questions.filter(lesson__isnull=True).values_list("pk", flat=True))
    attempt = ExamAttempt.objects.create(
        enrolment=enrolment, number=1, question_ids=bank[:2], started_at=timezone.now()
    )
    lesson = course.lessons.order_by("position").first()
    assert lesson is not None
    return [
        reverse("courses:online_lesson", args=[enrolment.pk, lesson.pk]),
        reverse("courses:online_attempt", args=[enrolment.pk, attempt.pk]),
    ]


def test_every_reachable_page_is_accessible_and_fits_a_phone(
    world: World, live_server: Any, page: Page
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    rules_ensure()
    reviewer = _world_lists_filled(world)
    users = {role: world.user(role).username for role in ROLES[1:] if role != "reviewer"}
    users["reviewer"] = reviewer
    axe = Axe()
    page.set_viewport_size(PHONE)
    findings = Findings()
    # Pages no link leads to: reached after a form is sent.
    extra = {
        "person": [reverse("accounts:me_bind"), *_online_pages(world)],
        "employer": [
            reverse("credits:review_job", args=[world.employer.pk, world.review_job.pk]),
            *_certificate_pages(world, "employer"),
        ],
        "hrss": _certificate_pages(world, "hrss"),
        "anonymous": _certificate_pages(world, "anonymous"),
    }
    for role in ROLES:
        page.context.clear_cookies()
        if role != "anonymous":
            log_in(page, live_server.url, users[role])
        _crawl(page, axe, live_server.url, role, findings, extra.get(role, []))
    print("\n".join(findings.visited))  # shown with -rP: what the crawl covered
    roles_seen = {entry.split()[0] for entry in findings.visited}
    assert roles_seen == set(ROLES)
    assert len(findings.visited) >= 4 * len(ROLES), findings.visited
    assert findings.problems == [], "\n".join(findings.problems)

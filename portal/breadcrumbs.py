"""Breadcrumbs computed from the resolved URL name, rendered once in base.html.

Every named page URL registers here as ``url name → Crumb(label, parent url name)``; a URL that
renders no page (a POST-only action, a file download, an API) is listed in ``NOT_PAGES``.
``tests/test_breadcrumbs.py`` walks the URL resolver and fails for a URL in neither, so a new
page cannot ship without its place in the trail. A parent's URL is reversed with the keyword
arguments of the current URL that the parent's pattern takes (e.g. ``organisation_id``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Crumb:
    label: str | Promise
    parent: str | None  # URL name of the page above; None only for home pages


@dataclass(frozen=True)
class Step:
    name: str  # URL name
    label: str | Promise
    url: str


HOME = "home"
# Pages that are a role's starting point: they show no breadcrumb.
HOME_PAGES = frozenset({HOME, "accounts:me", "accounts:org_home"})

BREADCRUMBS: dict[str, Crumb] = {
    HOME: Crumb(_("Home"), None),
    "accounts:me": Crumb(_("Home"), None),
    "accounts:org_home": Crumb(_("Home"), None),
    # Anyone
    "accounts:login": Crumb(_("Log in"), HOME),
    "accounts:register": Crumb(_("Register"), HOME),
    "accounts:register_person": Crumb(_("Professional"), "accounts:register"),
    "accounts:register_employer": Crumb(_("Employer"), "accounts:register"),
    "accounts:register_authority": Crumb(_("Industry authority"), "accounts:register"),
    "accounts:register_institution": Crumb(_("Teaching institution"), "accounts:register"),
    "accounts:password_change": Crumb(_("Change password"), HOME),
    "accounts:password_reset": Crumb(_("Forgot your password?"), "accounts:login"),
    "accounts:password_reset_done": Crumb(_("Check your e-mail"), "accounts:password_reset"),
    "accounts:password_reset_confirm": Crumb(_("Set a new password"), "accounts:password_reset"),
    "accounts:password_reset_complete": Crumb(_("Password changed"), "accounts:login"),
    # Person
    "accounts:me_profile": Crumb(_("My profile"), HOME),
    "accounts:me_bind": Crumb(_("Bind to my employer"), HOME),
    "accounts:me_facts": Crumb(_("Profile facts"), HOME),
    "certificates:verify": Crumb(_("Verify a certificate"), HOME),
    "certificates:my_certificates": Crumb(_("My certificates"), HOME),
    "certificates:org_certificates": Crumb(_("Certificates"), HOME),
    "certificates:org_certificate_reissue": Crumb(
        _("Regenerate a certificate number"), "certificates:org_certificates"
    ),
    "certificates:org_certificate_revoke": Crumb(
        _("Revoke a certificate"), "certificates:org_certificates"
    ),
    "certificates:org_print_jobs": Crumb(_("Bulk printing"), "certificates:org_certificates"),
    "certificates:org_print_job": Crumb(_("Bulk print"), "certificates:org_print_jobs"),
    "certificates:org_history": Crumb(_("History before 2019"), "certificates:org_certificates"),
    "certificates:my_history": Crumb(_("History before 2019"), "certificates:my_certificates"),
    "credits:my_records": Crumb(_("My CE records"), HOME),
    "credits:record_new": Crumb(_("Declare a record"), "credits:my_records"),
    "credits:record_detail": Crumb(_("Details"), "credits:my_records"),
    "credits:record_edit": Crumb(_("Edit"), "credits:record_detail"),
    "credits:progress": Crumb(_("Progress"), HOME),
    # Organisations
    "accounts:org_edit": Crumb(_("Edit and resubmit"), HOME),
    "accounts:members": Crumb(_("Sub-accounts"), HOME),
    "accounts:binding_queue": Crumb(_("Bindings to confirm"), HOME),
    "accounts:binding_id_number": Crumb(_("ID number"), "accounts:binding_queue"),
    "accounts:fact_queue": Crumb(_("Profile facts to confirm"), HOME),
    "accounts:staff_list": Crumb(_("Staff"), HOME),
    "accounts:application_queue": Crumb(_("Applications to review"), HOME),
    "accounts:application_detail": Crumb(_("Details"), "accounts:application_queue"),
    "accounts:audit_log": Crumb(_("Audit log"), HOME),
    "credits:review_queue": Crumb(_("Records to review"), HOME),
    "credits:review_job": Crumb(_("Batch review"), "credits:review_queue"),
    "credits:record_review_detail": Crumb(_("Details"), "credits:review_queue"),
    "credits:record_enter": Crumb(_("Enter a record"), HOME),
    "credits:imports": Crumb(_("Upload records"), HOME),
    "credits:import_job": Crumb(_("Import"), "credits:imports"),
    "credits:recheck_samples": Crumb(_("Recheck"), HOME),
    "credits:recheck_sample": Crumb(_("Recheck sample"), "credits:recheck_samples"),
    # The record's URL names its recheck item, not the sample, so its parent is the list.
    "credits:recheck_record": Crumb(_("Details"), "credits:recheck_samples"),
    "accounts:notices": Crumb(_("Notices"), HOME),
    # classes and enrolment (courses)
    "courses:class_search": Crumb(_("Class search"), HOME),
    "courses:class_public_detail": Crumb(_("Class"), "courses:class_search"),
    "courses:my_enrolments": Crumb(_("My enrolments"), HOME),
    "courses:org_classes": Crumb(_("Classes"), HOME),
    "courses:org_class": Crumb(_("Class"), "courses:org_classes"),
    # institutions, qualifications, instructors, integrity (courses)
    "courses:public_institutions": Crumb(_("Filed institutions"), HOME),
    "courses:public_violations": Crumb(_("Integrity violations"), HOME),
    "courses:my_integrity": Crumb(_("My integrity record"), HOME),
    "courses:qualifications": Crumb(_("Teaching qualifications"), HOME),
    "courses:qualification_resubmit": Crumb(_("Resubmit"), "courses:qualifications"),
    "courses:qualification_queue": Crumb(_("Qualifications to review"), HOME),
    "courses:qualification_review_detail": Crumb(_("Details"), "courses:qualification_queue"),
    "courses:instructors": Crumb(_("Instructors"), HOME),
    "courses:instructor_edit": Crumb(_("Edit"), "courses:instructors"),
    "courses:instructor_delete": Crumb(_("Delete"), "courses:instructors"),
    "courses:org_integrity": Crumb(_("Integrity record"), HOME),
    "courses:violations": Crumb(_("Integrity violations"), HOME),
    "courses:violation_clear": Crumb(_("Clear early"), "courses:violations"),
    # subject guides and course plans
    "courses:guide_list": Crumb(_("Subject guides"), HOME),
    "courses:guide_detail": Crumb(_("Guide"), "courses:guide_list"),
    "courses:published_guide_list": Crumb(_("Published subject guides"), "courses:plan_list"),
    "courses:published_guide_detail": Crumb(_("Guide"), "courses:published_guide_list"),
    "courses:plan_list": Crumb(_("Course plans"), HOME),
    "courses:plan_new": Crumb(_("New course plan"), "courses:plan_list"),
    "courses:plan_detail": Crumb(_("Plan"), "courses:plan_list"),
    "courses:plan_edit": Crumb(_("Edit"), "courses:plan_detail"),
    "courses:plan_class_new": Crumb(_("Add a class"), "courses:plan_detail"),
    "courses:plan_class_edit": Crumb(_("Edit the class"), "courses:plan_detail"),
    "courses:plan_review_queue": Crumb(_("Course plans to review"), HOME),
    "courses:plan_review_detail": Crumb(_("Details"), "courses:plan_review_queue"),
    "courses:filed_plan_list": Crumb(_("Filed course plans"), HOME),
    "courses:filed_plan_detail": Crumb(_("Details"), "courses:filed_plan_list"),
    # online public-subject study
    "courses:online_courses": Crumb(_("Online public courses"), HOME),
    "courses:online_course": Crumb(_("Course"), "courses:online_courses"),
    "courses:online_study": Crumb(_("My course"), "courses:online_courses"),
    "courses:online_lesson": Crumb(_("Lesson"), "courses:online_study"),
    "courses:online_attempt": Crumb(_("Exam"), "courses:online_study"),
    "courses:public_subjects": Crumb(_("Public subjects"), HOME),
}

# URL names that never render a page of their own (API URLs, under api/, need no entry).
NOT_PAGES = frozenset(
    {
        "healthz",
        "set_language",
        "accounts:logout",
        "accounts:switch_role",
        "certificates:api_verify",
        "certificates:my_certificate_pdf",
        "certificates:org_certificate_pdf",
        "certificates:org_print_job_download",
        "accounts:me_employment_end",
        "accounts:me_employment_resubmit",
        "accounts:member_update",
        "accounts:binding_decide",
        "accounts:staff_unbind",
        "credits:record_submit",
        "credits:evidence_download",
        "credits:progress_recount",
        "credits:review_decide",
        "credits:review_evidence_download",
        "credits:recheck_decide",
        "credits:record_delete",
        "credits:evidence_remove",
        "credits:review_evidence_preview",
        "credits:recheck_evidence_download",
        "credits:recheck_evidence_preview",
        "accounts:notice_read",
        "accounts:audit_export_csv",
        "accounts:audit_export_xlsx",
        "accounts:staff_export_csv",
        "accounts:staff_export_xlsx",
        "credits:review_export_csv",
        "credits:review_export_xlsx",
        "accounts:invitation_answer",
        "accounts:me_employment_answer",
        "accounts:notices_read_all",
        "credits:import_errors_csv",
        "credits:import_errors_xlsx",
        "credits:import_template_csv",
        "credits:import_template_xlsx",
        # classes and enrolment (courses)
        "courses:class_enrol",
        "courses:enrolment_cancel",
        "courses:org_class_status",
        "courses:org_class_close",
        "courses:org_class_close_retry",
        "courses:org_enrolments_decide",
        "courses:org_results_save",
        "courses:org_results_upload",
        "courses:org_results_template_csv",
        "courses:org_results_template_xlsx",
        "accounts:me_fact_proof",
        "accounts:fact_decide",
        "accounts:fact_proof",
        # institutions, qualifications, instructors, integrity (courses)
        "courses:qualification_attachment",
        "courses:qualification_decide",
        "courses:instructors_export_csv",
        "courses:instructors_export_xlsx",
        "courses:instructor_toggle",
        "courses:violation_evidence",
        # subject guides and course plans
        "courses:guide_export_csv",
        "courses:guide_export_xlsx",
        "courses:guide_publish",
        "courses:guide_course_remove",
        "courses:plan_export_csv",
        "courses:plan_export_xlsx",
        "courses:plan_submit",
        "courses:plan_class_remove",
        "courses:plan_attachment_add",
        "courses:plan_attachment_download",
        "courses:plan_attachment_remove",
        "courses:plan_review_decide",
        "courses:filed_plan_export_csv",
        "courses:filed_plan_export_xlsx",
        # online public-subject study
        "courses:online_year",
        "courses:online_lesson_start",
        "courses:online_lesson_beat",
        "courses:online_lesson_video",
        "courses:online_exam_start",
        "courses:public_subject_publish",
    }
)


@dataclass(frozen=True)
class NamedUrl:
    name: str  # "namespace:name"
    route: str  # e.g. "orgs/<int:organisation_id>/staff/"
    kwargs: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def named_urls() -> dict[str, NamedUrl]:
    """Every named URL outside the admin site, by ``namespace:name``."""
    return {url.name: url for url in _named_urls()}


@cache
def _named_urls() -> tuple[NamedUrl, ...]:
    found: dict[str, NamedUrl] = {}

    def walk(patterns: list[Any], namespace: str, prefix: str, converters: tuple[str, ...]) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or ""
                if ns == "admin":
                    continue
                full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
                inner = converters + tuple(entry.pattern.converters)
                walk(entry.url_patterns, full, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                kwargs = converters + tuple(entry.pattern.converters)
                found.setdefault(name, NamedUrl(name, prefix + str(entry.pattern), kwargs))

    walk(get_resolver().url_patterns, "", "", ())
    return tuple(found.values())


def trail(view_name: str, kwargs: dict[str, Any], home_url: Callable[[], str]) -> list[Step]:
    """The steps from the home page down to `view_name`; empty on home pages and unknown URLs."""
    if view_name in HOME_PAGES or view_name not in BREADCRUMBS:
        return []
    urls = named_urls()
    steps: list[Step] = []
    name: str | None = view_name
    while name is not None:
        crumb = BREADCRUMBS[name]
        if name == HOME:
            url = home_url()
        else:
            wanted = urls[name].kwargs if name in urls else ()
            try:
                url = reverse(name, kwargs={k: v for k, v in kwargs.items() if k in wanted})
            except NoReverseMatch:
                return []
        steps.append(Step(name, crumb.label, url))
        name = crumb.parent
    steps.reverse()
    return steps


def breadcrumbs(request: HttpRequest) -> dict[str, Any]:
    """Context processor: ``breadcrumbs`` (Steps, the last one the current page),
    ``current_url_name`` and ``nav_trail`` (the URL names on the way, for the menus)."""
    match = request.resolver_match
    if match is None:
        return {"breadcrumbs": [], "current_url_name": "", "nav_trail": ()}

    def home_url() -> str:
        role = getattr(request, "acting_role", None)
        return getattr(role, "url", None) or reverse(HOME)

    steps = trail(match.view_name, match.kwargs, home_url)
    return {
        "breadcrumbs": steps,
        "current_url_name": match.view_name,
        "nav_trail": tuple(step.name for step in steps),
    }

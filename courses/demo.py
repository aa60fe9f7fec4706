"""Demo data of the courses app for ``make run`` (``seed_demo`` calls ``demo_extra_load``).
Each part of the app adds its own loader here."""

from __future__ import annotations


def demo_extra_load() -> None:
    # --- institutions, qualifications, instructors, integrity (s4-orgs) ---
    from courses.demo_orgs import demo_orgs_load

    demo_orgs_load()
    # --- subject guides and course plans (s4-plans) ---
    from courses.demo_plans import demo_plans_load

    demo_plans_load()
    # --- classes and enrolment (s4-classes) ---
    from courses.demo_classes import demo_classes_load

    demo_classes_load()
    # --- online public-subject study (s4-online) ---
    from courses.demo_online import demo_online_load

    demo_online_load()

"""Demo data of the courses app for ``make run`` (``seed_demo`` calls ``demo_extra_load``).
Each part of the app adds its own loader here."""

from __future__ import annotations


def demo_extra_load() -> None:
    # --- subject guides and course plans (s4-plans) ---
    from courses.demo_plans import demo_plans_load

    demo_plans_load()

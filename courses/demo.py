"""Demo data of the courses app for ``make run`` (``seed_demo`` calls ``demo_extra_load``).
Each part of issue 9 adds its own loader here."""

from __future__ import annotations


def demo_extra_load() -> None:
    from courses.demo_classes import demo_classes_load

    demo_classes_load()

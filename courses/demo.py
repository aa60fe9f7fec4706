"""Demo data of the courses app for ``make run`` (``seed_demo`` calls ``demo_extra_load``)."""

from __future__ import annotations

from courses.demo_online import demo_online_load


def demo_extra_load() -> None:
    demo_online_load()

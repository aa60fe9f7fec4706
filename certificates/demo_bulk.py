"""Demo data for bulk printing and the pre-2019 history (called from ``certificates.demo``)."""

from __future__ import annotations

from django.conf import settings

from accounts.api import Organisation, User
from certificates.services.bulk_print import bulk_print_start
from certificates.services.history import history_import

HISTORY_FILES = ("history-certificates.csv", "history-records.csv")


def demo_history_load() -> None:
    """The sample CSV files of the old city system (fixtures/): the demo person 张三 and the
    reviewer 王五 have certificates and records from 2015-2018."""
    for name in HISTORY_FILES:
        path = settings.BASE_DIR / "fixtures" / name
        history_import(text=path.read_text(encoding="utf-8-sig"), source=name)


def demo_print_load(*, actor: User, employer: Organisation, year: int) -> None:
    """A bulk print (ZIP) of the year's certificates (built at once when tasks run eagerly)."""
    bulk_print_start(actor=actor, organisation=employer, year=year, format="zip")

"""The region and professional-series catalogues kept in fixtures/.

Loaded by migration 0002 (with the historical models it passes in) and again by
`catalogues_ensure()` wherever a database was flushed (transactional tests).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def catalogues_load(region_model: Any, series_model: Any) -> None:
    for row in json.loads((FIXTURES / "regions.json").read_text(encoding="utf-8")):
        fields = dict(row["fields"])  # parents come before their children in the file
        parent = fields.pop("parent")
        region_model.objects.update_or_create(
            pk=row["pk"], defaults={**fields, "parent_id": parent}
        )
    for row in json.loads((FIXTURES / "series.json").read_text(encoding="utf-8")):
        fields = dict(row["fields"])
        series_model.objects.update_or_create(code=fields.pop("code"), defaults=fields)


def catalogues_ensure() -> None:
    """Load the catalogues if they are missing (after a flush)."""
    from accounts.models import ProfessionalSeries, Region

    if not Region.objects.exists() or not ProfessionalSeries.objects.exists():
        catalogues_load(Region, ProfessionalSeries)

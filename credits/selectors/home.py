"""What the credits app adds to the home pages (registered with ``accounts.api`` in
``CreditsConfig.ready()``, so accounts never imports credits)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.api import Organisation, Person, Waiting
from credits.models import YearSummary
from credits.selectors.records import person_attention_records
from credits.selectors.review import recheck_open_samples, records_waiting_count

OPEN_SAMPLES_SHOWN = 5
ATTENTION_LIMIT = 10


def organisation_waiting(organisation: Organisation, perms: frozenset[str]) -> list[Waiting]:
    """CE records waiting for an employer's review, or an HRSS office's open recheck samples
    (for members who review records)."""
    if "review_records" not in perms:
        return []
    org_kw = {"organisation_id": organisation.pk}
    if organisation.kind == Organisation.Kind.EMPLOYER:
        queue = reverse("credits:review_queue", kwargs=org_kw)
        count = records_waiting_count(organisation)
        return [Waiting(_("Records awaiting review"), count, f"{queue}?status=submitted")]
    if organisation.kind != Organisation.Kind.HRSS:
        return []
    samples = recheck_open_samples(organisation)
    items = [
        Waiting(
            _("Records to recheck in the sample drawn %(drawn)s")
            % {"drawn": date_format(timezone.localtime(drawn), "Y-m-d H:i")},
            pending,
            reverse("credits:recheck_sample", kwargs={**org_kw, "sample_id": sample_id}),
        )
        for sample_id, drawn, pending in samples[:OPEN_SAMPLES_SHOWN]
    ]
    if len(samples) > OPEN_SAMPLES_SHOWN or not samples:
        items.append(
            Waiting(
                _("Recheck samples not finished"),
                len(samples),
                reverse("credits:recheck_samples", kwargs=org_kw),
            )
        )
    return items


def person_home(person: Person) -> dict[str, object]:
    """This year's hours and the records that need the person."""
    year = timezone.localdate().year
    alerts = list(person_attention_records(person.pk, since_year=year - 1)[: ATTENTION_LIMIT + 1])
    return {
        "ce_year": year,
        "ce_summary": YearSummary.objects.filter(person_id=person.pk, year=year).first(),
        "ce_alerts": alerts[:ATTENTION_LIMIT],
        "ce_alerts_more": len(alerts) > ATTENTION_LIMIT,
    }

"""HRSS's pages about sync partners (server-rendered)."""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.api import Organisation, org_access
from partners import dashboard
from partners.dashboard import PartnerRow
from portal import exports
from portal.http import AuthedRequest

HRSS = Organisation.Kind.HRSS

COLUMNS: list[exports.Column[PartnerRow]] = [
    exports.Column(_lazy("Partner"), lambda r: r.partner.name),
    exports.Column(_lazy("Kind"), lambda r: r.partner.get_kind_display()),
    exports.Column(_lazy("Active"), lambda r: _("Yes") if r.partner.active else _("No")),
    exports.Column(_lazy("Pushes (14 days)"), lambda r: r.pushes),
    exports.Column(_lazy("Accepted (30 days)"), lambda r: r.outcomes["accepted"]),
    exports.Column(_lazy("Updated (30 days)"), lambda r: r.outcomes["updated"]),
    exports.Column(_lazy("Unchanged (30 days)"), lambda r: r.outcomes["unchanged"]),
    exports.Column(_lazy("Withdrawn (30 days)"), lambda r: r.outcomes["withdrawn"]),
    exports.Column(_lazy("Rejected (30 days)"), lambda r: r.outcomes["rejected"]),
    exports.Column(_lazy("Top reasons for rejection"), lambda r: r.reasons_text),
    exports.Column(_lazy("Open jobs"), lambda r: r.open_jobs),
    exports.Column(_lazy("Records counted"), lambda r: r.records["counted"]),
    exports.Column(_lazy("Records withdrawn"), lambda r: r.records["withdrawn"]),
    exports.Column(_lazy("Records revoked"), lambda r: r.records["revoked"]),
    exports.Column(_lazy("Keys (last use)"), lambda r: r.keys_text),
]


@org_access(HRSS)
def partner_dashboard(request: AuthedRequest, organisation: Organisation) -> HttpResponse:
    return render(
        request,
        "partners/dashboard.html",
        {
            "organisation": organisation,
            "rows": dashboard.partner_dashboard(),
            "window_days": dashboard.WINDOW_DAYS,
            "days_shown": dashboard.DAYS_SHOWN,
        },
    )


@org_access(HRSS)
def partner_dashboard_export(
    request: AuthedRequest, organisation: Organisation, fmt: str
) -> HttpResponseBase:
    """The dashboard's figures, one row per partner."""
    return exports.export_response(
        rows=dashboard.partner_dashboard(),
        columns=COLUMNS,
        fmt=fmt,
        filename=f"sync-partners-{timezone.localdate():%Y%m%d}",
        title=_("Sync partners"),
    )

"""HRSS's pages about sync partners (server-rendered)."""

from __future__ import annotations

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.api import Organisation, org_access
from partners import dashboard
from partners.dashboard import PartnerRow
from portal import exports
from portal.http import AuthedRequest

HRSS = Organisation.Kind.HRSS

COLUMNS: list[exports.Column[PartnerRow]] = [
    exports.Column(gettext_lazy("Partner"), lambda r: r.partner.name),
    exports.Column(gettext_lazy("Kind"), lambda r: r.partner.get_kind_display()),
    exports.Column(gettext_lazy("Active"), lambda r: _("Yes") if r.partner.active else _("No")),
    exports.Column(gettext_lazy("Pushes (14 days)"), lambda r: r.pushes),
    exports.Column(gettext_lazy("Accepted (30 days)"), lambda r: r.outcomes["accepted"]),
    exports.Column(gettext_lazy("Updated (30 days)"), lambda r: r.outcomes["updated"]),
    exports.Column(gettext_lazy("Unchanged (30 days)"), lambda r: r.outcomes["unchanged"]),
    exports.Column(gettext_lazy("Withdrawn (30 days)"), lambda r: r.outcomes["withdrawn"]),
    exports.Column(gettext_lazy("Rejected (30 days)"), lambda r: r.outcomes["rejected"]),
    exports.Column(gettext_lazy("Top reasons for rejection"), lambda r: r.reasons_text),
    exports.Column(gettext_lazy("Open jobs"), lambda r: r.open_jobs),
    exports.Column(gettext_lazy("Records counted"), lambda r: r.records["counted"]),
    exports.Column(gettext_lazy("Records withdrawn"), lambda r: r.records["withdrawn"]),
    exports.Column(gettext_lazy("Records revoked"), lambda r: r.records["revoked"]),
    exports.Column(gettext_lazy("Keys (last use)"), lambda r: r.keys_text),
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

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from certificates.models import Certificate, CertificateSeries, VerificationLookup


class ReadOnlyAdmin(admin.ModelAdmin):
    """Certificates change only through the services (issue, reissue, revoke): audited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "person_name", "year", "status", "issued_at"]
    list_filter = ["status", "year"]
    search_fields = ["number"]
    raw_id_fields = ["person", "employer", "superseded_by"]


@admin.register(CertificateSeries)
class CertificateSeriesAdmin(ReadOnlyAdmin):
    list_display = ["year", "region_code", "last_serial"]


@admin.register(VerificationLookup)
class VerificationLookupAdmin(ReadOnlyAdmin):
    list_display = ["at", "channel", "number", "outcome", "ip"]
    list_filter = ["channel", "outcome"]

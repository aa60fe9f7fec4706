"""HRSS registers sync partners in the admin site: creating a partner or a key shows the key
once (a message); keys are rotated or revoked by actions; the logs are read-only.  Every
change goes through ``partners.services.keys`` (audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from credits.api import RecordCategory
from partners.models import IdempotencyRecord, KeyUse, Partner, PartnerKey, SyncJob
from partners.services.keys import (
    IssuedKey,
    key_create,
    key_revoke,
    key_rotate,
    partner_create,
    partner_update,
)


class PartnerForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("categories it may push"),
        choices=RecordCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Partner
        fields = ["name", "kind", "series", "categories", "active"]
        widgets = {"series": forms.CheckboxSelectMultiple}


def _show_key(request: HttpRequest, issued: IssuedKey) -> None:
    messages.warning(
        request,
        _("The new API key of %(partner)s, shown only now: %(key)s")
        % {"partner": issued.key.partner.name, "key": issued.secret},
    )


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerForm
    list_display = ["name", "kind", "active", "created_at"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    actions = ["new_key"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["name", "kind", "key_list"] if obj is not None else []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["name", "kind", "series", "categories", "active"]
        return [*fields, "key_list"] if obj is not None else fields

    @admin.display(description=_("API keys"))
    def key_list(self, obj: Partner) -> str:
        """Prefixes and states only: a key is shown once, when it is created."""
        now = timezone.now()
        lines = []
        state: Any
        for key in obj.keys.order_by("created_at", "pk"):
            if key.revoked_at is not None:
                state = _("revoked")
            elif key.expires_at is not None and key.expires_at <= now:
                state = _("expired")
            elif key.expires_at is not None:
                state = _("valid until %(at)s") % {
                    "at": timezone.localtime(key.expires_at).strftime("%Y-%m-%d %H:%M")
                }
            else:
                state = _("valid")
            lines.append(f"{key.prefix}… ({state})")
        return "; ".join(lines) or "—"

    def save_model(self, request: HttpRequest, obj: Partner, form: Any, change: bool) -> None:
        series = [s.code for s in form.cleaned_data["series"]]
        categories = form.cleaned_data["categories"]
        if change:
            partner_update(
                actor=request.user,  # type: ignore[arg-type]
                partner=obj,
                series=series,
                categories=categories,
                active=form.cleaned_data["active"],
            )
            return
        issued = partner_create(
            actor=request.user,  # type: ignore[arg-type]
            name=obj.name,
            kind=obj.kind,
            series=series,
            categories=categories,
        )
        obj.pk = issued.key.partner.pk
        _show_key(request, issued)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The services set the series (and audit it); nothing else to save."""

    @admin.action(description=_("Create a new API key"))
    def new_key(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        for partner in queryset:
            _show_key(request, key_create(actor=request.user, partner=partner))  # type: ignore[arg-type]


@admin.register(PartnerKey)
class PartnerKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "partner", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["partner"]
    search_fields = ["prefix", "partner__name"]
    fields = ["partner", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = [
        "partner",
        "prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    actions = ["rotate", "revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Rotate (the old key works for the grace period)"))
    def rotate(self, request: HttpRequest, queryset: QuerySet[PartnerKey]) -> None:
        for key in queryset:
            try:
                _show_key(request, key_rotate(actor=request.user, key=key))  # type: ignore[arg-type]
            except ValidationError as exc:
                messages.error(request, f"{key.prefix}…: {'; '.join(exc.messages)}")

    @admin.action(description=_("Revoke now"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[PartnerKey]) -> None:
        for key in queryset:
            key_revoke(actor=request.user, key=key)  # type: ignore[arg-type]
        messages.success(request, _("%(count)d keys revoked.") % {"count": queryset.count()})


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(KeyUse)
class KeyUseAdmin(ReadOnlyAdmin):
    list_display = ["at", "partner", "key_prefix", "method", "path", "status_code"]
    list_filter = ["partner", "status_code"]
    search_fields = ["key_prefix"]


@admin.register(SyncJob)
class SyncJobAdmin(ReadOnlyAdmin):
    list_display = ["pk", "partner", "status", "total", "processed", "rejected", "created_at"]
    list_filter = ["status", "partner"]
    exclude = ["payload"]


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "partner", "key", "state", "response_status"]
    list_filter = ["state", "partner"]
    exclude = ["response_body"]

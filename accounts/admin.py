from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from accounts.models import (
    AuditEntry,
    Employment,
    MembershipInvitation,
    Organisation,
    Person,
    ProfessionalSeries,
    ProfileFact,
    Region,
    User,
)

admin.site.register(User, UserAdmin)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(ProfessionalSeries)
class ProfessionalSeriesAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]


@admin.register(Organisation)
class OrganisationAdmin(GuardedModelAdmin):
    list_display = ["name", "kind", "level", "region", "status", "uscc"]
    list_filter = ["kind", "status", "level"]
    search_fields = ["name", "uscc"]
    list_select_related = ["region"]
    # State changes go through the review screens so that they are audited.
    readonly_fields = ["status", "status_reason"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["real_name", "masked_id_number", "phone"]
    # Exact match only: the list never shows the full number.
    search_fields = ["real_name", "=id_number"]

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj: Person) -> str:
        return obj.masked_id_number


@admin.register(MembershipInvitation)
class MembershipInvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are answered by the invited user on their home page."""

    list_display = ["user", "organisation", "role", "status", "created_at", "decided_at"]
    list_filter = ["status", "role"]
    list_select_related = ["user", "organisation"]
    readonly_fields = [
        "user",
        "organisation",
        "role",
        "status",
        "invited_by",
        "created_at",
        "decided_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Employment)
class EmploymentAdmin(admin.ModelAdmin):
    list_display = ["person", "employer", "status", "requested_at"]
    list_filter = ["status"]
    list_select_related = ["person", "employer"]
    readonly_fields = ["person", "employer", "status", "reason", "decided_at", "ended_at"]


@admin.register(ProfileFact)
class ProfileFactAdmin(admin.ModelAdmin):
    """Read-only: facts are recorded by the person and confirmed by the employer (audited)."""

    list_display = ["person", "kind", "on", "status", "decided_by_employer", "decided_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["person", "decided_by_employer"]
    readonly_fields = [
        "person",
        "kind",
        "on",
        "basis",
        "education",
        "proof",
        "proof_name",
        "proof_content_type",
        "status",
        "reason",
        "decided_by_employer",
        "decided_by",
        "decided_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "target_type", "target_id", "from_state", "to_state"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "reason"]
    list_select_related = ["actor"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

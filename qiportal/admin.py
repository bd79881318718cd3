from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from qiportal.auth import config as sso_config
from qiportal.models import (
    Directorate,
    ExternalIdentity,
    GroupRoleMapping,
    RoleAssignment,
    StrategicPriority,
    Trust,
    User,
    Ward,
)


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name"]

    def has_add_permission(self, request):
        # One trust per install.
        return not Trust.objects.exists() and super().has_add_permission(request)


class WardInline(admin.TabularInline):
    model = Ward
    fields = ["name", "slug", "site", "overload_threshold", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    show_change_link = True


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ["name", "trust"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [WardInline]


@admin.register(Ward)
class WardAdmin(SimpleHistoryAdmin):
    list_display = ["name", "directorate", "site", "overload_threshold", "is_active"]
    list_filter = ["directorate", "site", "is_active"]
    list_select_related = ["directorate"]
    search_fields = ["name", "site", "specialty"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(StrategicPriority)
class StrategicPriorityAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fields = ["role", "ward", "directorate", "granted_by"]
    readonly_fields = ["granted_by"]
    autocomplete_fields = ["ward", "directorate"]
    extra = 0


class ExternalIdentityInline(admin.TabularInline):
    """Links an existing account to the person's single sign-on identity (issuer and subject, never email)."""

    model = ExternalIdentity
    fields = ["issuer", "subject", "created_at", "last_signed_in_at"]
    readonly_fields = ["created_at", "last_signed_in_at"]
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        provider = sso_config.provider()
        if db_field.name == "issuer" and provider:
            field.initial = sso_config.normalise_issuer(provider.issuer)  # so an admin types only the subject
        return field


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "job_title", "directorate", "is_active"]
    list_filter = ["roles__role", "directorate", "is_active", "is_staff"]
    list_select_related = ["directorate"]
    search_fields = ["username", "first_name", "last_name", "email", "job_title"]
    autocomplete_fields = ["line_manager", "directorate"]
    filter_horizontal = ["wards", "groups", "user_permissions"]
    inlines = [RoleAssignmentInline, ExternalIdentityInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Staff profile", {"fields": ["job_title", "directorate", "wards", "line_manager"]}),
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "ward", "directorate"]
    list_filter = ["role", "directorate"]
    list_select_related = ["user", "ward", "directorate"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "ward__name"]
    autocomplete_fields = ["user", "ward", "directorate"]


@admin.register(GroupRoleMapping)
class GroupRoleMappingAdmin(admin.ModelAdmin):
    """Roles given by identity-provider group at each single sign-on; removing a row takes its roles back."""

    list_display = ["group", "role", "ward", "directorate"]
    list_filter = ["role"]
    list_select_related = ["ward", "directorate"]
    search_fields = ["group", "ward__name", "directorate__name"]
    autocomplete_fields = ["ward", "directorate"]

"""Admin for the initiativitis settings and flags (issue 8). Admins edit the load weights and read flag history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import LoadWeights, OverloadFlag


@admin.register(LoadWeights)
class LoadWeightsAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "updated_at"]

    def has_add_permission(self, request):
        return not LoadWeights.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OverloadFlag)
class OverloadFlagAdmin(SimpleHistoryAdmin):
    list_display = ["ward", "opened_at", "load_at_open", "threshold_at_open", "closed_at", "decision"]
    list_filter = ["decision", ("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["ward__name"]
    list_select_related = ["ward"]
    readonly_fields = [f.name for f in OverloadFlag._meta.fields]

    def has_add_permission(self, request):
        return False  # flags are opened by the scan only

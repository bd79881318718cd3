from django.contrib import admin

from excellence.models import Conversation, ExcellenceReport, RecipientResponse, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


class RecipientResponseInline(admin.TabularInline):
    model = RecipientResponse
    extra = 0
    autocomplete_fields = ["recipient"]


class ConversationInline(admin.StackedInline):
    model = Conversation
    extra = 0
    autocomplete_fields = ["participants", "recorded_by"]


@admin.register(ExcellenceReport)
class ExcellenceReportAdmin(admin.ModelAdmin):
    list_display = ["pk", "ward", "team_ward", "reporter", "happened_on", "state", "is_shared", "created_at"]
    list_filter = ["state", "is_shared", "ward__directorate", "ward", "tags"]
    search_fields = ["what_happened", "why_excellent", "reporter__username", "reporter__last_name", "ward__name"]
    autocomplete_fields = ["reporter", "recipients", "tags"]
    raw_id_fields = ["initiative"]
    date_hierarchy = "created_at"
    list_select_related = ["ward", "team_ward", "reporter"]
    inlines = [RecipientResponseInline, ConversationInline]

from django.contrib import admin

from agora.desks import actions
from agora.desks.models import Desk


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    """Desks in the admin, every change recorded in the newsroom's audit trail as on the
    settings page (the members are saved after the desk, hence the two steps)."""

    list_display = ("name", "languages", "sections")
    filter_horizontal = ("members",)

    def save_model(self, request, obj, form, change):
        request.desk_before = actions.described(Desk.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        actions.record_change(request.user, request.desk_before, form.instance)

    def delete_model(self, request, obj):
        before = actions.described(obj)
        super().delete_model(request, obj)
        actions.record_change(request.user, before, None)

    def delete_queryset(self, request, queryset):
        for desk in queryset:
            self.delete_model(request, desk)

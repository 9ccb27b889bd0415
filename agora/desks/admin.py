from django.contrib import admin

from agora.desks.models import Desk


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ("name", "languages", "sections")
    filter_horizontal = ("members",)

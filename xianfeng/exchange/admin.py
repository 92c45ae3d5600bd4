from django.contrib import admin

from xianfeng.exchange.models import ExportRecord, ImportRun, LandlordDeclaration, PersonMerge


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("filename", "kind", "status", "created_by", "created", "updated", "rejected")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in ImportRun._meta.fields]


@admin.register(ExportRecord)
class ExportRecordAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "rows", "revealed")
    list_filter = ("kind", "revealed")
    readonly_fields = [f.name for f in ExportRecord._meta.fields]


@admin.register(PersonMerge)
class PersonMergeAdmin(admin.ModelAdmin):
    list_display = ("merged_at", "kept", "merged_id", "merged_by")
    readonly_fields = [f.name for f in PersonMerge._meta.fields]


@admin.register(LandlordDeclaration)
class LandlordDeclarationAdmin(admin.ModelAdmin):
    list_display = ("building", "landlord_name", "status", "submitted_at")
    list_filter = ("status",)

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from xianfeng.places.models import Building, CareTag, Grid, Household, ResponsibilityZone


@admin.register(Grid)
class GridAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "community", "branch"]
    search_fields = ["code", "name"]
    raw_id_fields = ["community", "branch", "workers"]


@admin.register(Building)
class BuildingAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "grid", "safety_colour"]
    list_filter = ["kind", "safety_colour"]
    search_fields = ["code", "name", "address"]
    raw_id_fields = ["grid", "building_group", "landlord"]


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ["building", "unit", "room", "is_rental"]
    raw_id_fields = ["building"]


@admin.register(ResponsibilityZone)
class ZoneAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "organization"]
    raw_id_fields = ["organization", "members", "buildings", "households"]


admin.site.register(CareTag)

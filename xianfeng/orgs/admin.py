from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from xianfeng.orgs.models import Organization, Pairing


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "code", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent", "secretary"]
    readonly_fields = ["path", "depth"]


@admin.register(Pairing)
class PairingAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "org_a", "org_b", "starts_on", "ends_on"]
    raw_id_fields = ["org_a", "org_b"]

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from xianfeng.people.models import PartyMember, Person, Resident


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "id_number_masked", "mobile_masked", "organization"]
    search_fields = ["name", "name_initials"]
    raw_id_fields = ["organization"]
    # ID numbers and phones are protected: the list shows them masked.


@admin.register(PartyMember)
class PartyMemberAdmin(SimpleHistoryAdmin):
    list_display = ["person", "branch", "kind", "category", "status"]
    list_filter = ["kind", "category", "status"]
    raw_id_fields = ["person", "branch", "residence_community"]


@admin.register(Resident)
class ResidentAdmin(SimpleHistoryAdmin):
    raw_id_fields = ["household", "person"]

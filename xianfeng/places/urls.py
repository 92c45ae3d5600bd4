from django.urls import path

from xianfeng.places import views

app_name = "places"
urlpatterns = [
    path("places/grids/", views.GridListView.as_view(), name="grid_list"),
    path("places/grids/new/", views.GridCreateView.as_view(), name="grid_create"),
    path("places/grids/<int:pk>/", views.GridDetailView.as_view(), name="grid_detail"),
    path("places/grids/<int:pk>/edit/", views.GridEditView.as_view(), name="grid_edit"),
    path("places/grids/<int:pk>/boundary/", views.GridBoundaryView.as_view(), name="grid_boundary"),
    path("places/map/", views.MapView.as_view(), name="map"),
    path("places/buildings/", views.BuildingListView.as_view(), name="building_list"),
    path("places/buildings/new/", views.BuildingCreateView.as_view(), name="building_create"),
    path("places/buildings/<int:pk>/", views.BuildingDetailView.as_view(), name="building_detail"),
    path("places/buildings/<int:pk>/edit/", views.BuildingEditView.as_view(), name="building_edit"),
    path(
        "places/buildings/<int:pk>/households/new/",
        views.HouseholdCreateView.as_view(),
        name="household_create",
    ),
    path(
        "places/households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household_detail"
    ),
    path(
        "places/households/<int:pk>/edit/",
        views.HouseholdEditView.as_view(),
        name="household_edit",
    ),
    path("places/households/pick/", views.HouseholdPickerView.as_view(), name="household_picker"),
    path("zones/", views.ZoneListView.as_view(), name="zone_list"),
    path("zones/new/<int:org_pk>/", views.ZoneCreateView.as_view(), name="zone_create"),
    path("zones/<int:pk>/", views.ZoneDetailView.as_view(), name="zone_detail"),
    path("zones/<int:pk>/edit/", views.ZoneEditView.as_view(), name="zone_edit"),
]

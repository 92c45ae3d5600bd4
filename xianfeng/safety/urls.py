from django.urls import path

from xianfeng.safety import views, views_figures

app_name = "safety"

urlpatterns = [
    path("hazards/", views.HazardListView.as_view(), name="hazard_list"),
    path("hazards/new/", views.HazardReportView.as_view(), name="hazard_create"),
    path("hazards/<int:pk>/", views.HazardDetailView.as_view(), name="hazard_detail"),
    path("hazards/<int:pk>/<str:action>/", views.HazardStepView.as_view(), name="hazard_action"),
    path("due/", views.DueView.as_view(), name="due"),
    path("buildings/<int:pk>/", views.BuildingSafetyView.as_view(), name="building"),
    path("buildings/<int:pk>/inspect/", views.InspectStartView.as_view(), name="inspect"),
    path("buildings/<int:pk>/inspect/all/", views.InspectFormView.as_view(), name="inspect_form"),
    path("buildings/<int:pk>/review/", views.ColourReviewView.as_view(), name="review"),
    path("inspections/<int:pk>/", views.InspectionView.as_view(), name="inspection_detail"),
    path(
        "inspections/<int:pk>/items/<int:item>/",
        views.InspectionItemView.as_view(),
        name="inspection_item",
    ),
    path(
        "inspections/<int:pk>/submit/",
        views.InspectionSubmitView.as_view(),
        name="inspection_submit",
    ),
    path("checklists/", views.ChecklistListView.as_view(), name="checklist_list"),
    path("figures/", views_figures.FiguresView.as_view(), name="figures"),
    path("checklists/<int:pk>/", views.ChecklistDetailView.as_view(), name="template_detail"),
    path("incidents/", views.IncidentListView.as_view(), name="incident_list"),
    path("incidents/new/", views.IncidentCreateView.as_view(), name="incident_create"),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident_detail"),
]

from django.urls import path

from xianfeng.safety import views, views_figures, views_works

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
    # 零星工程: public (no login) filing, its QR code and the filing's own page; then staff.
    path("works/file/", views_works.PublicWorksView.as_view(), name="works_public"),
    path("works/file/qr.svg", views_works.PublicWorksQrView.as_view(), name="works_public_qr"),
    path(
        "works/s/<str:token>/",
        views_works.PublicWorksStatusView.as_view(),
        name="works_public_status",
    ),
    path("works/", views_works.WorksListView.as_view(), name="works_list"),
    path("works/<int:pk>/", views_works.WorksDetailView.as_view(), name="works_detail"),
    path("works/<int:pk>/<str:action>/", views_works.WorksStepView.as_view(), name="works_action"),
    path(
        "buildings/<int:pk>/unfiled-works/",
        views_works.UnfiledWorksView.as_view(),
        name="works_unfiled",
    ),
    # 集中整治日.
    path("focus/", views_works.FocusListView.as_view(), name="focus_list"),
    path("focus/new/", views_works.FocusCreateView.as_view(), name="focus_create"),
    path("focus/<int:pk>/", views_works.FocusDetailView.as_view(), name="focus_detail"),
    path("focus/<int:pk>/<str:action>/", views_works.FocusStepView.as_view(), name="focus_action"),
]

from django.urls import path

from xianfeng.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.DataHomeView.as_view(), name="home"),
    path("imports/new/", views.ImportCreateView.as_view(), name="import_new"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/apply/", views.ImportApplyView.as_view(), name="import_apply"),
    path("imports/<int:pk>/retry/", views.ImportRetryView.as_view(), name="import_retry"),
    path("imports/<int:pk>/report.xlsx", views.ImportReportView.as_view(), name="import_report"),
    path("templates/<str:kind>.<str:ext>", views.TemplateView.as_view(), name="template"),
    path("export/<str:kind>/", views.ExportView.as_view(), name="export"),
    path("exports/", views.ExportListView.as_view(), name="exports"),
    path("audit/", views.AuditLogView.as_view(), name="audit"),
    path("exports/<int:pk>/", views.ExportDetailView.as_view(), name="export_detail"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export_download"),
    path("duplicates/", views.DuplicatesView.as_view(), name="duplicates"),
    path("duplicates/merge/", views.MergeView.as_view(), name="merge"),
    path("declarations/", views.DeclarationListView.as_view(), name="declarations"),
    path(
        "declarations/<int:pk>/", views.DeclarationDetailView.as_view(), name="declaration_detail"
    ),
    path(
        "declarations/<int:pk>/<str:verb>/",
        views.DeclarationReviewView.as_view(),
        name="declaration_review",
    ),
    path("buildings/<int:pk>/qr/", views.BuildingQrView.as_view(), name="building_qr"),
]

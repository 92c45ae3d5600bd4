"""Pages of members in the community, under /work/ with the rest of the 双领 section: their
URL names stay in the ``work`` namespace (``work:townsman_list`` …), which
``xianfeng/urls.py`` assembles."""

from django.urls import path

from xianfeng.community import views, views_service

urlpatterns = [
    path("work/townsmen/", views.TownsmanListView.as_view(), name="townsman_list"),
    path("work/townsmen/<int:pk>/", views.TownsmanDetailView.as_view(), name="townsman_detail"),
    path("work/service/", views_service.MyServiceView.as_view(), name="my_service"),
    path("work/sessions/", views_service.SessionListView.as_view(), name="session_list"),
    path(
        "work/sessions/<int:pk>/", views_service.SessionDetailView.as_view(), name="session_detail"
    ),
    path(
        "work/sessions/<int:pk>/<str:action>/",
        views_service.SessionStepView.as_view(),
        name="session_action",
    ),
    path("work/teams/", views_service.TeamListView.as_view(), name="team_list"),
    path("work/teams/<int:pk>/", views_service.TeamDetailView.as_view(), name="team_detail"),
    path("work/records/", views_service.RecordListView.as_view(), name="record_list"),
    path("work/records/due/", views_service.RecordDueView.as_view(), name="record_due"),
    path(
        "work/records/new/<int:pk>/",
        views_service.RecordCreateView.as_view(),
        name="record_create",
    ),
    path("work/records/<int:pk>/", views_service.RecordDetailView.as_view(), name="record_detail"),
    path("work/records/<int:pk>/pdf/", views_service.RecordPdfView.as_view(), name="record_pdf"),
    path(
        "work/mobile-members/",
        views_service.MobileMemberProgressView.as_view(),
        name="mobile_members",
    ),
    path(
        "work/mobile-services/pick/",
        views_service.MobileMemberPickerView.as_view(),
        name="mobile_member_picker",
    ),
    path(
        "work/mobile-services/",
        views_service.MobileServiceListView.as_view(),
        name="mobile_services",
    ),
]

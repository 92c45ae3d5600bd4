from django.urls import path

from xianfeng.people import lifecycle_views, views

app_name = "people"
urlpatterns = [
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("members/new/", views.MemberCreateView.as_view(), name="member_create"),
    path("members/pick/", views.MemberPickerView.as_view(), name="member_picker"),
    path("members/<int:pk>/", views.MemberDetailView.as_view(), name="member_detail"),
    path("members/<int:pk>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path("persons/<int:pk>/reveal/", views.RevealView.as_view(), name="person_reveal"),
    path("members/<int:pk>/cases/", lifecycle_views.MemberCasesView.as_view(), name="member_cases"),
    path(
        "members/<int:pk>/do/<str:action>/",
        lifecycle_views.MemberActionView.as_view(),
        name="member_action",
    ),
    path(
        "members/<int:pk>/step/<str:action>/",
        lifecycle_views.MemberStepView.as_view(),
        name="member_step",
    ),
    path(
        "member-cases/<int:pk>/", lifecycle_views.MemberCaseDetailView.as_view(), name="case_detail"
    ),
    path(
        "member-cases/<int:pk>/<str:action>/",
        lifecycle_views.CaseActionView.as_view(),
        name="case_action",
    ),
]

from django.urls import path

from xianfeng.public import views

app_name = "public"

urlpatterns = [
    # Residents (no login).
    path("c/<str:code>/", views.WallView.as_view(), name="wall"),
    path("c/<str:code>/echo/", views.EchoWallView.as_view(), name="echo"),
    path("c/<str:code>/report/", views.ReportView.as_view(), name="report"),
    path("p/<str:code>/", views.ProblemPublicView.as_view(), name="problem"),
    path("p/<str:code>/<str:secret>/", views.FollowView.as_view(), name="follow"),
    path("zones/<str:code>/", views.ZoneBoardView.as_view(), name="board"),
    path("zones/<str:code>/qr.svg", views.ZoneQrView.as_view(), name="board_qr"),
    path("zones/<str:code>/poster.pdf", views.ZonePosterView.as_view(), name="board_poster"),
    # Staff.
    path("problems/", views.ProblemListView.as_view(), name="problem_list"),
    path("problems/new/", views.ProblemRaiseView.as_view(), name="problem_raise"),
    path("problems/<int:pk>/", views.ProblemDetailView.as_view(), name="problem_detail"),
    path("problems/<int:pk>/edit/", views.ProblemTextEditView.as_view(), name="problem_edit"),
    path(
        "problems/<int:pk>/edit-result/",
        views.EchoResultEditView.as_view(),
        name="problem_edit_result",
    ),
    path(
        "problems/<int:pk>/<str:action>/",
        views.ProblemStepView.as_view(),
        name="problem_action",
    ),
    path("board/", views.BoardChoiceView.as_view(), name="board_choice"),
]

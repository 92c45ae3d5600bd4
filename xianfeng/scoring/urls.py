from django.urls import path

from xianfeng.scoring import views, views_dashboard

app_name = "scoring"

urlpatterns = [
    path("", views.MyPointsView.as_view(), name="mine"),
    path("rules/", views.RulesView.as_view(), name="rules"),
    path("rules/<int:pk>/", views.RuleDetailView.as_view(), name="rule_detail"),
    path("recompute/", views.RecomputeView.as_view(), name="recompute"),
    path("leaderboard/", views.LeaderboardView.as_view(), name="leaderboard"),
    path("leaderboard/<int:org>/public/", views.BoardSetView.as_view(), name="board_set"),
    path("public/<int:org>/", views.PublicBoardView.as_view(), name="public_board"),
    path("adjustments/", views.AdjustmentListView.as_view(), name="adjustment_list"),
    path("adjustments/new/", views.AdjustmentCreateView.as_view(), name="adjustment_create"),
    path("adjustments/<int:pk>/", views.AdjustmentDetailView.as_view(), name="adjustment_detail"),
    path(
        "adjustments/<int:pk>/<str:action>/",
        views.AdjustmentStepView.as_view(),
        name="adjustment_action",
    ),
    path("appeals/", views.AppealListView.as_view(), name="appeal_list"),
    path("appeals/new/", views.AppealCreateView.as_view(), name="appeal_create"),
    path("appeals/<int:pk>/", views.AppealDetailView.as_view(), name="appeal_detail"),
    path("appeals/<int:pk>/<str:action>/", views.AppealStepView.as_view(), name="appeal_action"),
    path("dashboard/", views_dashboard.DashboardView.as_view(), name="dashboard"),
    path("anomalies/", views.AnomalyView.as_view(), name="anomalies"),
    path("stars/", views.StarListView.as_view(), name="stars"),
    path("stars/<int:pk>/", views.StarDetailView.as_view(), name="star_detail"),
]

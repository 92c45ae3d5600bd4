from django.urls import path

from xianfeng.scoring import (
    views,
    views_assessment,
    views_award,
    views_conduct,
    views_dashboard,
    views_declaration,
    views_evaluation,
    views_memberfile,
    views_units,
)

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
    # 自行申报 (self-declared acts with a photo)
    path("declared/", views_declaration.DeclarationListView.as_view(), name="self_declared_list"),
    path(
        "declared/new/",
        views_declaration.DeclarationCreateView.as_view(),
        name="self_declared_create",
    ),
    path("declared/kinds/", views_declaration.KindListView.as_view(), name="self_declared_kinds"),
    path(
        "declared/<int:pk>/",
        views_declaration.DeclarationDetailView.as_view(),
        name="self_declared_detail",
    ),
    path(
        "declared/<int:pk>/<str:action>/",
        views_declaration.DeclarationStepView.as_view(),
        name="self_declared_action",
    ),
    # 评优评先征求社区意见 (a resident unit asks the community)
    path("awards/", views_award.OpinionListView.as_view(), name="award_opinions"),
    path("awards/<int:pk>/", views_award.OpinionDetailView.as_view(), name="award_opinion_detail"),
    path(
        "awards/<int:pk>/<str:action>/",
        views_award.OpinionStepView.as_view(),
        name="award_opinion_action",
    ),
    # 不合格党员处置 (the procedure a landlord's violation starts)
    path("conduct/", views_conduct.CaseListView.as_view(), name="conduct_list"),
    path("conduct/<int:pk>/", views_conduct.CaseDetailView.as_view(), name="conduct_detail"),
    path(
        "conduct/<int:pk>/<str:action>/",
        views_conduct.CaseStepView.as_view(),
        name="conduct_action",
    ),
    path("dashboard/", views_dashboard.DashboardView.as_view(), name="dashboard"),
    path("anomalies/", views.AnomalyView.as_view(), name="anomalies"),
    path("stars/", views.StarListView.as_view(), name="stars"),
    path("stars/<int:pk>/", views.StarDetailView.as_view(), name="star_detail"),
    # 民主评议 (democratic evaluation)
    path("evaluations/", views_evaluation.RoundListView.as_view(), name="evaluation_list"),
    path(
        "evaluations/<int:pk>/",
        views_evaluation.RoundDetailView.as_view(),
        name="evaluation_detail",
    ),
    path(
        "evaluations/<int:pk>/codes/",
        views_evaluation.RoundCodesView.as_view(),
        name="evaluation_codes",
    ),
    path(
        "evaluations/<int:pk>/<str:action>/",
        views_evaluation.RoundStepView.as_view(),
        name="evaluation_action",
    ),
    path("evaluate/<int:pk>/", views_evaluation.BallotView.as_view(), name="evaluation_vote"),
    # 考核 (assessment)
    path("assessment/", views_assessment.CycleListView.as_view(), name="assessment"),
    path("assessment/units/", views_units.UnitReviewView.as_view(), name="unit_reviews"),
    path("assessment/sets/", views_assessment.SetListView.as_view(), name="indicator_sets"),
    path(
        "assessment/sets/<int:pk>/", views_assessment.SetDetailView.as_view(), name="indicator_set"
    ),
    path(
        "assessment/sets/<int:pk>/indicators/",
        views_assessment.IndicatorAddView.as_view(),
        name="indicator_add",
    ),
    path(
        "assessment/sets/<int:pk>/cycles/",
        views_assessment.CycleCreateView.as_view(),
        name="cycle_create",
    ),
    path(
        "assessment/cycles/<int:pk>/",
        views_assessment.CycleDetailView.as_view(),
        name="cycle_detail",
    ),
    path(
        "assessment/cycles/<int:pk>/refresh/",
        views_assessment.CycleRefreshView.as_view(),
        name="cycle_refresh",
    ),
    path(
        "assessment/cycles/<int:pk>/<str:action>/",
        views_assessment.CycleStepView.as_view(),
        name="cycle_action",
    ),
    path(
        "assessment/<int:pk>/",
        views_assessment.AssessmentDetailView.as_view(),
        name="assessment_detail",
    ),
    path(
        "assessment/<int:pk>/<str:what>/",
        views_assessment.AssessmentPostView.as_view(),
        name="assessment_post",
    ),
    # 党员年度档案 (annual member file)
    path("files/", views_memberfile.FileIndexView.as_view(), name="member_files"),
    path("files/<int:pk>/", views_memberfile.FileView.as_view(), name="member_file"),
    path("files/<int:pk>/pdf/", views_memberfile.FilePdfView.as_view(), name="member_file_pdf"),
]

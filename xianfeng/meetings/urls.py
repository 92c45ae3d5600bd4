from django.urls import path

from xianfeng.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.MeetingListView.as_view(), name="meeting_list"),
    path("new/", views.MeetingPlanView.as_view(), name="meeting_create"),
    path("<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("<int:pk>/sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("<int:pk>/record/", views.RecordView.as_view(), name="record"),
    path("<int:pk>/minutes/", views.MinutesView.as_view(), name="minutes"),
    path("<int:pk>/decisions/", views.DecisionView.as_view(), name="decision_add"),
    path(
        "<int:pk>/decisions/<int:decision>/problem/",
        views.DecisionProblemView.as_view(),
        name="decision_problem",
    ),
    path(
        "<int:pk>/decisions/<int:decision>/project/",
        views.DecisionProjectView.as_view(),
        name="decision_project",
    ),
    path("<int:pk>/photos/", views.PhotosView.as_view(), name="photos"),
    path("<int:pk>/items/", views.ItemView.as_view(), name="item_add"),
    path("publicity/", views.PublicityListView.as_view(), name="publicity_list"),
    path("publicity/new/", views.PublicityFormView.as_view(), name="publicity_create"),
    path("selections/", views.SelectionListView.as_view(), name="selection_list"),
    path("selections/new/", views.SelectionCreateView.as_view(), name="selection_create"),
    path("selections/<int:pk>/", views.SelectionDetailView.as_view(), name="selection_detail"),
    path("selections/<int:pk>/nominate/", views.NominateView.as_view(), name="nominate"),
    path("selections/<int:pk>/codes/", views.CodesView.as_view(), name="codes"),
    path("selections/<int:pk>/ballots/", views.BallotAuditView.as_view(), name="ballots"),
    path(
        "selections/<int:pk>/<str:action>/",
        views.SelectionStepView.as_view(),
        name="selection_action",
    ),
    path("vote/<int:pk>/", views.VoteView.as_view(), name="vote"),
    path("rhythm/", views.RhythmView.as_view(), name="rhythm"),
    path("rules/new/", views.RuleFormView.as_view(), name="rule_create"),
    path("rules/<int:pk>/", views.RuleFormView.as_view(), name="rule_edit"),
    path("public/<int:pk>/", views.PublicDecisionsView.as_view(), name="public_decisions"),
    path("<int:pk>/<str:action>/", views.MeetingStepView.as_view(), name="meeting_action"),
]

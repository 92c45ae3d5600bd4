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
    path("<int:pk>/photos/", views.PhotosView.as_view(), name="photos"),
    path("public/<int:pk>/", views.PublicDecisionsView.as_view(), name="public_decisions"),
    path("<int:pk>/<str:action>/", views.MeetingStepView.as_view(), name="meeting_action"),
]

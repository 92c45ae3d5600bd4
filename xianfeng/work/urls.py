"""Pages of 双领 under /work/. The visits and community apps add their pages to the same
``work`` namespace (assembled in ``xianfeng/urls.py``), so URL names stay as they were."""

from django.urls import path

from xianfeng.work import views

app_name = "work"
urlpatterns = [
    path("work/campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("work/campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("work/campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path(
        "work/campaigns/<int:pk>/projects/new/",
        views.ProjectCreateView.as_view(),
        name="project_create",
    ),
    path("work/projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("work/projects/<int:pk>/tasks/new/", views.TaskCreateView.as_view(), name="task_create"),
    path(
        "work/projects/<int:pk>/supervise/",
        views.SupervisionCreateView.as_view(),
        name="supervision_create",
    ),
    path(
        "work/supervisions/<int:pk>/answer/",
        views.SupervisionAnswerView.as_view(),
        name="supervision_answer",
    ),
    path("work/tasks/", views.TaskListView.as_view(), name="task_list"),
    path("work/tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("work/tasks/<int:pk>/<str:verb>/", views.TaskActionView.as_view(), name="task_action"),
]

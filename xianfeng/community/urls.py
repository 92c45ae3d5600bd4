"""Pages of members in the community, under /work/ with the rest of the 双领 section: their
URL names stay in the ``work`` namespace (``work:townsman_list`` …), which
``xianfeng/urls.py`` assembles."""

from django.urls import path

from xianfeng.community import views

urlpatterns = [
    path("work/townsmen/", views.TownsmanListView.as_view(), name="townsman_list"),
    path("work/townsmen/<int:pk>/", views.TownsmanDetailView.as_view(), name="townsman_detail"),
]

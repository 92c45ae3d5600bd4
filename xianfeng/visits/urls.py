"""Pages of visits, under /work/ with the rest of the 双领 section: their URL names stay in
the ``work`` namespace (``work:visit_list`` …), which ``xianfeng/urls.py`` assembles."""

from django.urls import path

from xianfeng.visits import views

urlpatterns = [
    path("work/visits/", views.VisitListView.as_view(), name="visit_list"),
    path("work/visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("work/visits/households/", views.HouseholdPickerView.as_view(), name="household_picker"),
    path("work/visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("work/visits/<int:pk>/<str:action>/", views.VisitStepView.as_view(), name="visit_action"),
    path("work/visits/moved/", views.MovedHouseholdListView.as_view(), name="moved_households"),
    path("work/coverage/", views.CoverageView.as_view(), name="coverage"),
    path("work/paired-checks/", views.PairedChecksView.as_view(), name="paired_checks"),
    path("work/coverage/not-visited/", views.NotVisitedView.as_view(), name="not_visited"),
]

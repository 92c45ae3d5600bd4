from django.urls import path

from xianfeng.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.TreeView.as_view(), name="tree"),
    path("pick/", views.OrganizationPickerView.as_view(), name="picker"),
    path("<int:pk>/", views.DetailView.as_view(), name="detail"),
    path("<int:pk>/children/", views.ChildrenView.as_view(), name="children"),
    path("<int:pk>/new/", views.CreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.EditView.as_view(), name="edit"),
    path("<int:pk>/move/", views.MoveView.as_view(), name="move"),
    path("<int:pk>/delete/", views.DeleteView.as_view(), name="delete"),
    path("<int:pk>/pairings/new/", views.PairingCreateView.as_view(), name="pairing_create"),
    path("pairings/<int:pk>/", views.PairingDetailView.as_view(), name="pairing_detail"),
    path(
        "pairings/<int:pk>/deliveries/new/",
        views.PairingDeliveryCreateView.as_view(),
        name="pairing_delivery_create",
    ),
]

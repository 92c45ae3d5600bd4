from django.urls import path

from xianfeng.services import views, views_complaint

app_name = "services"

urlpatterns = [
    # Public (no login): the three lists, the order form, the order's page, the short code.
    path("public/", views.PublicMenuView.as_view(), name="public_menu"),
    path("public/order/", views.PublicOrderView.as_view(), name="public_order"),
    path("public/rate/", views.PublicCodeView.as_view(), name="public_code"),
    path("r/<str:token>/", views.PublicStatusView.as_view(), name="public_order_status"),
    path(
        "r/<str:token>/complaint/",
        views_complaint.PublicComplaintView.as_view(),
        name="public_complaint",
    ),
    # Staff.
    path("lists/<str:kind>/", views.ListView.as_view(), name="list"),
    path("lists/<str:kind>/new/", views.ItemFormView.as_view(), name="item_create"),
    path("lists/<str:kind>/<int:pk>/", views.ItemFormView.as_view(), name="item_edit"),
    path("orders/", views.OrderListView.as_view(), name="order_list"),
    path("orders/queue/", views.QueueView.as_view(), name="queue"),
    path("orders/new/", views.ProxyOrderView.as_view(), name="order_create"),
    path("orders/contact-log/", views.ContactLogView.as_view(), name="contact_log"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order_detail"),
    path("orders/<int:pk>/<str:action>/", views.OrderStepView.as_view(), name="order_action"),
    path("complaints/", views_complaint.ComplaintListView.as_view(), name="complaint_list"),
    path("complaints/new/", views_complaint.ComplaintRecordView.as_view(), name="complaint_create"),
    path(
        "complaints/<int:pk>/",
        views_complaint.ComplaintDetailView.as_view(),
        name="complaint_detail",
    ),
    path(
        "complaints/<int:pk>/<str:action>/",
        views_complaint.ComplaintStepView.as_view(),
        name="complaint_action",
    ),
]

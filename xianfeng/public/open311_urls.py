"""``/open311/v2/`` (GeoReport v2); mounted in ``xianfeng/urls.py``."""

from django.urls import path

from xianfeng.public import open311

app_name = "open311"

urlpatterns = [
    path("discovery.<str:fmt>", open311.DiscoveryView.as_view(), name="discovery"),
    path("services.<str:fmt>", open311.ServicesView.as_view(), name="services"),
    path("services/<str:code>.<str:fmt>", open311.ServiceDefinitionView.as_view(), name="service"),
    path("requests.<str:fmt>", open311.RequestsView.as_view(), name="requests"),
    path("requests/<str:rid>.<str:fmt>", open311.RequestView.as_view(), name="request"),
    path("request/<str:rid>.<str:fmt>", open311.RequestView.as_view(), name="request_alt"),
    path("tokens/<str:token>.<str:fmt>", open311.TokenView.as_view(), name="token"),
]

from django.contrib import admin
from django.urls import include, path

from xianfeng.api import api
from xianfeng.community import urls as community_urls
from xianfeng.core import offline, twofactor_views
from xianfeng.core import views as core_views
from xianfeng.exchange import views as exchange_views
from xianfeng.visits import urls as visits_urls
from xianfeng.work import urls as work_urls

# The 双领 section (/work/…) spans three apps; its URL names stay in one namespace, "work".
work_section = (
    work_urls.urlpatterns + visits_urls.urlpatterns + community_urls.urlpatterns,
    work_urls.app_name,
)

urlpatterns = [
    path("", core_views.HomeView.as_view(), name="home"),
    path("login/", core_views.login_view, name="login"),
    path("login/verify/", twofactor_views.verify_view, name="login_verify"),
    path("login/setup/", twofactor_views.setup_view, name="login_setup"),
    path("account/2fa/", twofactor_views.TwoFactorView.as_view(), name="twofactor"),
    path("logout/", core_views.logout_view, name="logout"),
    path("search/", core_views.SearchView.as_view(), name="search"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("offline/", offline.offline_page, name="offline"),
    path("offline/outbox/", offline.outbox, name="outbox"),
    path("orgs/", include("xianfeng.orgs.urls")),
    path("", include("xianfeng.people.urls")),
    path("", include("xianfeng.places.urls")),
    path("", include(work_section)),
    path("safety/", include("xianfeng.safety.urls")),
    path("services/", include("xianfeng.services.urls")),
    path("public/", include("xianfeng.public.urls")),
    path("open311/v2/", include("xianfeng.public.open311_urls")),
    path("meetings/", include("xianfeng.meetings.urls")),
    path("scoring/", include("xianfeng.scoring.urls")),
    path("exchange/", include("xianfeng.exchange.urls")),
    path("declare/<str:token>/", exchange_views.DeclareView.as_view(), name="declare"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

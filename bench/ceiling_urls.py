"""URLs of the ceiling benchmark only (``bench/ceiling_settings.py``), never of production: the
project's URLs plus a bare JSON view, the same behind the session and behind a token, so the
benchmark can say how far each list is from what the framework itself costs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import path
from ninja import NinjaAPI

from xianfeng.api import TokenAuth
from xianfeng.urls import urlpatterns as project_urlpatterns


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


bench_api = NinjaAPI(urls_namespace="bench", docs_url=None, openapi_url=None)


@bench_api.get("/token", auth=TokenAuth())
def bare_token(request: HttpRequest) -> dict:
    return {"ok": True}


urlpatterns = [
    path("bench/bare", bare),
    path("bench/session", login_required(bare)),
    path("bench/", bench_api.urls),
    *project_urlpatterns,
]

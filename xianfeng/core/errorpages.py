"""The project's own 404 and 403 pages, in Chinese, in every mode — the demo runs with DEBUG
on, where Django would show its English technical pages. The API keeps its JSON answers
(``xianfeng/api.py``)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


def _is_page(request: HttpRequest) -> bool:
    return not request.path.startswith(("/api/", settings.STATIC_URL, settings.MEDIA_URL))


class ErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # An address no route knows: with DEBUG on Django answers its technical page.
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and _is_page(request)
        ):
            return render(request, "404.html", status=404)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not _is_page(request):
            return None
        if isinstance(exc, Http404):
            return render(request, "404.html", status=404)
        if isinstance(exc, PermissionDenied):
            return render(request, "403.html", {"exception": str(exc)}, status=403)
        return None

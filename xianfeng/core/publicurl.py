"""Absolute addresses for what is printed or scanned: QR codes and posters carry
``XIANFENG_PUBLIC_BASE_URL`` + the path, whatever host the page that made them was opened on."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from django.conf import settings


def public_url(path: str) -> str:
    """``path`` (from ``reverse()``, starting with ``/``) on the site's public base URL."""
    if not path.startswith("/"):
        raise ValueError(f"not an absolute path: {path!r}")
    return f"{settings.XIANFENG_PUBLIC_BASE_URL}{path}"


def qr_svg(url: str, *, box_size: int = 12) -> bytes:
    """A QR code of ``url`` as an SVG document (crisp at any print size)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()

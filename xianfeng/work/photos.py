"""A light check that an uploaded photo is a real image: its first bytes, and its size.

Pillow is not a dependency; the magic numbers of the formats phones produce are enough to
refuse a renamed document or a script, and the size limit keeps the disk and the phone
connection sane. ``settings.XIANFENG_PHOTO_MAX_MB`` (default 10) sets the limit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_PHOTOS = 9


def max_photo_bytes() -> int:
    return settings.XIANFENG_PHOTO_MAX_MB * 1024 * 1024


def sniff_image(head: bytes) -> str | None:
    """The image type from the first bytes, or None when it is not an image we accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        return "image/heic" if head[8:12] != b"avif" else "image/avif"
    return None


def validate_photo(upload: UploadedFile, field: str = "photos") -> str:
    """Answer the photo's content type, or raise a ValidationError in Chinese."""
    name = upload.name or ""
    limit = max_photo_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            {
                field: _("照片“%(name)s”有%(size)sMB，超过了%(limit)sMB的上限，请压缩后再传。")
                % {
                    "name": name,
                    "size": round(upload.size / 1024 / 1024, 1),
                    "limit": limit // 1024 // 1024,
                }
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff_image(head)
    if kind is None:
        raise ValidationError(
            {
                field: _("“%(name)s”不是图片（只接受JPEG、PNG、GIF、WebP、HEIC照片）。")
                % {"name": name}
            }
        )
    return kind


def validate_photos(uploads: list[UploadedFile], field: str = "photos") -> list[str]:
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError({field: _("一次最多上传%(n)d张照片。") % {"n": MAX_PHOTOS}})
    return [validate_photo(u, field) for u in uploads]

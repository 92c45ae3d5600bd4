"""Uploaded photos: checked to be real images, decoded and re-encoded by Pillow, stored under
generated names.

* The first bytes must be an image format phones produce (a renamed document or a script is
  refused at once), and the size at most ``settings.XIANFENG_PHOTO_MAX_MB`` (default 10).
* Pillow then opens it; what it cannot open is refused with a Chinese message. More than
  ``settings.XIANFENG_PHOTO_MAX_PIXELS`` pixels is refused before the pixels are decoded (a
  decompression bomb).
* The picture is re-encoded (JPEG stays JPEG, WebP stays WebP, PNG and GIF become PNG; the
  first frame of an animation), turned upright as its EXIF orientation says, and saved
  **without** its metadata: EXIF (camera, time and the GPS location of the photo), comments
  and whatever was appended after the image (a GIF-headed ``polyglot.html`` keeps nothing of
  its HTML).
* The stored file gets a generated name (``<uuid>.jpg``); the uploader's file name is kept
  nowhere on disk.
"""

from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

MAX_PHOTOS = 9
# Pillow format -> (format written, content type, extension)
_OUTPUT = {
    "JPEG": ("JPEG", "image/jpeg", "jpg"),
    "MPO": ("JPEG", "image/jpeg", "jpg"),  # what some phones' cameras write
    "WEBP": ("WEBP", "image/webp", "webp"),
    "PNG": ("PNG", "image/png", "png"),
    "GIF": ("PNG", "image/png", "png"),
}


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


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def validate_photo(upload: UploadedFile, field: str = "photos") -> str:
    """Answer the photo's content type as sniffed, or raise a ValidationError in Chinese
    (the quick checks: size and first bytes; ``clean_photo`` decodes it)."""
    name = upload.name or ""
    limit = max_photo_bytes()
    if upload.size is not None and upload.size > limit:
        raise _refuse(
            field,
            _("照片“%(name)s”有%(size)sMB，超过了%(limit)sMB的上限，请压缩后再传。")
            % {
                "name": name,
                "size": round(upload.size / 1024 / 1024, 1),
                "limit": limit // 1024 // 1024,
            },
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff_image(head)
    if kind is None:
        raise _refuse(
            field,
            _("“%(name)s”不是图片（只接受JPEG、PNG、GIF、WebP照片）。") % {"name": name},
        )
    return kind


def clean_photo(upload: UploadedFile, field: str = "photos") -> tuple[ContentFile, str]:
    """The photo re-encoded by Pillow without its metadata, under a generated name, and its
    content type; a ValidationError in Chinese when it is not a picture Pillow can read."""
    validate_photo(upload, field)
    name = upload.name or ""
    unreadable = _(
        "无法识别“%(name)s”的图片内容（文件可能已损坏，或不是JPEG、PNG、GIF、WebP照片；"
        "iPhone的HEIC照片请在设置中改为“兼容性最佳”或转成JPEG后再传）。"
    ) % {"name": name}
    max_pixels = settings.XIANFENG_PHOTO_MAX_PIXELS
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            width, height = image.size
            if width * height > max_pixels:
                raise _refuse(
                    field,
                    _(
                        "照片“%(name)s”有%(pixels)s万像素（%(w)d×%(h)d），超过了%(limit)s万像素的上限。"
                    )
                    % {
                        "name": name,
                        "pixels": width * height // 10000,
                        "w": width,
                        "h": height,
                        "limit": max_pixels // 10000,
                    },
                )
            written, content_type, extension = _OUTPUT.get(image.format or "", (None, "", ""))
            if written is None:
                raise _refuse(field, unreadable)
            image.seek(0)
            image.load()
            image = ImageOps.exif_transpose(image)
            if written == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            elif written == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
                image = image.convert("RGBA")
            elif written == "WEBP" and image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            options = {"quality": 90} if written in ("JPEG", "WEBP") else {"optimize": True}
            image.save(out, format=written, **options)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(
            field,
            _("照片“%(name)s”的像素太多，超过了%(limit)s万像素的上限。")
            % {"name": name, "limit": max_pixels // 10000},
        ) from None
    except Exception:  # Pillow raises OSError, SyntaxError, ValueError, struct errors...
        raise _refuse(field, unreadable) from None
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}"), content_type


def clean_photos(
    uploads: list[UploadedFile], field: str = "photos"
) -> tuple[list[ContentFile], list[str]]:
    """Every photo re-encoded (``clean_photo``) and the content types, or a ValidationError
    before anything is stored."""
    if len(uploads) > MAX_PHOTOS:
        raise _refuse(field, _("一次最多上传%(n)d张照片。") % {"n": MAX_PHOTOS})
    cleaned = [clean_photo(u, field) for u in uploads]
    return [c[0] for c in cleaned], [c[1] for c in cleaned]


def validate_photos(uploads: list[UploadedFile], field: str = "photos") -> list[str]:
    """The content types of the photos as they will be stored (each decoded by Pillow)."""
    return clean_photos(uploads, field)[1]

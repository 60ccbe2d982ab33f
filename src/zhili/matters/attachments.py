"""Photos and files: type and size checked, stored once by content hash, thumbnails for images."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from zhili.core.errors import ValidationFailed
from zhili.matters.models import Attachment

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF",),
}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
THUMB_SIZE = (320, 320)
MAX_PIXELS = 60_000_000  # refuse decompression bombs well before Pillow's own limit


def max_bytes() -> int:
    """The upload limit, read when used so an administrator's setting takes effect."""
    return int(getattr(settings, "ZHILI_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES))


def sniff(data: bytes) -> str | None:
    """The content type by magic bytes (never trust the client's header or file name)."""
    for kind, magics in ALLOWED.items():
        if any(data.startswith(m) for m in magics):
            if kind == "image/webp" and data[8:12] != b"WEBP":
                continue
            return kind
    return None


def _thumbnail(data: bytes) -> bytes | None:
    """A JPEG preview, upright (phones record rotation in EXIF) and on white where transparent."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                return None
            img.load()
            upright = ImageOps.exif_transpose(img)
            upright.thumbnail(THUMB_SIZE)
            if upright.mode in ("RGBA", "LA", "P"):
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
            else:
                flat = upright.convert("RGB")
            out = io.BytesIO()
            flat.save(out, format="JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


@transaction.atomic
def attachment_store(*, data: bytes, name: str) -> Attachment:
    if not data:
        raise ValidationFailed(gettext("文件为空"), code="empty_file")
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationFailed(
            gettext("文件不能超过 %(_size_label)s") % {"_size_label": _size_label(limit)},
            code="file_too_large",
            detail={"max_bytes": limit},
        )
    kind = sniff(data)
    if kind is None:
        raise ValidationFailed(gettext("只能上传 JPG、PNG、WebP 图片或 PDF 文件"), code="file_type")
    digest = hashlib.sha256(data).hexdigest()
    existing = Attachment.objects.filter(sha256=digest).first()
    if existing:
        return existing
    thumb = _thumbnail(data) if kind.startswith("image/") else None
    if kind.startswith("image/") and thumb is None:
        raise ValidationFailed(gettext("图片已损坏，无法读取"), code="file_type")
    att = Attachment(sha256=digest, content_type=kind, size=len(data), original_name=name[:200])
    att.file.save(f"{digest}.{EXTENSIONS[kind]}", ContentFile(data), save=False)
    if thumb:
        att.thumbnail.save(f"{digest}.jpg", ContentFile(thumb), save=False)
    try:
        with transaction.atomic():
            att.save()
    except IntegrityError:  # the same file uploaded concurrently
        return Attachment.objects.get(sha256=digest)
    return att


def _size_label(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)} KB"


def attachments_by_hash(hashes: list[str]) -> list[Any]:
    found = list(Attachment.objects.filter(sha256__in=hashes))
    if len(found) != len(set(hashes)):
        raise ValidationFailed(gettext("附件不存在，请先上传"), code="unknown_attachment")
    return found

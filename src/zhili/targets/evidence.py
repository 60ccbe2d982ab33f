"""Evidence files: type judged by content (never by name or header), size capped, stored once by
their SHA-256 under ``MEDIA_ROOT/targets/evidence/``."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core.errors import ValidationFailed
from zhili.targets.models import Evidence

MAX_BYTES = int(getattr(settings, "ZHILI_TARGETS_MAX_EVIDENCE_BYTES", 10 * 1024 * 1024))
MAX_FILES = 10

# content type -> (extension, label)
KINDS = {
    "application/pdf": ("pdf", "PDF"),
    "image/jpeg": ("jpg", "JPG"),
    "image/png": ("png", "PNG"),
    "image/webp": ("webp", "WebP"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", "Word"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", "Excel"),
}
ALLOWED_LABEL = _("PDF、JPG、PNG、WebP 图片或 Word（.docx）、Excel（.xlsx）文件")
ACCEPT = ".pdf,.jpg,.jpeg,.png,.webp,.docx,.xlsx"


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The content type from the file's own bytes, or None when it is not an allowed kind."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def check(uploads: list[Upload]) -> list[tuple[Upload, str]]:
    """Every file's type, or one error naming every bad file (nothing is stored then)."""
    if len(uploads) > MAX_FILES:
        raise ValidationFailed(
            gettext("一次最多上传 %(max_files)s 个文件") % {"max_files": MAX_FILES},
            code="too_many_files",
        )
    problems, typed = [], []
    for up in uploads:
        if not up.data:
            problems.append(gettext("%(name)s：文件为空") % {"name": up.name})
        elif len(up.data) > MAX_BYTES:
            problems.append(
                gettext("%(name)s：超过 %(value)s MB")
                % {"name": up.name, "value": MAX_BYTES // (1024 * 1024)}
            )
        elif (kind := sniff(up.data)) is None:
            problems.append(gettext("%(name)s：不是允许的文件类型") % {"name": up.name})
        else:
            typed.append((up, kind))
    if problems:
        raise ValidationFailed(
            gettext("佐证材料只能是%(allowed_label)s，每个不超过 %(value)s MB：")
            % {"allowed_label": ALLOWED_LABEL, "value": MAX_BYTES // (1024 * 1024)}
            + "；".join(problems),
            code="evidence_type",
            detail=problems,
        )
    return typed


def evidence_store(*, actor: Any, uploads: list[Upload]) -> list[Evidence]:
    """Store checked files (the same content only once) and return their rows."""
    stored = []
    for up, kind in check(uploads):
        digest = hashlib.sha256(up.data).hexdigest()
        found = Evidence.objects.filter(sha256=digest).first()
        if found is None:
            found = _save(actor, up, kind, digest)
        stored.append(found)
    return stored


def _save(actor: Any, up: Upload, kind: str, digest: str) -> Evidence:
    ext = KINDS[kind][0]
    row = Evidence(
        sha256=digest,
        content_type=kind,
        size=len(up.data),
        original_name=up.name[:200] or f"{digest[:12]}.{ext}",
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    name = f"targets/evidence/{digest[:2]}/{digest}.{ext}"
    if default_storage.exists(name):  # left by a rolled-back upload: same bytes, same name
        row.file.name = name
    else:
        row.file.name = default_storage.save(name, ContentFile(up.data))
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same file stored concurrently
        return Evidence.objects.get(sha256=digest)
    return row

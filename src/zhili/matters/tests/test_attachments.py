"""Photos and files: the type is read from the content (never the name), size is limited, the same
content is stored once, and images get an upright JPEG thumbnail."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zhili.core.errors import ValidationFailed
from zhili.matters.attachments import THUMB_SIZE, attachment_store, attachments_by_hash
from zhili.matters.models import Attachment


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _image(kind: str, size: tuple[int, int] = (800, 600), **save: Any) -> bytes:
    mode = "RGBA" if kind == "PNG" else "RGB"
    img = Image.new(mode, size, (200, 30, 30, 0) if mode == "RGBA" else (200, 30, 30))
    img.paste((10, 120, 10, 255) if mode == "RGBA" else (10, 120, 10), (0, 0, 100, 100))
    out = io.BytesIO()
    img.save(out, format=kind, **save)
    return out.getvalue()


def _open(field: Any) -> Image.Image:
    with field.open("rb") as f:
        img = Image.open(io.BytesIO(f.read()))
        img.load()
    return img


def test_png_is_stored_with_a_jpeg_thumbnail(db: Any, media: Path) -> None:
    att = attachment_store(data=_image("PNG"), name="现场照片.png")
    assert att.content_type == "image/png" and att.is_image
    assert att.original_name == "现场照片.png" and att.file.name.endswith(f"{att.sha256}.png")
    assert (media / att.file.name).exists()
    thumb = _open(att.thumbnail)
    assert thumb.format == "JPEG"
    assert max(thumb.size) <= max(THUMB_SIZE) and thumb.size == (320, 240)
    # The transparent background became white, not black.
    assert thumb.getpixel((300, 200)) > (240, 240, 240)


def test_jpeg_thumbnail_follows_the_phone_rotation(db: Any) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    att = attachment_store(data=_image("JPEG", (800, 400), exif=exif), name="IMG_0001.JPG")
    assert att.content_type == "image/jpeg"
    width, height = _open(att.thumbnail).size
    assert height > width  # shown upright: portrait


def test_an_exe_renamed_jpg_is_refused(db: Any) -> None:
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500 + b"This program cannot be run"
    with pytest.raises(ValidationFailed) as caught:
        attachment_store(data=exe, name="photo.jpg")
    assert caught.value.code == "file_type"
    assert "只能上传 JPG、PNG、WebP 图片或 PDF 文件" in caught.value.message
    assert not Attachment.objects.exists()


def test_a_broken_image_is_refused(db: Any) -> None:
    with pytest.raises(ValidationFailed, match="图片已损坏"):
        attachment_store(data=b"\xff\xd8\xff\xe0" + b"garbage" * 100, name="a.jpg")


def test_size_limit(db: Any, settings: Any) -> None:
    settings.ZHILI_MAX_ATTACHMENT_BYTES = 2048
    big = _image("PNG", (600, 600), compress_level=0)
    assert len(big) > 2048
    with pytest.raises(ValidationFailed) as caught:
        attachment_store(data=big, name="big.png")
    assert caught.value.code == "file_too_large" and "不能超过 2 KB" in caught.value.message
    with pytest.raises(ValidationFailed, match="文件为空"):
        attachment_store(data=b"", name="empty.png")


def test_same_content_is_stored_once(db: Any, media: Path) -> None:
    data = _image("JPEG")
    first = attachment_store(data=data, name="a.jpg")
    second = attachment_store(data=data, name="copy-of-a.jpg")
    assert second.pk == first.pk and Attachment.objects.count() == 1
    stored = [p for p in (media / "attachments").rglob("*") if p.is_file()]
    assert len(stored) == 1
    assert attachments_by_hash([first.sha256, first.sha256]) == [first]
    with pytest.raises(ValidationFailed, match="附件不存在"):
        attachments_by_hash([first.sha256, "0" * 64])


def test_pdf_is_accepted_without_thumbnail(db: Any) -> None:
    att = attachment_store(data=b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", name="协议.pdf")
    assert att.content_type == "application/pdf" and not att.thumbnail and not att.is_image


def test_upload_api(client: Any, bearer: Any) -> None:
    headers = bearer("grid_jfb_01")
    photo = SimpleUploadedFile("x.png", _image("PNG"), content_type="image/png")
    ok = client.post("/api/v1/attachments", {"file": photo}, headers=headers)
    assert ok.status_code == 201 and ok.json()["content_type"] == "image/png"
    assert len(ok.json()["sha256"]) == 64
    disguised = SimpleUploadedFile("x.jpg", b"MZ\x90\x00" * 50, content_type="image/jpeg")
    refused = client.post("/api/v1/attachments", {"file": disguised}, headers=headers)
    assert refused.status_code == 422 and refused.json()["code"] == "file_type"

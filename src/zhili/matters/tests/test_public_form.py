"""The public report form: every mistake shown at once, beside its field; Chinese mobile and
landline numbers only; nothing typed is lost."""

from __future__ import annotations

import re
from typing import Any

import pytest

from zhili.core.errors import ValidationFailed
from zhili.core.validation import phone_number
from zhili.matters.models import Category, Matter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw, kept",
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+8613800138000", "+8613800138000"),
        ("023-63891234", "023-63891234"),
        ("02363891234", "02363891234"),
        ("023-63891234-801", "023-63891234-801"),
        ("63891234", "63891234"),
        ("", ""),
    ],
)
def test_chinese_numbers_are_accepted(raw: str, kept: str) -> None:
    assert phone_number(raw) == kept


@pytest.mark.parametrize("raw", ["12345", "1380013800", "23800138000", "138001380001", "abc", "0"])
def test_other_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        phone_number(raw)
    assert exc.value.code == "invalid_phone"


def test_an_empty_submit_shows_every_error(client: Any) -> None:
    empty = {"category": "", "description": "", "reporter_phone": "", "lat": "", "lng": ""}
    page = client.post("/public/report/", empty).content.decode()
    for message in ("请选择诉求类别", "请填写诉求内容", "请选择所在区域", "请填写手机号码"):
        assert message in page, message
    assert 'id="error-summary"' in page


def test_the_place_and_the_questions_are_refused_with_the_rest_beside_their_fields(
    client: Any,
) -> None:
    """A district picked by hand, two required questions unanswered, a number that is not one,
    and no phone: one submit names all of them, each beside its field and in the list at the
    top (once they came one per submit, above an empty list), and keeps what was typed."""
    body = {
        "category": "wage-arrears",
        "description": "工地拖欠三个月工资",
        "area": ["500103"],
        "q_amount": "三万",
        "reporter_phone": "",
    }
    r = client.post("/public/report/", body)
    page = r.content.decode()
    assert r.status_code == 200 and Matter.objects.count() == 0
    summary = re.search(r'id="error-summary">(.*?)\n', page)
    assert summary, page
    listed = re.findall(r"<div>· (.*?)</div>", summary.group(1))
    assert listed == [  # in the page's order: the questions come right after the category
        "请回答：涉及人数",
        "“拖欠金额（元）”须为数字",
        "请回答：是否为建设工程项目",
        "请至少选到街道（乡镇）",
        "请填写手机号码",  # 欠薪 cannot be reported anonymously
    ]
    assert "请修改以下 5 处后再提交" in page
    assert 'id="area-error">请至少选到街道（乡镇）' in page
    assert 'aria-labelledby="area-label" aria-invalid="true" aria-describedby="area-error"' in page
    for name, message in [
        ("q_workers", "请回答：涉及人数"),
        ("q_amount", "“拖欠金额（元）”须为数字"),
        ("q_site", "请回答：是否为建设工程项目"),
    ]:
        assert f'id="{name}_error">{message}</div>' in page, name
    # The unanswered choice question's boxes are marked too (red borders), not only its message.
    assert re.search(
        r'role="group" aria-labelledby="q_site_label" aria-invalid="true" '
        r'aria-describedby="q_site_error"',
        page,
    )
    assert 'value="三万"' in page and "工地拖欠三个月工资" in page
    assert 'class="alert alert-danger form-error"' not in page  # nothing left without a field


def test_a_blocked_answer_is_said_once_beside_its_question(client: Any) -> None:
    body = {"category": "elevator", "description": "电梯停了", "area": "500103003013",
            "q_trapped": "是", "reporter_phone": "13800138000"}  # fmt: skip
    page = client.post("/public/report/", body).content.decode()
    assert Matter.objects.count() == 0
    assert page.count("有人被困请立即拨打 119") == 2  # in the list and beside the question
    assert 'id="q_trapped_error"' not in page  # the live blocking box says it there


def test_a_service_refusal_about_the_place_lands_beside_the_place(client: Any) -> None:
    """Where only the service can tell (a point beside a district picked by hand that places
    nothing finer), its refusal is shown beside the place, not above the form."""
    from zhili.matters.forms import PublicReportForm

    form = PublicReportForm({"category": "streetlight", "description": "x", "area": "500103",
                             "reporter_phone": "13800138000"})  # fmt: skip
    form.is_valid()
    form.show_refusal(ValidationFailed("请至少选到街道（乡镇）", code="area_too_coarse"))
    form.show_refusal(ValidationFailed("问", code="answer_required", detail={"key": "k"}))
    form.show_refusal(ValidationFailed("别的", code="invalid_channel"))
    assert form.errors["area"][-1] == "请至少选到街道（乡镇）"
    assert form.question_errors() == {"k": "问"}
    assert form.non_field_errors() == ["别的"]


def test_a_missing_phone_offers_anonymity_only_where_the_category_does(client: Any) -> None:
    for allowed in (True, False):
        category = Category.objects.filter(
            parent__isnull=False, is_active=True, allow_anonymous=allowed
        ).first()
        body = {"category": category.code, "description": "路灯坏了", "area": "500103003013"}
        page = client.post("/public/report/", body).content.decode()
        assert "请填写手机号码" in page
        assert ("匿名反映可不填）" in page) is allowed, category.code


def test_a_wrong_phone_is_refused_and_the_text_kept(client: Any) -> None:
    category = (
        Category.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()
    )
    body = {
        "category": category.code,
        "description": "小区门口路灯坏了一个月",
        "reporter_phone": "12345",
        "area": "500103003013",
    }
    page = client.post("/public/report/", body).content.decode()
    assert "请填写正确的手机号码" in page and "小区门口路灯坏了一个月" in page
    assert not Matter.objects.filter(description="小区门口路灯坏了一个月").exists()
    client.cookies["django_language"] = "en"  # one field to correct is "this field"
    page = client.post("/public/report/", body).content.decode()
    assert "Please correct this field and submit again:" in page
    del client.cookies["django_language"]
    body["reporter_phone"] = "023-63891234"
    response = client.post("/public/report/", body)
    assert response.status_code == 302
    assert Matter.objects.get(description="小区门口路灯坏了一个月").reporter_phone == "023-63891234"


def test_the_resident_rates_a_closed_matter_from_the_lookup_page(client: Any, users: Any) -> None:
    from zhili.areas.models import Area
    from zhili.matters import services
    from zhili.matters.models import Channel, MatterAreaDay, MatterEvent

    category = (
        Category.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()
    )
    m = services.matter_create(
        actor=None,
        category=category,
        channel=Channel.WEB,
        description="邻居装修噪音",
        area=Area.objects.get(code="500103003013"),
        reporter_phone="13912345678",
    )
    # Before the lookup proves who they are, a rating goes nowhere.
    assert client.post("/public/lookup/rate/", {"solved": "1", "satisfied": "1"}).status_code == 302
    page = client.post("/public/lookup/", {"number": m.number, "phone_last4": "5678"})
    assert 'id="rate-form"' not in page.content.decode()  # not closed yet
    m = services.matter_triage(actor=users["jiefangbei"], matter=m, triage="private", reason="民事")
    page = client.post("/public/lookup/", {"number": m.number, "phone_last4": "5678"})
    assert 'id="rate-form"' in page.content.decode()
    bad = client.post("/public/lookup/rate/", {"solved": "1"}).content.decode()
    assert "请选择是否满意" in bad
    done = client.post("/public/lookup/rate/", {"solved": "1", "satisfied": "0", "note": "太慢"})
    assert "感谢您的评价" in done.content.decode(), done.content.decode()[
        done.content.decode().find("alert") :
    ][:400]
    m.refresh_from_db()
    assert m.status == "rated"
    e = MatterEvent.objects.filter(matter=m, action="rate").get()
    assert e.actor_id is None and e.actor_name == "群众" and e.data["by"] == "resident"
    assert "群众在查询页自评" in e.summary and "不满意" in e.summary
    rows = MatterAreaDay.objects.filter(area_path=m.area_path)
    assert sum(r.rated for r in rows) == 1 and sum(r.satisfied for r in rows) == 0
    # Once rated, no second rating.
    again = client.post("/public/lookup/rate/", {"solved": "1", "satisfied": "1"})
    assert again.status_code == 409


# -- photos: the staff forms' store and checks --------------------------------------------------


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_a_resident_reports_with_photos_and_a_bad_file_loses_nothing(
    client: Any, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhili.matters.models import MatterEvent

    settings.MEDIA_ROOT = tmp_path
    category = (
        Category.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()
    )
    body: dict[str, Any] = {
        "category": category.code,
        "description": "人行道地砖松动，老人差点摔倒",
        "reporter_phone": "13800138000",
        "area": "500103003013",
    }
    page = client.get("/public/report/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photos"' in page
    good = SimpleUploadedFile("地砖.png", _png(), content_type="image/png")
    disguised = SimpleUploadedFile("病毒.jpg", b"MZ\x90\x00" * 50, content_type="image/jpeg")
    bad = client.post("/public/report/", {**body, "photos": [good, disguised]})
    text = bad.content.decode()
    assert bad.status_code == 200 and not Matter.objects.filter(description=body["description"])
    assert "病毒.jpg：只能上传 JPG、PNG、WebP 图片或 PDF 文件" in text
    assert "人行道地砖松动" in text and "13800138000" in text  # nothing typed is lost
    assert "已上传：地砖.png" in text  # the good photo is kept for the next try
    kept = re.search(r'name="kept" value="([0-9a-f,]+)"', text)
    assert kept is not None
    # A second try without choosing the photo again: it is attached.
    done = client.post("/public/report/", {**body, "kept": kept.group(1)})
    assert done.status_code == 302
    matter = Matter.objects.get(description=body["description"])
    event = MatterEvent.objects.filter(matter=matter).order_by("id").first()
    assert [a.original_name for a in event.attachments.all()] == ["地砖.png"]


def test_a_resident_cannot_attach_a_file_someone_else_stored(client: Any, settings: Any) -> None:
    from zhili.matters.attachments import attachment_store

    staff_file = attachment_store(data=_png() + b"staff", name="内部材料.png")
    category = (
        Category.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()
    )
    body = {
        "category": category.code,
        "description": "想附上别人的文件",
        "reporter_phone": "13800138000",
        "area": "500103003013",
        "kept": staff_file.sha256,
    }
    assert client.post("/public/report/", body).status_code == 302
    from zhili.matters.models import MatterEvent

    matter = Matter.objects.get(description="想附上别人的文件")
    assert not MatterEvent.objects.filter(matter=matter, attachments=staff_file).exists()


@pytest.mark.parametrize("anonymous", [False, True])
def test_the_done_page_offers_the_lookup_only_to_a_report_with_a_phone(
    client: Any, anonymous: bool
) -> None:
    category = (
        Category.objects.filter(parent__isnull=False, is_active=True, allow_anonymous=True)
        .order_by("code")
        .first()
    )
    body: dict[str, Any] = {
        "category": category.code,
        "description": "小区门口路灯不亮",
        "area": "500103003013",
    }
    body.update({"anonymous": "on"} if anonymous else {"reporter_phone": "13800138000"})
    sent = client.post("/public/report/", body)
    assert sent.status_code == 302, sent.content.decode()[:2000]
    page = client.get(sent["Location"]).content.decode()
    number = Matter.objects.get(description=body["description"]).number
    assert f'id="done-number">{number}<' in page
    button = 'w-100 mb-2" href="/public/lookup/"'
    # Reporting proves nothing for the lookup's rating: only the lookup (number and phone digits)
    # puts a matter in the session (the done page's flag once shared its key, and True is pk 1).
    rated = client.post("/public/lookup/rate/", {"solved": "1", "satisfied": "1", "note": "好"})
    assert rated.status_code == 302 and rated["Location"] == "/public/lookup/"
    if anonymous:
        assert 'id="done-no-lookup"' in page and 'id="done-lookup"' not in page
        assert button not in page
    else:
        assert 'id="done-lookup"' in page and button in page


def test_a_rejected_matter_reads_rejected_and_the_action_reject_in_english() -> None:
    from django.utils import translation

    from zhili.matters.models import Status
    from zhili.matters.workflow import label

    with translation.override("en"):
        assert str(Status.REJECTED.label) == "Rejected"
        assert label("reject") == "Reject"
    with translation.override("zh-hans"):
        assert str(Status.REJECTED.label) == label("reject") == "不予立案"

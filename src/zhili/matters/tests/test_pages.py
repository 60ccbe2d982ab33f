"""The matter pages as their users meet them: work queues, the detail page and its action forms,
staff and phone intake, and the public report and progress lookup (without login)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.cache import cache

from zhili.areas.models import Area
from zhili.core.models import AuditEvent
from zhili.matters import services
from zhili.matters.models import Category, Matter, MatterEvent, Status
from zhili.org.models import Unit, User

GRID = "500103003013001"  # 民生路第1网格, grid_jfb_01's grid in 解放碑街道
BUILDING = "500103003013001001"
OTHER_GRID = "500103003016001"  # a grid of 莲花池社区, outside grid_jfb_01's grid
PHONE = "13812345678"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Any:
    cache.clear()  # the public pages count tries per address in the cache
    yield
    cache.clear()


def png(color: str = "red", size: tuple[int, int] = (40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def make_matter(
    actor: User, *, category: str = "streetlight", area: str = GRID, **kw: Any
) -> Matter:
    return services.matter_create(
        actor=actor,
        category=Category.objects.get(code=category),
        channel=kw.pop("channel", "staff"),
        description=kw.pop("description", "民生路 3 号楼前路灯不亮"),
        area=Area.objects.get(code=area),
        reporter_name=kw.pop("reporter_name", "张三"),
        reporter_phone=kw.pop("reporter_phone", PHONE),
        **kw,
    )


def text(response: Any) -> str:
    return response.content.decode()


def unit(name: str) -> Unit:
    return Unit.objects.get(name=name)


def dispatched(users: dict[str, User]) -> Matter:
    m = make_matter(users["jiefangbei"])
    m = services.matter_accept(actor=users["jiefangbei"], matter=m)
    return services.matter_dispatch(
        actor=users["jiefangbei"], matter=m, unit=unit("渝中区住房城乡建委")
    )


# Work queues -----------------------------------------------------------------------------------


def test_queue_lists_matters_in_scope_with_masked_reporter(login: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"])
    page = text(login("jiefangbei").get("/matters/"))
    assert m.number in page and m.title in page
    assert "路灯" in page and "民生路第1网格" in page and "待受理" in page
    assert "张*" in page and "张三" not in page and PHONE not in page
    assert 'href="/matters/new/"' in page  # staff may register matters


def test_queue_hides_matters_outside_scope(login: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"])
    assert m.number not in text(login("wanzhou").get("/matters/"))


def test_queue_tabs_count_and_filter(login: Any, users: dict) -> None:
    a = make_matter(users["jiefangbei"], description="第一件")
    b = make_matter(users["jiefangbei"], description="第二件")
    services.matter_accept(actor=users["jiefangbei"], matter=b)
    client = login("jiefangbei")
    page = text(client.get("/matters/"))
    tab = re.search(r'data-queue="intake">\s*待受理 <span[^>]*>(\d+)</span>', page)
    assert tab and int(tab.group(1)) >= 1
    intake = text(client.get("/matters/?queue=intake"))
    assert a.number in intake and b.number not in intake
    dispatch = text(client.get("/matters/?queue=dispatch"))
    assert b.number in dispatch and a.number not in dispatch


def test_queue_filters_by_number_status_and_text(login: Any, users: dict) -> None:
    a = make_matter(users["jiefangbei"], description="井盖缺失很危险")
    b = make_matter(users["jiefangbei"], description="路灯闪烁")
    client = login("jiefangbei")
    by_number = text(client.get("/matters/", {"q": a.number.lower()}))
    assert a.number in by_number and b.number not in by_number
    by_title = text(client.get("/matters/", {"q": "井盖"}))
    assert a.number in by_title and b.number not in by_title
    by_status = text(client.get("/matters/", {"status": "accepted"}))
    assert a.number not in by_status


def test_queue_shows_overdue_badge(login: Any, users: dict) -> None:
    import datetime as dt

    from django.utils import timezone

    old = timezone.now() - dt.timedelta(days=30)
    m = make_matter(users["jiefangbei"], at=old)
    page = text(login("jiefangbei").get("/matters/", {"overdue": "", "q": m.number}))
    row = page[page.index(f'data-number="{m.number}"') :]
    assert "已超期" in row[: row.index("</tr>")]


def test_queue_bad_filters_show_chinese_errors(login: Any) -> None:
    client = login("jiefangbei")
    r = client.get("/matters/", {"area": "999999"})
    assert r.status_code == 200 and "区域代码 999999 不存在或不在您的管辖范围内" in text(r)
    r = client.get("/matters/", {"created_from": "2026-03-01", "created_to": "2026-01-01"})
    assert r.status_code == 200 and "截止日期不能早于起始日期" in text(r)
    r = client.get("/matters/", {"cursor": "not-a-cursor"})
    assert r.status_code == 200 and "分页游标无效" in text(r)


def test_queue_pages_with_a_next_link(login: Any, users: dict) -> None:
    made = [make_matter(users["jiefangbei"], description=f"第 {i} 件") for i in range(32)]
    client = login("jiefangbei")
    first = text(client.get("/matters/", {"queue": "intake"}))
    link = re.search(r'href="\?([^"]*cursor=[^"]+)" rel="next">下一页', first)
    assert link, "第一页应有“下一页”"
    second = text(client.get("/matters/?" + link.group(1).replace("&amp;", "&")))
    newest, oldest = made[-1].number, made[0].number
    assert newest in first and newest not in second
    assert oldest in second and oldest not in first


def test_queue_query_count_does_not_grow_with_rows(
    login: Any, users: dict, django_assert_max_num_queries: Any
) -> None:
    for i in range(12):
        make_matter(users["jiefangbei"], description=f"第 {i} 件")
    client = login("jiefangbei")
    # The tabs' counts, the list's total and the 区域 picker's options are a constant few.
    with django_assert_max_num_queries(26):
        assert client.get("/matters/").status_code == 200


# Detail --------------------------------------------------------------------------------------


def test_detail_query_count_does_not_grow_with_events(
    login: Any, users: dict, django_assert_max_num_queries: Any
) -> None:
    m = dispatched(users)
    m = services.matter_sign(actor=users["unit_yz_jw"], matter=m)
    m = services.matter_report(actor=users["unit_yz_jw"], matter=m, result="已修复")
    m = services.matter_verify(actor=users["jiefangbei"], matter=m, passed=False, note="未修好")
    m = services.matter_report(actor=users["unit_yz_jw"], matter=m, result="再次修复")
    client = login("jiefangbei")
    with django_assert_max_num_queries(20):
        assert client.get(f"/matters/{m.number}/").status_code == 200


def test_detail_shows_fields_timeline_and_allowed_actions(login: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"], category="noise", answers={"time": "全天"})
    client = login("jiefangbei")
    page = text(client.get(f"/matters/{m.number}/"))
    assert m.description in page and "噪声扰民" in page and "解放碑街道" in page
    assert "噪声主要出现的时段" in page and "全天" in page
    assert "受理登记" in page and "解放碑街道工作人员" in page  # timeline: step and actor
    assert f'action="/matters/{m.number}/act/accept/"' in page  # the usual next step, open
    for action in ("reject", "triage", "merge"):  # folded, each drawn when opened
        assert f'action="/matters/{m.number}/act/{action}/"' not in page
        assert f'hx-get="/matters/{m.number}/form/{action}/"' in page
        assert f'href="?open={action}#action-{action}"' in page  # without script: the page
        form = text(client.get(f"/matters/{m.number}/form/{action}/"))
        assert f'action="/matters/{m.number}/act/{action}/"' in form and "<html" not in form
        opened = text(client.get(f"/matters/{m.number}/", {"open": action}))
        assert f'action="/matters/{m.number}/act/{action}/"' in opened
        assert re.search(rf'id="action-{action}"\s+open>', opened)
    assert "/act/dispatch/" not in page and "/form/dispatch/" not in page  # not before 立案
    assert f'name="accept-version" value="{m.version}"' in page


def test_a_folded_form_of_a_step_no_longer_allowed_says_so(login: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"])
    client = login("jiefangbei")
    assert "/form/reject/" in text(client.get(f"/matters/{m.number}/"))
    services.matter_accept(actor=users["jiefangbei"], matter=m)  # meanwhile, in another tab
    r = client.get(f"/matters/{m.number}/form/reject/")
    assert r.status_code == 200 and "当前不可办理" in text(r) and "/act/reject/" not in text(r)
    assert client.get(f"/matters/{m.number}/form/nonsense/").status_code == 404
    assert login("wanzhou").get(f"/matters/{m.number}/form/dispatch/").status_code == 404


def test_a_dispatched_matter_offers_redispatch_folded_not_dispatch(login: Any, users: dict) -> None:
    """派遣 of a matter already dispatched is 改派: folded and named so, not the open first form
    it is before the first dispatch."""
    m = dispatched(users)
    client = login("jiefangbei")
    page = text(client.get(f"/matters/{m.number}/"))
    card = re.search(r'<details class="card mb-3 action-card" id="action-dispatch"([^>]*)>', page)
    assert card is not None and "open" not in card.group(1)
    section = page[card.start() : page.index("</details>", card.start())]
    assert "改派" in section and ">派遣<" not in section
    form = text(client.get(f"/matters/{m.number}/form/dispatch/"))  # drawn when opened
    assert 'value="dispatch">改派</button>' in form and ">派遣<" not in form

    fresh = make_matter(users["jiefangbei"])
    fresh = services.matter_accept(actor=users["jiefangbei"], matter=fresh)
    page = text(login("jiefangbei").get(f"/matters/{fresh.number}/"))
    card = re.search(r'<details class="card mb-3 action-card" id="action-dispatch"([^>]*)>', page)
    assert card is not None and "open" in card.group(1)


def test_a_redispatch_that_changes_nothing_is_refused_in_the_page(login: Any, users: dict) -> None:
    """改派 to the unit that already holds the matter, with the same co-units, was done and
    counted as a second dispatch; it is refused with a reason, and a change of co-units is not."""
    m = dispatched(users)
    lead = unit("渝中区住房城乡建委")
    before = (m.dispatch_count, MatterEvent.objects.filter(matter=m).count())
    r = login("jiefangbei").post(
        f"/matters/{m.number}/act/dispatch/",
        {"dispatch-version": m.version, "dispatch-unit": lead.pk},
    )
    assert "尚未签收：改派请选择另一主办单位" in text(r)  # the form again, with the reason
    m.refresh_from_db()
    assert (m.dispatch_count, MatterEvent.objects.filter(matter=m).count()) == before
    co = unit("解放碑派出所")
    m = services.matter_dispatch(actor=users["jiefangbei"], matter=m, unit=lead, co_units=[co])
    assert m.dispatch_count == before[0] + 1


def test_the_handling_result_is_marked_required_as_the_service_wants_it(
    login: Any, users: dict
) -> None:
    m = dispatched(users)
    m = services.matter_sign(actor=users["unit_yz_jw"], matter=m)
    page = text(login("unit_yz_jw").get(f"/matters/{m.number}/"))
    label = re.search(r'<label class="([^"]*)" for="id_report-result">', page)
    assert label is not None and "required" in label.group(1)


def test_detail_is_404_outside_scope_and_for_unknown_numbers(login: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"])
    assert login("wanzhou").get(f"/matters/{m.number}/").status_code == 404
    assert login("jiefangbei").get("/matters/Q20990101000001/").status_code == 404
    r = login("wanzhou").post(f"/matters/{m.number}/act/accept/", {"accept-version": m.version})
    assert r.status_code == 404
    m.refresh_from_db()
    assert m.status == Status.SUBMITTED


def test_accept_then_dispatch_with_suggested_unit(login: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"])
    client = login("jiefangbei")
    r = client.post(f"/matters/{m.number}/act/accept/", {"accept-version": m.version})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == Status.ACCEPTED
    page = text(client.get(f"/matters/{m.number}/"))
    assert "已立案" in page  # the success message
    assert "按派单规则建议" not in page  # no rule for this category and area: no empty hint
    assert "渝中区住房城乡建委" in page  # a district department, above the street
    assert "万州区" not in page  # units elsewhere are not offered
    target = unit("渝中区住房城乡建委")
    r = client.post(
        f"/matters/{m.number}/act/dispatch/",
        {"dispatch-version": m.version, "dispatch-unit": target.pk, "dispatch-note": "请尽快"},
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == Status.DISPATCHED and m.lead_unit == target


def test_dispatch_preselects_the_rule_based_suggestion(login: Any, users: dict) -> None:
    from zhili.matters.models import RoutingRule

    target = unit("解放碑派出所")
    RoutingRule.objects.create(
        category=Category.objects.get(code="streetlight"),
        area=Area.objects.get(code="500103003"),
        unit=target,
    )
    m = make_matter(users["jiefangbei"])
    services.matter_accept(actor=users["jiefangbei"], matter=m)
    page = text(login("jiefangbei").get(f"/matters/{m.number}/"))
    assert "按派单规则建议" in page
    assert re.search(rf'<option value="{target.pk}" selected>解放碑派出所</option>', page)


def test_dispatch_to_a_unit_out_of_reach_is_refused_in_the_page(login: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"])
    m = services.matter_accept(actor=users["jiefangbei"], matter=m)
    r = login("jiefangbei").post(
        f"/matters/{m.number}/act/dispatch/",
        {"dispatch-version": m.version, "dispatch-unit": unit("万州区综治中心").pk},
    )
    assert r.status_code == 200
    assert "主办单位不存在或不在可派遣范围内" in text(r)
    m.refresh_from_db()
    assert m.status == Status.ACCEPTED


def test_reject_without_reason_keeps_the_form_and_saves_nothing(login: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"])
    events = MatterEvent.objects.filter(matter=m).count()
    r = login("jiefangbei").post(
        f"/matters/{m.number}/act/reject/", {"reject-version": m.version, "reject-reason": "  "}
    )
    assert r.status_code == 200
    page = text(r)
    assert "不予立案理由不能为空" in page
    assert '<details class="card mb-3 action-card" id="action-reject" open>' in page
    m.refresh_from_db()
    assert m.status == Status.SUBMITTED
    assert MatterEvent.objects.filter(matter=m).count() == events


def test_extension_days_out_of_range_keeps_typed_reason(login: Any, users: dict) -> None:
    m = dispatched(users)
    r = login("unit_yz_jw").post(
        f"/matters/{m.number}/act/extend/",
        {"extend-version": m.version, "extend-days": "99", "extend-reason": "需协调燃气公司"},
    )
    assert r.status_code == 200
    page = text(r)
    assert "延期天数须在 1 到" in page and "需协调燃气公司" in page
    m.refresh_from_db()
    assert m.extension_requested_days == 0


def test_extension_is_requested_by_the_unit_and_approved_by_the_district(
    login: Any, users: dict
) -> None:
    m = dispatched(users)
    m = services.matter_sign(actor=users["unit_yz_jw"], matter=m)
    due = m.handle_due
    assert "/act/approve_extension/" not in text(login("yuzhong").get(f"/matters/{m.number}/"))
    r = login("unit_yz_jw").post(
        f"/matters/{m.number}/act/extend/",
        {"extend-version": m.version, "extend-days": "3", "extend-reason": "需协调燃气公司"},
    )
    assert r.status_code == 302
    m.refresh_from_db()
    page = text(login("unit_yz_jw").get(f"/matters/{m.number}/"))
    assert "延期待审批：3 个工作日" in page and "/act/extend/" not in page
    assert m.number in text(login("yuzhong").get("/matters/?queue=extension"))
    r = login("yuzhong").post(
        f"/matters/{m.number}/act/approve_extension/",
        {"approve_extension-version": m.version, "approve_extension-approved": "1"},
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.extension_requested_days == 0 and m.extension_count == 1 and m.handle_due > due


def test_suspend_and_resume(login: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"])
    m = services.matter_accept(actor=users["jiefangbei"], matter=m)
    client = login("jiefangbei")
    client.post(
        f"/matters/{m.number}/act/suspend/",
        {"suspend-version": m.version, "suspend-reason": "等待产权单位答复"},
    )
    m.refresh_from_db()
    assert m.status == Status.SUSPENDED
    page = text(client.get(f"/matters/{m.number}/"))
    assert "等待产权单位答复" in page and "/act/resume/" in page
    client.post(f"/matters/{m.number}/act/resume/", {"resume-version": m.version})
    m.refresh_from_db()
    assert m.status == Status.ACCEPTED


def test_stale_version_shows_the_conflict_message(login: Any, users: dict) -> None:
    """Two officers act at once: the second sees who won, not a 500."""
    m = make_matter(users["jiefangbei"])
    stale = m.version
    services.matter_accept(actor=users["yuzhong"], matter=m, version=stale)
    r = login("jiefangbei").post(
        f"/matters/{m.number}/act/reject/", {"reject-version": stale, "reject-reason": "重复反映"}
    )
    assert r.status_code == 200
    page = text(r)
    assert "已被他人更新" in page and "待派遣" in page
    assert "重复反映" in page  # what the officer typed is still there
    m.refresh_from_db()
    assert m.status == Status.ACCEPTED
    assert MatterEvent.objects.filter(matter=m, action="reject").count() == 0


def test_unit_signs_and_reports_with_a_photo(login: Any, users: dict) -> None:
    m = dispatched(users)
    client = login("unit_yz_jw")
    page = text(client.get("/matters/?queue=sign"))
    assert m.number in page
    r = client.post(
        f"/matters/{m.number}/act/sign/", {"sign-version": m.version, "sign-contacted": "on"}
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == Status.HANDLING and m.contacted_at is not None
    r = client.post(
        f"/matters/{m.number}/act/report/",
        {
            "report-version": m.version,
            "report-result": "已更换灯泡",
            "report-photos": [upload("after.png", png())],
        },
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == Status.REPORTED
    event = MatterEvent.objects.get(matter=m, action="report")
    att = event.attachments.get()
    page = text(client.get(f"/matters/{m.number}/"))
    assert f"/matters/files/{att.sha256}/thumb/" in page
    thumb = login("jiefangbei").get(f"/matters/files/{att.sha256}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert login("wanzhou").get(f"/matters/files/{att.sha256}/").status_code == 404


def test_report_with_a_wrong_file_type_names_the_file(login: Any, users: dict) -> None:
    m = dispatched(users)
    m = services.matter_sign(actor=users["unit_yz_jw"], matter=m)
    r = login("unit_yz_jw").post(
        f"/matters/{m.number}/act/report/",
        {
            "report-version": m.version,
            "report-result": "已处理",
            "report-photos": [upload("notes.txt", b"hello")],
        },
    )
    assert r.status_code == 200
    assert "notes.txt：只能上传 JPG、PNG、WebP 图片或 PDF 文件" in text(r)
    assert "已处理" in text(r)
    m.refresh_from_db()
    assert m.status == Status.HANDLING


def test_verify_close_and_rate(login: Any, users: dict) -> None:
    m = dispatched(users)
    m = services.matter_sign(actor=users["unit_yz_jw"], matter=m)
    m = services.matter_report(actor=users["unit_yz_jw"], matter=m, result="已修复")
    client = login("jiefangbei")
    r = client.post(f"/matters/{m.number}/act/verify/", {"verify-version": m.version})
    assert r.status_code == 200 and "请选择核查结果" in text(r)
    client.post(
        f"/matters/{m.number}/act/verify/", {"verify-version": m.version, "verify-passed": "1"}
    )
    m.refresh_from_db()
    assert m.status == Status.VERIFIED
    client.post(f"/matters/{m.number}/act/close/", {"close-version": m.version})
    m.refresh_from_db()
    assert m.status == Status.CLOSED
    client.post(
        f"/matters/{m.number}/act/rate/",
        {"rate-version": m.version, "rate-solved": "1", "rate-satisfied": "0"},
    )
    m.refresh_from_db()
    assert m.status == Status.RATED and m.solved is True and m.satisfied is False
    page = text(client.get(f"/matters/{m.number}/"))
    assert "已解决，不满意" in page


def test_merge_into_another_matter_by_number(login: Any, users: dict) -> None:
    first = make_matter(users["jiefangbei"])
    second = make_matter(users["jiefangbei"])
    client = login("jiefangbei")
    r = client.post(
        f"/matters/{second.number}/act/merge/",
        {"merge-version": second.version, "merge-into": "Q20990101000009"},
    )
    assert r.status_code == 200 and "不存在或不在您的管辖范围内" in text(r)
    r = client.post(
        f"/matters/{second.number}/act/merge/",
        {"merge-version": second.version, "merge-into": first.number.lower()},
    )
    assert r.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first


def test_matters_merged_in_from_another_district_are_not_listed(login: Any, users: dict) -> None:
    """Defect 8: the page listed the numbers of matters merged into it from another district (their
    links answered 404); related lists are read through the scoped selector."""
    mine = make_matter(users["jiefangbei"])
    near = make_matter(users["jiefangbei"], description="民生路路灯坏了")
    street = (
        Area.objects.current()
        .filter(path__startswith=Area.objects.get(code="500101").path, level="street")
        .first()
    )
    theirs = make_matter(users["city_admin"], area=street.code)
    for m in (near, theirs):
        services.matter_merge(actor=users["city_admin"], matter=m, into=mine)
    page = text(login("jiefangbei").get(f"/matters/{mine.number}/"))
    assert "并入本件的" in page and near.number in page
    assert theirs.number not in page
    assert theirs.number in text(login("city_admin").get(f"/matters/{mine.number}/"))
    # The other way round: where it went is part of their matter, but not a link that 404s.
    page = text(login("wanzhou").get(f"/matters/{theirs.number}/"))
    assert mine.number in page and f'href="/matters/{mine.number}/"' not in page


def test_duplicates_are_offered_for_merging(login: Any, users: dict) -> None:
    first = make_matter(users["jiefangbei"], description="民生路 3 号楼前路灯不亮，晚上很黑")
    second = make_matter(users["jiefangbei"], description="民生路 3 号楼路灯不亮，晚上很黑")
    page = text(login("jiefangbei").get(f"/matters/{second.number}/"))
    assert "可能重复的诉求" in page and first.number in page
    assert f'name="merge-into" value="{first.number}"' in page and "并入此件" in page
    other = make_matter(users["jiefangbei"], description="井盖丢失", category="road-damage")
    assert "可能重复的诉求" not in text(login("jiefangbei").get(f"/matters/{other.number}/"))


def test_unknown_action_is_404(login: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"])
    assert login("jiefangbei").post(f"/matters/{m.number}/act/explode/").status_code == 404


# Personal data --------------------------------------------------------------------------------


def test_phone_is_masked_for_a_role_without_view_personal(login: Any, users: dict) -> None:
    m = make_matter(users["grid_jfb_01"], channel="grid")
    client = login("grid_jfb_01")
    page = text(client.get(f"/matters/{m.number}/"))
    assert "138****5678" in page and PHONE not in page and "张三" not in page
    assert "显示完整联系方式" not in page
    r = client.post(f"/matters/{m.number}/personal/")
    assert r.status_code == 403 and PHONE not in text(r)
    assert "没有查看反映人个人信息的权限" in text(r)


def test_reveal_personal_is_audited(login: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"])
    client = login("jiefangbei")
    page = text(client.get(f"/matters/{m.number}/"))
    assert "138****5678" in page and "显示完整联系方式" in page
    r = client.post(f"/matters/{m.number}/personal/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and PHONE in text(r) and "张三" in text(r)
    audit = AuditEvent.objects.get(action="privacy.reveal", object_id=str(m.pk))
    assert audit.actor == users["jiefangbei"] and audit.object_type == "matters.matter"
    assert audit.after == {"fields": ["reporter_name", "reporter_phone"]}
    assert PHONE not in text(client.get(f"/matters/{m.number}/"))  # masked again on reload


# Staff intake ---------------------------------------------------------------------------------


def _new_form(**changes: Any) -> dict[str, Any]:
    data = {
        "channel": "hotline",
        "category": "streetlight",
        "description": "较场口路灯整条街不亮",
        "area": ["500103003", "500103003013", ""],
        "reporter_name": "李四",
        "reporter_phone": "13900001111",
    }
    data.update(changes)
    return data


def test_new_matter_page_and_submit(login: Any, users: dict) -> None:
    client = login("jiefangbei")
    page = text(client.get("/matters/new/"))
    assert "12345 热线" in page and "楼栋工作日" in page
    assert '<optgroup label="市政与环境">' in page
    assert "民生路社区" in page  # the street's communities, offered at once
    r = client.post("/matters/new/", _new_form())
    assert r.status_code == 302
    m = Matter.objects.get(description="较场口路灯整条街不亮")
    assert r["Location"] == f"/matters/{m.number}/"
    assert m.channel == "hotline" and m.area.code == "500103003013"
    assert m.created_by == users["jiefangbei"]


def test_new_matter_errors_keep_input_and_save_nothing(login: Any) -> None:
    client = login("jiefangbei")
    before = Matter.objects.count()
    r = client.post("/matters/new/", _new_form(description="", reporter_phone="1390000abcd"))
    assert r.status_code == 200
    assert "诉求内容不能为空" in text(r)
    assert 'value="1390000abcd"' in text(r) and 'value="李四"' in text(r)
    r = client.post("/matters/new/", _new_form(reporter_phone="1390000abcd"))
    assert r.status_code == 200 and "联系电话只能包含数字" in text(r)
    assert re.search(r'<option value="500103003013" selected>民生路社区</option>', text(r))
    r = client.post("/matters/new/", _new_form(category=""))
    assert r.status_code == 200 and "请选择诉求类别" in text(r)
    assert Matter.objects.count() == before


def test_new_matter_without_a_street_says_so_beside_the_place(login: Any) -> None:
    """The place's error sits under its chain of selects, which is marked invalid (red borders)."""
    client = login("jiefangbei")
    before = Matter.objects.count()
    r = client.post("/matters/new/", _new_form(area=["", "", ""]))
    page = text(r)
    assert r.status_code == 200 and Matter.objects.count() == before
    assert 'aria-labelledby="area-label" aria-invalid="true" aria-describedby="area-error"' in page
    assert re.search(r'id="area-error">[^<]+</div>', page), page
    # The street stays unchosen, as sent (on a new form the user's one street is chosen for them).
    assert not re.search(r'<option value="500103003" selected>', page)
    assert re.search(r'<option value="500103003" selected>', text(client.get("/matters/new/")))


def test_new_matter_outside_the_add_scope_is_refused(login: Any) -> None:
    client = login("wanzhou")
    before = Matter.objects.count()
    r = client.post("/matters/new/", _new_form(area=["500103003"]))
    assert r.status_code == 200 and "您不能在该区域登记诉求" in text(r)
    assert Matter.objects.count() == before


def test_new_matter_needs_the_add_right(login: Any) -> None:
    assert login("unit_yz_jw").get("/matters/new/").status_code == 403


# Phone report (grid workers) --------------------------------------------------------------------


def _report_form(**changes: Any) -> dict[str, Any]:
    data = {"category": "streetlight", "area": GRID, "description": "路灯杆倾斜"}
    data.update(changes)
    return data


def test_phone_report_offers_only_the_workers_grids(login: Any) -> None:
    page = text(login("grid_jfb_01").get("/matters/report/"))
    assert "民生路第1网格" in page and "1 号楼" in page
    assert "莲花池" not in page
    assert 'src="/static/matters/locate.js"' in page and "nonce=" in page
    assert "现场已处置（自行处置）" in page


def test_phone_report_submits_and_shows_the_number(login: Any, users: dict) -> None:
    client = login("grid_jfb_01")
    r = client.post(
        "/matters/report/",
        _report_form(area=BUILDING, photos=[upload("a.png", png()), upload("b.png", png("blue"))]),
    )
    assert r.status_code == 302
    m = Matter.objects.get(description="路灯杆倾斜")
    assert m.channel == "grid" and m.area.code == BUILDING and m.status == Status.SUBMITTED
    assert m.events.get(action="submit").attachments.count() == 2
    done = client.get(r["Location"])
    assert done.status_code == 200 and m.number in text(done)


def test_phone_report_refuses_other_grids_and_keeps_input(login: Any) -> None:
    before = Matter.objects.count()
    r = login("grid_jfb_01").post("/matters/report/", _report_form(area=OTHER_GRID))
    assert r.status_code == 200
    assert "只能选择您负责的网格或楼栋" in text(r) and "路灯杆倾斜" in text(r)
    assert Matter.objects.count() == before


def test_phone_report_blocking_answer_shows_its_message(login: Any) -> None:
    before = Matter.objects.count()
    r = login("grid_jfb_01").post(
        "/matters/report/", _report_form(category="elevator", q_trapped="是")
    )
    assert r.status_code == 200
    assert "有人被困请立即拨打 119" in text(r)
    assert Matter.objects.count() == before


def test_phone_report_unanswered_questions_are_shown_beside_them_and_photos_kept(
    login: Any,
) -> None:
    """A required question left blank is refused with the form's own checks, beside the
    question, and the photo chosen with it is stored for the next try."""
    client = login("grid_jfb_01")
    body = _report_form(
        category="wage-arrears", q_workers="十几个", photos=[upload("x.png", png())]
    )
    body["area"] = ""  # and no place: asked for with the rest, not on the next submit
    r = client.post("/matters/report/", body)
    page = text(r)
    assert r.status_code == 200 and Matter.objects.filter(description="路灯杆倾斜").count() == 0
    assert "请选择所在区域或提供经纬度" in page
    assert 'id="q_workers_error">“涉及人数”须为数字' in page
    assert 'id="q_site_error">请回答：是否为建设工程项目' in page
    kept = re.search(r'name="kept" value="([0-9a-f]{64})"', page)
    assert kept and "已上传：x.png" in page
    r = client.post(
        "/matters/report/",
        _report_form(category="wage-arrears", q_workers="12", q_site="是", kept=kept.group(1)),
    )
    assert r.status_code == 302
    m = Matter.objects.get(description="路灯杆倾斜")
    assert m.answers == {"workers": 12.0, "site": "是"}
    assert m.events.get(action="submit").attachments.get().sha256 == kept.group(1)


@pytest.mark.parametrize("url", ["/matters/report/", "/matters/new/"])
def test_an_empty_post_to_an_intake_form_is_a_page_not_an_error(login: Any, url: str) -> None:
    """A POST without a body leaves the form unbound: nothing to keep, the form drawn again."""
    r = login("jiefangbei" if url == "/matters/new/" else "grid_jfb_01").post(url, {})
    assert r.status_code == 200


def test_phone_report_self_handled_needs_photos_and_then_closes(login: Any) -> None:
    client = login("grid_jfb_01")
    before = Matter.objects.count()
    r = client.post("/matters/report/", _report_form(self_handled="on", result="已扶正"))
    assert r.status_code == 200 and "自行处置须上传处置后的照片或材料" in text(r)
    assert Matter.objects.count() == before  # no half-made matter left behind
    r = client.post(
        "/matters/report/",
        _report_form(self_handled="on", result="已扶正", photos=[upload("done.png", png())]),
    )
    assert r.status_code == 302
    m = Matter.objects.get(description="路灯杆倾斜")
    assert m.self_handled and m.status == Status.CLOSED


def test_phone_report_keeps_stored_photos_after_an_error(login: Any) -> None:
    client = login("grid_jfb_01")
    r = client.post(
        "/matters/report/", _report_form(description="", photos=[upload("x.png", png())])
    )
    assert r.status_code == 200 and "诉求内容不能为空" in text(r)
    kept = re.search(r'name="kept" value="([0-9a-f]{64})"', text(r))
    assert kept and "已上传：x.png" in text(r)
    r = client.post("/matters/report/", _report_form(kept=kept.group(1)))
    assert r.status_code == 302
    m = Matter.objects.get(description="路灯杆倾斜")
    assert m.events.get(action="submit").attachments.get().sha256 == kept.group(1)


def test_category_fields_show_hint_questions_and_live_blocking(client: Any) -> None:
    r = client.get("/public/category-fields/", {"category": "streetlight"})
    assert "请写明路段和灯杆编号" in text(r) and "匿名反映" in text(r)
    r = client.get("/public/category-fields/", {"category": "elevator", "anon": "0"})
    assert "是否有人被困" in text(r) and "匿名反映" not in text(r)
    r = client.get("/public/category-fields/", {"category": "elevator", "q_trapped": "是"})
    assert "有人被困请立即拨打 119" in text(r)
    r = client.get("/public/category-fields/", {"category": "wage-arrears"})
    assert 'type="number"' in text(r) and "涉及人数" in text(r)


# Public pages ---------------------------------------------------------------------------------


def _public_form(**changes: Any) -> dict[str, Any]:
    data = {
        "category": "streetlight",
        "area": ["500103", "500103003", "500103003013"],
        "description": "小区门口路灯坏了一周",
        "reporter_name": "王五",
        "reporter_phone": "13711112222",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_public_report_without_login(client: Any) -> None:
    page = text(client.get("/public/report/"))
    assert "反映诉求" in page and "渝中区" in page  # districts to choose from
    r = client.post("/public/report/", _public_form())
    assert r.status_code == 302
    m = Matter.objects.get(description="小区门口路灯坏了一周")
    assert m.channel == "web" and m.created_by is None and m.area.code == "500103003013"
    done = text(client.get(r["Location"]))
    assert m.number in done and "手机号后四位" in done


def test_public_report_errors(client: Any) -> None:
    before = Matter.objects.count()
    r = client.post("/public/report/", _public_form(reporter_phone=""))
    assert r.status_code == 200 and "请填写手机号码" in text(r)
    r = client.post("/public/report/", _public_form(category="neighbour-dispute", anonymous="on"))
    assert r.status_code == 200 and "不能匿名反映" in text(r)
    r = client.post("/public/report/", _public_form(area=["500103"]))
    assert r.status_code == 200 and "请至少选到街道（乡镇）" in text(r)
    assert "小区门口路灯坏了一周" in text(r)
    assert Matter.objects.count() == before


def test_public_report_anonymous_where_allowed(client: Any) -> None:
    r = client.post("/public/report/", _public_form(anonymous="on", reporter_phone=""))
    assert r.status_code == 302
    m = Matter.objects.get(description="小区门口路灯坏了一周")
    assert m.anonymous and m.reporter_phone == ""


def test_public_area_options_cascade(client: Any) -> None:
    page = text(client.get("/public/areas/options/", {"area": "500103"}))
    assert "解放碑街道" in page and 'name="area"' in page
    assert text(client.get("/public/areas/options/", {"area": GRID})).strip() == ""


def test_public_lookup_right_and_wrong(client: Any, users: dict) -> None:
    m = dispatched(users)
    r = client.post("/public/lookup/", {"number": m.number, "phone_last4": "5678"})
    page = text(r)
    assert r.status_code == 200 and "已派遣，等待责任单位签收" in page
    assert f"{m.category.parent.name} › {m.category.name}" in page  # as on the staff's page
    assert "已受理" in page and "渝中区住房城乡建委" in page
    assert "jiefangbei" not in page and "解放碑街道工作人员" not in page
    assert PHONE not in page and "张三" not in page
    r = client.post("/public/lookup/", {"number": m.number, "phone_last4": "0000"})
    assert r.status_code == 200
    assert "未查到与该编号和手机号后四位相符的诉求" in text(r) and "已派遣" not in text(r)
    r = client.post("/public/lookup/", {"number": m.number, "phone_last4": "56"})
    assert "请填写手机号后四位" in text(r)


def test_public_lookup_shows_private_matter_guidance(client: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"], category="neighbour-dispute", description="楼上漏水")
    services.matter_triage(
        actor=users["jiefangbei"], matter=m, triage="private", reason="请与楼上住户协商，可申请调解"
    )
    page = text(client.post("/public/lookup/", {"number": m.number, "phone_last4": "5678"}))
    assert "已分流" in page and "请与楼上住户协商，可申请调解" in page and "已办结" in page


def test_public_lookup_is_throttled(client: Any, users: dict) -> None:
    m = make_matter(users["jiefangbei"])
    for _ in range(10):
        client.post("/public/lookup/", {"number": m.number, "phone_last4": "0000"})
    r = client.post("/public/lookup/", {"number": m.number, "phone_last4": "5678"})
    assert r.status_code == 429 and "查询次数过多" in text(r)
    assert "已受理，等待立案" not in text(r)

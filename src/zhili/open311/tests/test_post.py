"""POST requests: api keys, locating the matter, attributes, errors, and the matter that enters
Zhili's one workflow (visible to staff with channel open311 and its events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zhili.areas.models import Area
from zhili.matters.models import Category, Matter
from zhili.open311.models import Open311Key, Open311Submission
from zhili.open311.services import key_revoke
from zhili.open311.tests.conftest import (
    BASE,
    GRID,
    IN_GRID,
    JIEFANGBEI,
    WANZHOU_STREET,
    assert_errors_json,
    assert_errors_xml,
    body,
    xml,
)

pytestmark = pytest.mark.django_db

RESIDENT = {
    "first_name": "三",
    "last_name": "张",
    "phone": "13800138000",
    "description": "民生路 12 号门口路灯不亮",
}


def _matter(response: Any) -> Matter:
    assert response.status_code == 201, response.content.decode()
    number = body(response)[0]["service_request_id"]
    return Matter.objects.select_related("area").get(number=number)


def test_post_creates_a_matter_in_the_one_workflow(
    post: Callable[..., Any], client: Any, bearer: Callable[[str], dict[str, str]]
) -> None:
    r = post(service_code="streetlight", jurisdiction_id=GRID, **RESIDENT)
    assert r.status_code == 201
    (answer,) = body(r)
    assert list(answer) == ["service_request_id", "service_notice", "account_id"]
    assert answer["service_request_id"].startswith("Q")
    assert answer["account_id"] is None
    assert "工作日" in answer["service_notice"] or "小时" in answer["service_notice"]
    assert r["Location"] == f"{BASE}/requests/{answer['service_request_id']}.json"

    staff = bearer("city_admin")
    number = answer["service_request_id"]
    detail = client.get(f"/api/v1/matters/{number}", headers=staff).json()
    assert detail["channel"] == "open311"
    assert detail["status"] == "submitted"
    assert detail["category"] == "streetlight"
    assert detail["area_code"] == GRID
    assert detail["reporter_phone"] == "138****8000"  # staff see it masked unless revealed
    events = client.get(f"/api/v1/matters/{number}/events", headers=staff).json()
    assert [(e["action"], e["to_status"], e["data"]) for e in events] == [
        ("submit", "submitted", {"channel": "open311"})
    ]
    matter = Matter.objects.get(number=number)
    assert matter.reporter_name == "张三" and matter.created_by is None
    assert matter.dispatch_due is not None  # the intake deadline runs as for every channel


def test_post_answers_in_xml(post: Callable[..., Any]) -> None:
    r = post("xml", service_code="streetlight", jurisdiction_id=GRID, **RESIDENT)
    assert r.status_code == 201
    root = xml(r)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    assert request.findtext("service_request_id", "").startswith("Q")
    account = request.find("account_id")
    assert account is not None and account.text is None  # <account_id/>


def test_posting_needs_a_valid_api_key(client: Any, api_key: str) -> None:
    form = {"service_code": "streetlight", "jurisdiction_id": GRID, **RESIDENT}
    assert "api_key" in assert_errors_json(client.post(f"{BASE}/requests.json", form), 403)
    assert_errors_xml(client.post(f"{BASE}/requests.xml", form), 403)
    bad = {**form, "api_key": "o311_not-a-key"}
    assert_errors_json(client.post(f"{BASE}/requests.json", bad), 403)
    key_revoke(actor=None, key=Open311Key.objects.get())
    revoked = {**form, "api_key": api_key}
    assert_errors_json(client.post(f"{BASE}/requests.json", revoked), 403)
    assert not Matter.objects.filter(channel="open311").exists()


def test_clients_need_no_csrf_token(api_key: str) -> None:
    client = Client(enforce_csrf_checks=True)
    form = {"api_key": api_key, "service_code": "streetlight", "jurisdiction_id": GRID, **RESIDENT}
    assert client.post(f"{BASE}/requests.json", form).status_code == 201


def test_lat_long_finds_the_grid(post: Callable[..., Any]) -> None:
    matter = _matter(post(service_code="streetlight", **IN_GRID, **RESIDENT))
    assert matter.area.level == "grid" and matter.area.path.startswith(
        f"500000/500103/{JIEFANGBEI}/"
    )
    assert (matter.lat, matter.lng) == (29.555, 106.57)


def test_lat_long_alone_is_accepted_into_the_district_queue(post: Callable[..., Any]) -> None:
    """GeoReport v2 makes lat/long alone a valid location: where only the district resolves the
    request is 201 and waits in the district centre's 待分拨 queue, never refused."""
    from shapely.geometry import shape

    from zhili.areas.models import Boundary
    from zhili.matters.selectors import apply_queue

    p = shape(
        Boundary.objects.get(area__code="500101", active=True).geometry
    ).representative_point()
    where = {"lat": str(round(p.y, 6)), "long": str(round(p.x, 6))}  # 万州区: no street boundaries
    matter = _matter(post(service_code="streetlight", **where, **RESIDENT))
    assert matter.area.code == "500101" and matter.lat == round(p.y, 6)
    assert matter in apply_queue(None, Matter.objects.all(), "place")
    # In 渝中区 the demo's street boundaries place the point in its street at once.
    matter = _matter(post(service_code="streetlight", lat="29.5575", long="106.577", **RESIDENT))
    assert matter.area.code == JIEFANGBEI


def test_lat_long_outside_the_city_is_400(post: Callable[..., Any]) -> None:
    far = {"lat": "39.9", "long": "116.4"}  # Beijing
    assert "本市" in assert_errors_json(post(service_code="streetlight", **far, **RESIDENT), 400)
    half = {"lat": "29.555"}
    assert_errors_json(post(service_code="streetlight", **half, **RESIDENT), 400)
    assert_errors_json(post(service_code="streetlight", lat="x", long="y", **RESIDENT), 400)


def test_address_string_only_when_unambiguous(post: Callable[..., Any]) -> None:
    matter = _matter(
        post(service_code="streetlight", address_string="渝中区解放碑街道民生路社区", **RESIDENT)
    )
    assert matter.area.code == "500103003013"  # the community inside the named street
    # 走马镇 exists in 万州区 and in 九龙坡区: ask for coordinates...
    message = assert_errors_json(
        post(service_code="streetlight", address_string="走马镇场镇", **RESIDENT), 400
    )
    assert "lat" in message
    # ...unless the district is named too.
    matter = _matter(
        post(service_code="streetlight", address_string="九龙坡区走马镇场镇", **RESIDENT)
    )
    assert matter.area.code == "500107106"
    assert_errors_json(post(service_code="streetlight", address_string="火星", **RESIDENT), 400)


def test_a_location_is_required(post: Callable[..., Any]) -> None:
    assert "lat" in assert_errors_json(post(service_code="streetlight", **RESIDENT), 400)
    # A district is a scope, not a place specific enough to file in.
    assert_errors_json(post(service_code="streetlight", jurisdiction_id="500103", **RESIDENT), 400)


def test_a_district_jurisdiction_id_bounds_the_location(post: Callable[..., Any]) -> None:
    # 走马镇 alone is ambiguous; within 九龙坡区 it is one town.
    r = post(
        service_code="streetlight", jurisdiction_id="500107", address_string="走马镇", **RESIDENT
    )
    assert _matter(r).area.code == "500107106"
    # A point in 渝中区 does not belong to 万州区.
    r = post(service_code="streetlight", jurisdiction_id="500101", **IN_GRID, **RESIDENT)
    assert "万州区" in assert_errors_json(r, 400)


def test_address_id_is_an_area_code(post: Callable[..., Any]) -> None:
    matter = _matter(post(service_code="streetlight", address_id=JIEFANGBEI, **RESIDENT))
    assert matter.area.code == JIEFANGBEI
    assert_errors_json(post(service_code="streetlight", address_id="999999999", **RESIDENT), 404)


def test_jurisdiction_id_outside_chongqing_is_404(post: Callable[..., Any]) -> None:
    r = post(service_code="streetlight", jurisdiction_id="110101001", **RESIDENT)
    assert "110101001" in assert_errors_json(r, 404)


def test_a_key_with_an_area_posts_only_there(
    client: Any, make_key: Callable[..., str], area: Callable[[str], Area]
) -> None:
    key = make_key("渝中区 App", area("500103"))
    form = {"api_key": key, "service_code": "streetlight", **RESIDENT}
    ok = client.post(f"{BASE}/requests.json", {**form, "jurisdiction_id": GRID})
    assert ok.status_code == 201
    outside = client.post(f"{BASE}/requests.json", {**form, "jurisdiction_id": WANZHOU_STREET})
    assert "渝中区" in assert_errors_json(outside, 403)
    by_name = client.post(f"{BASE}/requests.json", {**form, "address_string": "高笋塘街道"})
    assert_errors_json(by_name, 400)  # names are looked up within the key's area only


def test_service_code_missing_or_unknown(post: Callable[..., Any]) -> None:
    assert "service_code" in assert_errors_json(post(jurisdiction_id=GRID, **RESIDENT), 400)
    assert_errors_json(post(service_code="nope", jurisdiction_id=GRID, **RESIDENT), 404)
    assert_errors_xml(post("xml", service_code="nope", jurisdiction_id=GRID, **RESIDENT), 404)


def test_phone_is_required_unless_the_category_allows_anonymous(
    post: Callable[..., Any],
) -> None:
    no_phone = {**RESIDENT, "phone": ""}
    r = post(service_code="neighbour-dispute", jurisdiction_id=GRID, **no_phone)
    assert "联系电话" in assert_errors_json(r, 400)
    matter = _matter(post(service_code="streetlight", jurisdiction_id=GRID, **no_phone))
    assert matter.anonymous and matter.reporter_name == "" and matter.reporter_phone == ""
    r = post(service_code="streetlight", jurisdiction_id=GRID, **{**RESIDENT, "phone": "abc"})
    assert_errors_json(r, 400)


def test_a_blocking_answer_stops_the_request(post: Callable[..., Any]) -> None:
    form = {"service_code": "elevator", "jurisdiction_id": GRID, **RESIDENT}
    message = assert_errors_json(post(**form, **{"attribute[trapped]": "是"}), 400)
    assert "119" in message
    assert "是否有人被困" in assert_errors_json(post(**form), 400)  # required attribute
    assert_errors_xml(post("xml", **form, **{"attribute[trapped]": "也许"}), 400)
    matter = _matter(post(**form, **{"attribute[trapped]": "否"}))
    assert matter.answers == {"trapped": "否"}
    assert not Matter.objects.filter(category__code="elevator").exclude(pk=matter.pk).exists()


def test_multivaluelist_and_datetime_attributes(client: Any, api_key: str) -> None:
    Category.objects.create(
        code="test-attrs",
        name="测试：多选与日期",
        parent=Category.objects.get(code="city"),
        topic="environment",
        allow_anonymous=True,
        questions=[
            {
                "key": "days",
                "label": "哪几天",
                "type": "multi",
                "options": ["周一", "周二", "周三"],
            },
            {"key": "since", "label": "开始日期", "type": "date"},
            {"key": "count", "label": "数量", "type": "number"},
        ],
    )
    form = (
        f"api_key={api_key}&service_code=test-attrs&jurisdiction_id={GRID}&description=x"
        "&attribute[days][]=周一&attribute[days][]=周三"
        "&attribute[since]=2026-11-02T23:30:00Z&attribute[count]=3"
    )
    r = client.post(f"{BASE}/requests.json", form, content_type="application/x-www-form-urlencoded")
    matter = _matter(r)
    # 23:30 UTC is the next morning in Chongqing.
    assert matter.answers == {"days": ["周一", "周三"], "since": "2026-11-03", "count": 3.0}
    bad = form.replace("attribute[count]=3", "attribute[count]=many")
    r = client.post(f"{BASE}/requests.json", bad, content_type="application/x-www-form-urlencoded")
    assert "数量" in assert_errors_json(r, 400)


def test_media_url_is_kept_as_text_with_the_client_fields(post: Callable[..., Any]) -> None:
    url = "http://example.org/photos/2212426634_5ed477a060.jpg"
    r = post(
        service_code="streetlight",
        jurisdiction_id=GRID,
        media_url=url,
        email="zhang@example.org",
        device_id="tt222111",
        account_id="123456",
        **RESIDENT,
    )
    matter = _matter(r)
    assert body(r)[0]["account_id"] == "123456"
    assert url in matter.description and matter.description.startswith(RESIDENT["description"])
    sub = Open311Submission.objects.get(matter=matter)
    assert (sub.media_url, sub.email, sub.device_id, sub.account_id) == (
        url,
        "zhang@example.org",
        "tt222111",
        "123456",
    )
    assert_errors_json(
        post(service_code="streetlight", jurisdiction_id=GRID, media_url="ftp://x", **RESIDENT),
        400,
    )
    assert_errors_json(
        post(service_code="streetlight", jurisdiction_id=GRID, email="not-mail", **RESIDENT), 400
    )


def test_description_is_required_and_limited(post: Callable[..., Any]) -> None:
    form = {**RESIDENT, "description": ""}
    assert_errors_json(post(service_code="streetlight", jurisdiction_id=GRID, **form), 400)
    form = {**RESIDENT, "description": "灯" * 4001}
    assert_errors_json(post(service_code="streetlight", jurisdiction_id=GRID, **form), 400)
    # A photo alone is a report: the category's name stands in for the text.
    form = {**RESIDENT, "description": "", "media_url": "https://example.org/a.jpg"}
    matter = _matter(post(service_code="streetlight", jurisdiction_id=GRID, **form))
    assert matter.description.startswith("路灯")


def test_other_methods_are_refused_with_the_error_list(client: Any) -> None:
    r = client.put(f"{BASE}/requests.json")
    assert_errors_json(r, 405)
    assert r["Allow"] == "GET, POST, HEAD"

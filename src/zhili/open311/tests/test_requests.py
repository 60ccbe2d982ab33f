"""GET requests, GET a request and tokens: the spec's fields and elements, status mapping,
date filters, paging, jurisdiction scoping, and no personal data in any Open311 output."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from zhili.matters import services as ms
from zhili.matters.models import Matter, Status, Triage
from zhili.open311.models import Open311Submission
from zhili.open311.tests.conftest import (
    BASE,
    GRID,
    WANZHOU_STREET,
    assert_errors_json,
    assert_errors_xml,
    body,
    xml,
)
from zhili.org.models import Unit
from zhili.testing.factories import make_matter
from zhili.testing.queries import assert_query_count

pytestmark = pytest.mark.django_db

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


@pytest.fixture
def file(users: dict[str, Any]) -> Callable[..., Matter]:
    """A matter registered by staff (any channel may be read through Open311)."""

    def make(
        category: str = "streetlight", where: str = GRID, days_ago: float = 1, **kw: Any
    ) -> Matter:
        kw.setdefault("description", "路灯不亮")
        kw.setdefault("reporter_name", "李四")
        kw.setdefault("reporter_phone", "13900001111")
        at = timezone.now() - dt.timedelta(days=days_ago)
        return make_matter(users["city_admin"], category=category, area=where, at=at, **kw)

    return make


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return [r["service_request_id"] for r in body(response)]


def test_get_requests_json_has_the_spec_fields(client: Any, file: Callable[..., Matter]) -> None:
    m = file(lat=29.55512345, lng=106.57034567)
    (item,) = body(client.get(f"{BASE}/requests.json"))
    assert list(item) == REQUEST_FIELDS
    assert item["service_request_id"] == m.number
    assert item["status"] == "open"
    assert item["status_notes"] == "待受理"
    assert (item["service_code"], item["service_name"]) == ("streetlight", "路灯")
    assert item["description"] == "路灯不亮"
    assert item["agency_responsible"] is None
    assert item["requested_datetime"] == timezone.localtime(m.created_at).isoformat(
        timespec="seconds"
    )
    assert item["requested_datetime"].endswith("+08:00")
    assert item["address"] == "民生路社区, 解放碑街道, 渝中区, 重庆市"
    assert item["address_id"] == GRID
    assert (item["lat"], item["long"]) == (29.555, 106.57)  # about 100 m, not a door
    assert item["zipcode"] is None and item["media_url"] is None


def test_get_requests_xml_uses_request_elements(client: Any, file: Callable[..., Matter]) -> None:
    m = file()
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert [c.tag for c in request] == REQUEST_FIELDS
    assert request.findtext("service_request_id") == m.number
    assert request.findtext("status") == "open"
    zipcode = request.find("zipcode")
    assert zipcode is not None and zipcode.text is None


def test_one_request_by_id(client: Any, file: Callable[..., Matter]) -> None:
    m = file()
    (item,) = body(client.get(f"{BASE}/requests/{m.number}.json"))
    assert list(item) == REQUEST_FIELDS and item["service_request_id"] == m.number
    root = xml(client.get(f"{BASE}/requests/{m.number}.xml"))
    assert root.tag == "service_requests" and len(root.findall("request")) == 1
    assert_errors_json(client.get(f"{BASE}/requests/Q20990101000001.json"), 404)
    assert_errors_xml(client.get(f"{BASE}/requests/Q20990101000001.xml"), 404)


def test_status_open_and_closed(
    client: Any, file: Callable[..., Matter], users: dict[str, Any]
) -> None:
    admin = users["city_admin"]
    waiting = file()
    rejected = ms.matter_reject(actor=admin, matter=file(), reason="重复反映")
    private = ms.matter_triage(actor=admin, matter=file(), triage=Triage.PRIVATE, reason="私事")
    suspended = file()
    ms.matter_accept(actor=admin, matter=suspended)
    suspended = ms.matter_suspend(actor=admin, matter=suspended, reason="等待施工")
    assert suspended.status == Status.SUSPENDED

    assert set(_ids(client.get(f"{BASE}/requests.json?status=open"))) == {
        waiting.number,
        suspended.number,
    }
    closed = body(client.get(f"{BASE}/requests.json?status=closed"))
    assert {r["service_request_id"] for r in closed} == {rejected.number, private.number}
    by_id = {r["service_request_id"]: r for r in closed}
    assert by_id[rejected.number]["status_notes"] == "不予立案"
    assert by_id[private.number]["updated_datetime"] == timezone.localtime(
        Matter.objects.get(pk=private.pk).closed_at
    ).isoformat(timespec="seconds")
    assert len(_ids(client.get(f"{BASE}/requests.json?status=open,closed"))) == 4
    assert len(_ids(client.get(f"{BASE}/requests.json"))) == 4
    assert_errors_json(client.get(f"{BASE}/requests.json?status=pending"), 400)


def test_dispatch_shows_the_agency_and_the_expected_time(
    client: Any, file: Callable[..., Matter], users: dict[str, Any]
) -> None:
    admin = users["city_admin"]
    m = ms.matter_accept(actor=admin, matter=file())
    unit = Unit.objects.get(name="渝中区住房城乡建委")
    m = ms.matter_dispatch(actor=admin, matter=m, unit=unit)
    (item,) = body(client.get(f"{BASE}/requests/{m.number}.json"))
    assert item["agency_responsible"] == "渝中区住房城乡建委"
    assert item["status"] == "open" and item["status_notes"] == "待签收"
    assert m.handle_due is not None
    assert item["expected_datetime"] == timezone.localtime(m.handle_due).isoformat(
        timespec="seconds"
    )
    assert item["updated_datetime"] >= item["requested_datetime"]


def test_date_filters_default_to_the_last_90_days(client: Any, file: Callable[..., Matter]) -> None:
    recent, month, old = file(days_ago=2), file(days_ago=30), file(days_ago=120)
    assert set(_ids(client.get(f"{BASE}/requests.json"))) == {recent.number, month.number}
    since = (timezone.now() - dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _ids(client.get(f"{BASE}/requests.json", {"start_date": since})) == [recent.number]
    start = (timezone.now() - dt.timedelta(days=150)).isoformat(timespec="seconds")
    end = (timezone.now() - dt.timedelta(days=90)).isoformat(timespec="seconds")
    window = {"start_date": start, "end_date": end}
    assert _ids(client.get(f"{BASE}/requests.json", window)) == [old.number]
    # end_date alone: the 90 days before it.
    assert _ids(client.get(f"{BASE}/requests.json", {"end_date": end})) == [old.number]
    # A date alone (Beijing time) is accepted too.
    day = timezone.localtime(timezone.now() - dt.timedelta(days=40)).date().isoformat()
    assert set(_ids(client.get(f"{BASE}/requests.json", {"start_date": day}))) == {
        recent.number,
        month.number,
    }


def test_bad_dates_are_400(client: Any) -> None:
    assert "ISO 8601" in assert_errors_json(
        client.get(f"{BASE}/requests.json?start_date=yesterday"), 400
    )
    too_long = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}
    assert_errors_json(client.get(f"{BASE}/requests.json", too_long), 400)
    backwards = {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}
    assert_errors_xml(client.get(f"{BASE}/requests.xml", backwards), 400)


def test_ids_override_every_other_filter(client: Any, file: Callable[..., Matter]) -> None:
    old, recent = file(days_ago=200), file(days_ago=1)
    ids = f"{old.number},{recent.number},Q20990101000001"
    found = _ids(
        client.get(f"{BASE}/requests.json", {"service_request_id": ids, "status": "closed"})
    )
    assert set(found) == {old.number, recent.number}


def test_service_code_filter(client: Any, file: Callable[..., Matter]) -> None:
    light, road = file("streetlight"), file("road-damage")
    file("sanitation")
    assert _ids(client.get(f"{BASE}/requests.json?service_code=streetlight")) == [light.number]
    both = set(_ids(client.get(f"{BASE}/requests.json?service_code=streetlight,road-damage")))
    assert both == {light.number, road.number}


def test_page_and_page_size(client: Any, file: Callable[..., Matter]) -> None:
    made = [file(days_ago=d) for d in (3, 2, 1)]  # newest first in the answer
    newest = [m.number for m in reversed(made)]
    assert _ids(client.get(f"{BASE}/requests.json?page_size=2")) == newest[:2]
    assert _ids(client.get(f"{BASE}/requests.json?page_size=2&page=2")) == newest[2:]
    assert _ids(client.get(f"{BASE}/requests.json?page_size=2&page=3")) == []
    assert_errors_json(client.get(f"{BASE}/requests.json?page_size=0"), 400)
    assert_errors_json(client.get(f"{BASE}/requests.json?page_size=1001"), 400)
    assert_errors_json(client.get(f"{BASE}/requests.json?page=x"), 400)


def test_jurisdiction_id_scopes_every_read(client: Any, file: Callable[..., Matter]) -> None:
    yuzhong, wanzhou = file(), file(where=WANZHOU_STREET)
    assert _ids(client.get(f"{BASE}/requests.json?jurisdiction_id=500103")) == [yuzhong.number]
    assert _ids(client.get(f"{BASE}/requests.json?jurisdiction_id=500101")) == [wanzhou.number]
    assert len(_ids(client.get(f"{BASE}/requests.json?jurisdiction_id=500000"))) == 2
    detail = client.get(f"{BASE}/requests/{wanzhou.number}.json?jurisdiction_id=500103")
    assert_errors_json(detail, 404)
    assert_errors_json(client.get(f"{BASE}/requests.json?jurisdiction_id=110000"), 404)
    assert_errors_xml(client.get(f"{BASE}/requests.xml?jurisdiction_id=city.gov"), 404)


def test_a_key_with_an_area_reads_only_its_subtree(
    client: Any, file: Callable[..., Matter], make_key: Callable[..., str], area: Any
) -> None:
    yuzhong, wanzhou = file(), file(where=WANZHOU_STREET)
    key = make_key("渝中区 App", area("500103"))
    assert _ids(client.get(f"{BASE}/requests.json", {"api_key": key})) == [yuzhong.number]
    assert_errors_json(client.get(f"{BASE}/requests/{wanzhou.number}.json?api_key={key}"), 404)
    outside = {"api_key": key, "jurisdiction_id": "500101"}
    assert_errors_json(client.get(f"{BASE}/requests.json", outside), 404)
    ids = {"api_key": key, "service_request_id": f"{yuzhong.number},{wanzhou.number}"}
    assert _ids(client.get(f"{BASE}/requests.json", ids)) == [yuzhong.number]
    assert_errors_json(client.get(f"{BASE}/requests.json?api_key=o311_wrong"), 403)


def test_tokens_resolve_to_the_request(
    client: Any, post: Callable[..., Any], make_key: Callable[..., str], area: Any
) -> None:
    r = post(
        service_code="streetlight", jurisdiction_id=GRID, phone="13800138000", description="灯"
    )
    number = body(r)[0]["service_request_id"]
    token = Open311Submission.objects.get(matter__number=number).token
    assert body(client.get(f"{BASE}/tokens/{token}.json")) == [
        {"service_request_id": number, "token": token}
    ]
    root = xml(client.get(f"{BASE}/tokens/{token}.xml"))
    request = root.find("request")
    assert root.tag == "service_requests" and request is not None
    assert [c.tag for c in request] == ["service_request_id", "token"]
    assert_errors_json(client.get(f"{BASE}/tokens/nope.json"), 404)
    wanzhou_key = make_key("万州区 App", area("500101"))
    assert_errors_json(client.get(f"{BASE}/tokens/{token}.json?api_key={wanzhou_key}"), 404)


def test_no_personal_data_in_any_open311_output(
    client: Any,
    post: Callable[..., Any],
    bearer: Callable[[str], dict[str, str]],
) -> None:
    """The reporter's name, phone and email, and numbers written into the text, appear nowhere
    in Open311 output, while staff keep their own (masked) view of the same matter."""
    text = (
        "我是张三丰，电话 139-0000-1234，身份证 50010319800101123X，"
        "邮箱 zsf@example.org，请联系我。小区路灯坏了 3 盏。"
    )
    r = post(
        service_code="streetlight",
        jurisdiction_id=GRID,
        first_name="三丰",
        last_name="张",
        phone="13900001234",
        email="zsf@example.org",
        description=text,
        address_string="民生路 88 号 3 栋 2 单元 501",
        media_url="https://example.org/p/20261128123456789.jpg",
        lat="29.55512345",
        long="106.57034567",
    )
    number = body(r)[0]["service_request_id"]
    token = Open311Submission.objects.get(matter__number=number).token
    outputs = [r.content]
    for fmt in ("json", "xml"):
        for path in ("requests", f"requests/{number}", f"tokens/{token}", "services"):
            response = client.get(f"{BASE}/{path}.{fmt}")
            assert response.status_code == 200
            outputs.append(response.content)
    secrets = [
        "张三丰",
        "三丰",
        "13900001234",
        "0000-1234",
        "50010319800101123X",
        "zsf@",
        "3 栋 2 单元",
    ]
    for content in outputs:
        page = content.decode()
        for secret in secrets:
            assert secret not in page, (secret, page[:300])
    (item,) = body(client.get(f"{BASE}/requests/{number}.json"))
    assert "小区路灯坏了 3 盏" in item["description"]  # the matter itself stays readable
    assert item["media_url"] == "https://example.org/p/20261128123456789.jpg"
    # Staff see the same matter through their own scoped API, personal data masked.
    staff = client.get(f"/api/v1/matters/{number}", headers=bearer("city_admin")).json()
    assert staff["reporter_phone"] == "139****1234" and staff["reporter_name"] == "张**"


def test_listing_costs_a_fixed_number_of_queries(client: Any, file: Callable[..., Matter]) -> None:
    for _ in range(12):
        file()
    client.get(f"{BASE}/requests.json")  # the process caches are warm
    with assert_query_count("GET /open311/v2/requests.json (12 requests)"):
        assert len(_ids(client.get(f"{BASE}/requests.json"))) == 12
    with assert_query_count("GET /open311/v2/requests.json?jurisdiction_id=500103"):
        assert len(_ids(client.get(f"{BASE}/requests.json?jurisdiction_id=500103"))) == 12


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("电话13800138000请回电", "电话***请回电"),
        ("座机 023-6388 1234 转 8", "座机 *** 转 8"),
        ("手机１３８００１３８０００", "手机***"),  # full-width digits
        ("身份证50010319800101123x", "身份证***"),
        ("邮件 a.b+c@mail.example.cn 谢谢", "邮件 *** 谢谢"),
        ("从2026-11-01开始，3 盏灯不亮，门牌 12 号", "从2026-11-01开始，3 盏灯不亮，门牌 12 号"),
        ("见 https://example.org/p/13800138000.jpg", "见 https://example.org/p/13800138000.jpg"),
        ("我叫王小明，王小明家门口", "我叫***，***家门口"),
    ],
)
def test_descriptions_are_scrubbed_of_personal_data(text: str, shown: str) -> None:
    from zhili.open311.presenters import scrub

    assert scrub(text, ["王小明"]) == shown


def test_an_unencoded_plus_in_a_date_is_read_as_the_offset(
    client: Any, file: Callable[..., Matter]
) -> None:
    m = file(days_ago=1)
    day = timezone.localtime(timezone.now() - dt.timedelta(days=3)).date().isoformat()
    # "+08:00" sent without percent-encoding arrives as " 08:00".
    r = client.get(f"{BASE}/requests.json?start_date={day}T00:00:00+08:00")
    assert _ids(r) == [m.number]


def scrub_corpus() -> list[tuple[str, str]]:
    from pathlib import Path

    path = Path(__file__).parent / "data" / "scrub_corpus.tsv"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, shown = line.split("\t")
            rows.append((text, shown))
    return rows


@pytest.mark.parametrize(("text", "shown"), scrub_corpus())
def test_the_scrubber_over_the_corpus(text: str, shown: str) -> None:
    from zhili.open311.presenters import scrub

    assert scrub(text, ["王小明"]) == shown


def test_the_corpus_is_read() -> None:
    assert len(scrub_corpus()) >= 30


@pytest.mark.parametrize("code", ["cadre-conduct", "petition-follow"])
def test_sensitive_categories_stay_out_of_the_public_feed(
    client: Any, file: Callable[..., Matter], code: str
) -> None:
    from django.conf import settings

    assert code in settings.ZHILI_OPEN311_PRIVATE_CATEGORIES
    shown = file()
    hidden = file(category=code, description="反映某干部作风问题")
    numbers = _ids(client.get(f"{BASE}/requests.json"))
    assert shown.number in numbers and hidden.number not in numbers
    assert hidden.number not in client.get(f"{BASE}/requests.xml").content.decode()
    assert_errors_json(client.get(f"{BASE}/requests/{hidden.number}.json"), 404)
    by_id = client.get(f"{BASE}/requests.json?service_request_id={hidden.number}")
    assert _ids(by_id) == []


def test_the_private_list_is_a_setting(
    client: Any, file: Callable[..., Matter], settings: Any
) -> None:
    settings.ZHILI_OPEN311_PRIVATE_CATEGORIES = ["streetlight"]
    m = file()
    assert m.number not in _ids(client.get(f"{BASE}/requests.json"))

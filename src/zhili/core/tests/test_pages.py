"""Every page answers; bad form input is a Chinese message in the page and saves nothing."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.areas.models import Area
from zhili.core.models import AuditEvent
from zhili.org.models import Liaison, Role, Unit, User

PAGES = [
    "/",
    "/areas/",
    "/areas/?q=解放碑",
    "/areas/?q=500105",
    "/areas/500103/",
    "/areas/500105/",  # an ended district, as history
    "/areas/500103/children/",
    "/areas/boundaries/",
    "/areas/boundaries.geojson",
    "/areas/import/",
    "/org/units/",
    "/org/units/new/",
    "/org/users/",
    "/org/users/new/",
    "/org/roles/",
    "/org/liaisons/",
    "/audit/",
    "/audit/?q=解放碑&action=unit&since=2020-01-01",
    "/audit/?since=not-a-date",
    "/password/",
]
DEMO_USERS = ["city_admin", "yuzhong", "wanzhou", "jiefangbei", "grid_jfb_01"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_city_admin_gets_every_page(login: Any, url: str) -> None:
    assert login("city_admin").get(url).status_code == 200


@pytest.mark.django_db
def test_city_admin_gets_every_detail_and_form_page(login: Any, users: dict[str, Any]) -> None:
    client = login("city_admin")
    unit = Unit.objects.get(name="解放碑派出所")
    urls = [
        "/areas/500103003016/new/",
        "/areas/500103003013001/new/",
        "/areas/500103003013001/edit/",
        f"/org/units/{unit.pk}/",
        f"/org/users/{users['jiefangbei'].pk}/",
        f"/org/roles/{Role.objects.get(slug='street_worker').pk}/",
        "/healthz",
        "/api/v1/openapi.json",
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_demo_user_gets_the_list_pages(login: Any, username: str) -> None:
    client = login(username)
    for url in ["/", "/areas/", "/org/units/", "/org/users/", "/org/liaisons/", "/audit/"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_home_shows_the_users_scope(login: Any) -> None:
    page = login("grid_jfb_01").get("/").content.decode()
    assert "民生路第1网格" in page
    assert "万州区" not in page


# Bad form input --------------------------------------------------------------------------------


def _no_new(model: Any, before: int) -> None:
    assert model.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "新单位", "type": "other", "area_code": "599999"}, "区域代码 599999 不存在"),
        ({"name": "新单位", "type": "other", "area_code": "500101"}, "不在您的管辖范围内"),
        ({"name": "", "type": "other", "area_code": "500103"}, "这个字段是必填项"),
        ({"name": "渝中区综治中心", "type": "centre", "area_code": "500103"}, "已有名为"),
        ({"name": "新单位", "type": "other", "area_code": "500105"}, "江北区 已撤销"),
    ],
    ids=["unknown-area", "other-district", "no-name", "duplicate", "ended-area"],
)
def test_unit_form_errors(login: Any, data: dict, message: str) -> None:
    before, audit = Unit.objects.count(), AuditEvent.objects.count()
    username = "city_admin" if data["area_code"] == "500105" else "yuzhong"
    response = login(username).post("/org/units/new/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    _no_new(Unit, before)
    assert AuditEvent.objects.count() == audit


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "newbie", "password": "123"}, "密码"),
        ({"username": "yuzhong", "password": "long-enough-pass-2026"}, "账号 yuzhong 已存在"),
        (
            {"username": "newbie", "password": "long-enough-pass-2026", "area_code": "x"},
            "没有名为“x”的区域",
        ),
    ],
    ids=["weak-password", "duplicate", "unknown-area"],
)
def test_user_form_errors(login: Any, data: dict, message: str) -> None:
    before = User.objects.count()
    form = {"full_name": "新人", "area_code": "500103003", **data}
    response = login("yuzhong").post("/org/users/new/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    _no_new(User, before)


@pytest.mark.django_db
def test_user_form_creates_a_user_who_can_log_in(login: Any, client: Any) -> None:
    response = login("yuzhong").post(
        "/org/users/new/",
        {
            "username": "newbie",
            "full_name": "新人",
            "area_code": "500103003",
            "password": "long-enough-pass-2026",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="newbie").area.code == "500103003"


BOWTIE = '{"type":"Polygon","coordinates":[[[106.57,29.55],[106.571,29.551],[106.571,29.55],[106.57,29.551],[106.57,29.55]]]}'

NAN_SQUARE = '{"type":"Polygon","coordinates":[[[NaN,0],[1,1],[1,0],[NaN,0]]]}'
FAR_SQUARE = '{"type":"Polygon","coordinates":[[[500,0],[501,0],[501,1],[500,0]]]}'


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "这个字段是必填项"),
        ({"name": "新网格", "geometry": "not json"}, "不是有效的 GeoJSON"),
        ({"name": "新网格", "geometry": BOWTIE}, "自相交"),
        ({"name": "新网格", "geometry": '{"type": "Polygon"}'}, "边界坐标格式不正确"),
        ({"name": "新网格", "geometry": NAN_SQUARE}, "边界坐标格式不正确"),
        ({"name": "新网格", "geometry": FAR_SQUARE}, "超出经纬度范围"),
        ({"name": "新网格", "lat": "29.55"}, "经度和纬度须同时填写"),
        ({"name": "新网格", "lat": "95", "lng": "106"}, "小于或等于"),
        ({"name": "新网格", "households": "-3"}, "大于或等于"),
        ({"name": "新网格", "code": "500103003013001"}, "已被使用"),
        ({"name": "新网格", "code": "带空格 的代码"}, "只能由字母和数字组成"),
    ],
    ids=[
        "no-name",
        "bad-json",
        "bowtie",
        "no-coordinates",
        "nan",
        "not-lat-lng",
        "half-point",
        "lat",
        "households",
        "dup-code",
        "bad-code",
    ],
)
def test_grid_form_errors(login: Any, data: dict, message: str) -> None:
    before = Area.objects.count()
    response = login("jiefangbei").post("/areas/500103003016/new/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    _no_new(Area, before)


@pytest.mark.django_db
def test_grid_form_creates_a_numbered_grid(login: Any) -> None:
    response = login("jiefangbei").post(
        "/areas/500103003016/new/", {"name": "莲花池第4网格", "households": "300"}
    )
    assert response.status_code == 302
    grid = Area.objects.get(name="莲花池第4网格")
    assert grid.code == "500103003016004"
    assert response["Location"] == f"/areas/{grid.code}/"


@pytest.mark.django_db
def test_grid_edit_form_error_keeps_the_old_values(login: Any) -> None:
    response = login("jiefangbei").post(
        "/areas/500103003013001/edit/", {"name": "改名", "households": "-1"}
    )
    assert response.status_code == 200
    grid = Area.objects.get(code="500103003013001")
    assert (grid.name, grid.households) == ("民生路第1网格", 350)


@pytest.mark.django_db
def test_new_grid_under_a_district_is_a_clear_error_page(login: Any) -> None:
    response = login("yuzhong").get("/areas/500103/new/")
    assert response.status_code == 422
    assert "区县下不能直接新建网格或楼栋" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"area_code": "500103003013", "leader": "yuzhong"}, "须为街道"),
        ({"area_code": "500103001", "leader": ""}, "请选择联系领导或联系单位"),
        ({"area_code": "500103001", "leader": "wanzhou"}, "账号“wanzhou”不存在"),
    ],
    ids=["community", "nobody", "other-district-leader"],
)
def test_liaison_form_errors(login: Any, data: dict, message: str) -> None:
    before = Liaison.objects.count()
    response = login("yuzhong").post("/org/liaisons/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    _no_new(Liaison, before)


@pytest.mark.django_db
def test_role_form_error(login: Any) -> None:
    role = Role.objects.get(slug="grid_worker")
    response = login("city_admin").post(f"/org/roles/{role.pk}/", {"name": "市级管理员"})
    assert response.status_code == 200
    assert "已有同名角色" in response.content.decode()
    role.refresh_from_db()
    assert role.name == "网格员"


@pytest.mark.django_db
def test_user_edit_form_saves_and_is_audited(login: Any, users: dict[str, Any]) -> None:
    target = users["jiefangbei"]
    response = login("yuzhong").post(
        f"/org/users/{target.pk}/",
        {"form": "edit", "full_name": "解放碑街道新同事", "phone": "023-1234", "is_active": "on"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.full_name, target.phone, target.is_active) == (
        "解放碑街道新同事",
        "023-1234",
        True,
    )
    event = AuditEvent.objects.get(action="user.update", object_id=str(target.pk))
    assert event.after["full_name"] == "解放碑街道新同事"


@pytest.mark.django_db
def test_unit_edit_form_moves_a_unit_within_scope_only(login: Any) -> None:
    unit = Unit.objects.get(name="解放碑派出所")
    client = login("yuzhong")
    data = {"name": "解放碑派出所", "type": "police_station", "phone": "110"}
    moved = client.post(f"/org/units/{unit.pk}/", {**data, "area_code": "500103001"})
    assert moved.status_code == 302
    unit.refresh_from_db()
    assert (unit.area.code, unit.phone) == ("500103001", "110")
    refused = client.post(f"/org/units/{unit.pk}/", {**data, "area_code": "500101"})
    assert refused.status_code == 200
    unit.refresh_from_db()
    assert unit.area.code == "500103001"


NUL_PAGES = ["/areas/%00/", "/areas/?q=a%00", "/org/units/?q=a%00", "/audit/?object_id=%00"]
NUL_API = ["/api/v1/areas/%00", "/api/v1/areas?parent=%00", "/api/v1/org/users?q=a%00"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", NUL_PAGES)
def test_a_nul_character_is_a_clear_error_page(login: Any, url: str) -> None:
    """PostgreSQL cannot store NUL; such a request used to fail in the database as a 500."""
    response = login("city_admin").get(url)
    assert response.status_code == 400
    assert "空字符" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", NUL_API)
def test_a_nul_character_is_a_4xx_in_the_api(client: Any, bearer: Any, url: str) -> None:
    response = client.get(url, headers=bearer("city_admin"))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_character"


@pytest.mark.django_db
def test_a_nul_character_in_the_login_form_is_refused(client: Any) -> None:
    response = client.post("/login/", {"username": "yuzhong\x00", "password": "x"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()

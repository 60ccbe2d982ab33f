"""Residents rate the staff of a service centre (服务评价): a public page from the screen's QR code,
throttled per address; the centre's staff read ratings and comments in a scoped page; the
screen shows each on-duty staff member's satisfaction rate, recomputed here from the ratings."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhili.core import tunables
from zhili.core.errors import ValidationFailed
from zhili.core.models import AuditEvent
from zhili.core.privacy import mask_text
from zhili.org.models import Role
from zhili.org.services import grant_create, user_create
from zhili.screens import ratings, services
from zhili.screens.models import CentreStaff, DutyShift, StaffRating

COMMUNITY = "500103003013"  # 民生路社区, 解放碑街道
OTHER_COMMUNITY = "500103003016"  # 莲花池社区, 解放碑街道
WANZHOU_COMMUNITY = "500101001001"


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


@pytest.fixture
def centre(users: Any, area: Any) -> Any:
    return services.centre_create(actor=users["jiefangbei"], area=area(COMMUNITY),
                                  name="民生路社区便民服务中心", complaint_line="023-12345678")  # fmt: skip


@pytest.fixture
def staff(users: Any, centre: Any) -> dict[str, Any]:
    u = users["jiefangbei"]
    today = timezone.localdate()
    wang = services.staff_add(actor=u, centre=centre, name="王五", post="综合受理",
                              user=users["grid_jfb_01"])  # fmt: skip
    chen = services.staff_add(actor=u, centre=centre, name="陈六", post="社会救助")
    zhao = services.staff_add(actor=u, centre=centre, name="赵七", post="医保")
    services.duty_add(actor=u, centre=centre, day=today, staff=wang)
    services.duty_add(actor=u, centre=centre, day=today, staff=chen)
    return {"wang": wang, "chen": chen, "zhao": zhao}


def _rate(client: Client, centre: Any, staff: Any, score: Any, comment: str = "") -> Any:
    return client.post(f"/screens/rate/{centre.rating_code}/",
                       {"staff": str(getattr(staff, "pk", staff)), "score": str(score),
                        "comment": comment})  # fmt: skip


def _manager(users: Any, area: Any, code: str, username: str) -> Any:
    admin = users["city_admin"]
    user = user_create(actor=admin, username=username, password="x", area=area(code),
                       full_name="中心负责人", check_password=False)  # fmt: skip
    grant_create(actor=admin, user=user, role=Role.objects.get(slug="centre_manager"),
                 area=area(code))  # fmt: skip
    return user


def test_a_resident_rates_a_staff_member(centre: Any, staff: dict[str, Any]) -> None:
    resident = Client()
    page = resident.get(f"/screens/rate/{centre.rating_code}/")
    body = page.content.decode()
    assert page.status_code == 200
    # Today's duty first, then the other active staff; posts are shown, accounts never.
    assert body.index("王五") < body.index("赵七") and body.index("陈六") < body.index("赵七")
    assert "grid_jfb_01" not in body
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert label in body
    # A counter's own code (?staff=) preselects its person.
    chosen = resident.get(f"/screens/rate/{centre.rating_code}/?staff={staff['chen'].pk}")
    assert re.search(rf'value="{staff["chen"].pk}"[^>]*checked', chosen.content.decode())
    assert not re.search(rf'value="{staff["wang"].pk}"[^>]*checked', chosen.content.decode())
    done = _rate(resident, centre, staff["wang"], 5, "办事很快，态度好")
    assert done.status_code == 302 and done["Location"].endswith("?thanks=1")
    assert "感谢您的评价" in resident.get(done["Location"]).content.decode()
    rating = StaffRating.objects.get()
    assert (rating.staff, rating.score, rating.comment) == (staff["wang"], 5, "办事很快，态度好")
    assert rating.centre == centre
    # Audited as the kernel does every write, naming no one.
    event = AuditEvent.objects.filter(action="screen.staff_rate").get()
    assert event.actor is None and event.actor_name == "群众"
    assert event.after == {"staff": "王五", "score": 5}
    # A rating is a fact: it cannot be changed afterwards.
    with pytest.raises(Exception, match="只能追加"):
        rating.score = 1
        rating.save()


def test_a_left_staff_member_cannot_be_rated(users: Any, centre: Any, staff: Any) -> None:
    services.staff_set_active(actor=users["jiefangbei"], staff=staff["zhao"], active=False)
    resident = Client()
    assert "赵七" not in resident.get(f"/screens/rate/{centre.rating_code}/").content.decode()
    refused = _rate(resident, centre, staff["zhao"], 5)
    assert refused.status_code == 422 and "请选择为您服务的工作人员" in refused.content.decode()
    assert not StaffRating.objects.exists()


def test_bad_input_is_refused_in_chinese(
    users: Any, area: Any, centre: Any, staff: dict[str, Any]
) -> None:
    other = services.centre_create(actor=users["jiefangbei"], area=area(OTHER_COMMUNITY),
                                   name="另一中心", complaint_line="12345")  # fmt: skip
    stranger = services.staff_add(actor=users["jiefangbei"], centre=other, name="外人")
    resident = Client()
    cases = [
        ({"staff": staff["wang"].pk, "score": ""}, "请选择满意程度"),
        ({"staff": staff["wang"].pk, "score": "9"}, "请选择满意程度"),
        ({"staff": staff["wang"].pk, "score": "abc"}, "请选择满意程度"),
        ({"staff": "", "score": "5"}, "请选择为您服务的工作人员"),
        ({"staff": stranger.pk, "score": "5"}, "请选择为您服务的工作人员"),  # another centre's
        ({"staff": "1 OR 1=1", "score": "5"}, "请选择为您服务的工作人员"),
        ({"staff": staff["wang"].pk, "score": "5", "comment": "长" * 201}, "200"),
    ]
    for data, message in cases:
        page = resident.post(f"/screens/rate/{centre.rating_code}/", data)
        assert page.status_code == 422, data
        assert message in page.content.decode(), data
    assert resident.get("/screens/rate/nosuchcode/").status_code == 404
    assert resident.get(f"/screens/rate/{'x' * 300}/").status_code == 404
    assert not StaffRating.objects.exists()
    # The service holds the same rules for any other caller.
    with pytest.raises(ValidationFailed) as refused:
        services.rating_submit(centre=centre, staff_id=stranger.pk, score=5)
    assert refused.value.code == "invalid_staff" and refused.value.status == 422
    with pytest.raises(ValidationFailed) as refused:
        services.rating_submit(centre=centre, staff_id=staff["wang"].pk, score=0)
    assert refused.value.code == "invalid_score"


@override_settings(ZHILI_PUBLIC_RATING_LIMIT=2)
def test_ratings_are_throttled_per_address(centre: Any, staff: dict[str, Any]) -> None:
    tunables.forget()
    resident = Client(REMOTE_ADDR="10.1.2.3")
    assert _rate(resident, centre, staff["wang"], 5).status_code == 302
    again = _rate(resident, centre, staff["wang"], 1)  # the same person again at once
    assert again.status_code == 429 and "12 小时后" in again.content.decode()
    assert _rate(resident, centre, staff["chen"], 4).status_code == 302
    flood = _rate(resident, centre, staff["zhao"], 1)  # over the hourly limit (2)
    assert flood.status_code == 429 and "评价过于频繁" in flood.content.decode()
    # Another address is not held back; invalid tries are not counted against anyone.
    assert _rate(Client(REMOTE_ADDR="10.9.9.9"), centre, staff["zhao"], 3).status_code == 302
    assert StaffRating.objects.count() == 3


def test_the_management_page_is_scoped(
    users: Any, area: Any, login: Any, centre: Any, staff: dict[str, Any]
) -> None:
    resident = Client()
    _rate(resident, centre, staff["wang"], 2, "等了很久，电话13812345678，身份证500103199001011234")
    url = f"/screens/{centre.pk}/ratings/"
    page = login("jiefangbei").get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "等了很久" in body
    # Phone and ID numbers a resident typed are masked even here.
    assert "13812345678" not in body and "138****5678" in body
    assert "500103199001011234" not in body and "5001**********1234" in body
    assert login("wanzhou").get(url).status_code == 404
    assert login("grid_jfb_01").get(url).status_code == 404  # a grid worker: no screens rights
    # The centre's manager reads it; a manager of another centre does not see this one.
    here = _manager(users, area, COMMUNITY, "centre_msl")
    there = _manager(users, area, OTHER_COMMUNITY, "centre_other")
    client = Client()
    client.force_login(here)
    assert "等了很久" in client.get(url).content.decode()
    assert client.get(f"/screens/{centre.pk}/").status_code == 200
    client.force_login(there)
    assert client.get(url).status_code == 404
    # Who may see the centre but not its ratings is refused (403), with a Chinese message.
    viewer = Role.objects.create(slug="centre_viewer", name="中心查看",
                                 permissions=["screens.servicecentre.view"])  # fmt: skip
    only = user_create(actor=users["city_admin"], username="viewer_msl", password="x",
                       area=area(COMMUNITY), check_password=False)  # fmt: skip
    grant_create(actor=users["city_admin"], user=only, role=viewer, area=area(COMMUNITY))
    client.force_login(only)
    refused = client.get(url)
    assert refused.status_code == 403 and "没有查看服务评价的权限" in refused.content.decode()
    assert "查看服务评价" not in client.get(f"/screens/{centre.pk}/").content.decode()
    # Filtered to one staff member.
    client.force_login(here)
    assert "等了很久" not in client.get(f"{url}?staff={staff['chen'].pk}").content.decode()


def _rating(staff: Any, score: int, days_ago: float) -> None:
    StaffRating.objects.create(centre=staff.centre, staff=staff, score=score,
                               at=timezone.now() - dt.timedelta(days=days_ago))  # fmt: skip


def _expected(staff: Any, *, days: int, minimum: int) -> str:
    """The screen's figure recomputed from the rating rows."""
    since = timezone.now() - dt.timedelta(days=days)
    scores = [r.score for r in StaffRating.objects.filter(staff=staff) if r.at >= since]
    if len(scores) < minimum:
        return f"评价不足 {minimum} 条"
    good = sum(1 for s in scores if s in (5, 4, 3))  # 非常满意、满意、基本满意
    return f"{100 * good / len(scores):.1f}%（{len(scores)} 条）"


def _duty_rows(client: Client) -> tuple[dict[str, list[str]], dict[str, Any]]:
    slides = client.get("/screens/kiosk/slides.json").json()["slides"]
    duty = next(s for s in slides if s["key"] == "duty")
    return {row[1]: row for row in duty["rows"][1:]}, duty


def test_the_screen_shows_each_rate_recomputed_from_the_ratings(
    users: Any, centre: Any, staff: dict[str, Any]
) -> None:
    wang, chen = staff["wang"], staff["chen"]
    for score, days in [(5, 1), (4, 2), (3, 3), (2, 4), (1, 5), (5, 6), (4, 80), (1, 89)]:
        _rating(wang, score, days)
    for score, days in [(1, 100), (1, 200)]:  # outside the 90 days: not counted
        _rating(wang, score, days)
    for score in (5, 5, 5, 5):  # four ratings: below the minimum of five
        _rating(chen, score, 1)
    _rating(staff["zhao"], 1, 1)  # off duty today: not on the screen
    # A comment is never shown on the screen.
    StaffRating.objects.create(centre=centre, staff=wang, score=3, comment="秘密意见",
                               at=timezone.now())  # fmt: skip
    _, token = services.device_create(actor=users["jiefangbei"], centre=centre, name="电视")
    tv = Client()
    tv.get(f"/screens/pair/{token}/")
    rows, duty = _duty_rows(tv)
    assert rows["王五"][2] == _expected(wang, days=90, minimum=5) == "66.7%（9 条）"
    assert rows["陈六"][2] == _expected(chen, days=90, minimum=5) == "评价不足 5 条"
    assert "赵七" not in rows and duty["rows"][0][2] == "满意率（近 90 天）"
    assert duty["link"].endswith(f"/screens/rate/{centre.rating_code}/")
    assert duty["qr"].startswith("data:image/svg+xml")
    page = tv.get("/screens/kiosk/").content.decode()
    assert "66.7%（9 条）" in page and "秘密意见" not in page and "kiosk-qr" in page
    assert "秘密意见" not in str(tv.get("/screens/kiosk/slides.json").json())
    # The window and the minimum are business parameters.
    admin = users["city_admin"]
    tunables.tunable_set(actor=admin, key="screens.rating_window_days", value=365, reason="测试")
    tunables.tunable_set(actor=admin, key="screens.rating_min_count", value=4, reason="测试")
    rows, duty = _duty_rows(tv)
    assert rows["王五"][2] == _expected(wang, days=365, minimum=4) == "54.5%（11 条）"
    assert rows["陈六"][2] == _expected(chen, days=365, minimum=4) == "100.0%（4 条）"
    assert duty["rows"][0][2] == "满意率（近 365 天）"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=1, max_value=5), max_size=60), st.integers(1, 20))
def test_a_rate_stays_within_0_and_100(scores: list[int], minimum: int) -> None:
    good = sum(1 for s in scores if s >= 3)
    figure = ratings.Figure(len(scores), good, minimum)
    if len(scores) < minimum or not scores:
        assert figure.rate is None and "评价不足" in figure.text()
    else:
        assert figure.rate is not None and 0 <= figure.rate <= 100
        assert figure.rate == pytest.approx(100 * good / len(scores))


def test_duty_links_a_staff_record(users: Any, centre: Any, staff: dict[str, Any]) -> None:
    u = users["jiefangbei"]
    day = timezone.localdate() + dt.timedelta(days=1)
    # A typed name is the centre's staff record of that name, or a new one.
    shift = services.duty_add(actor=u, centre=centre, day=day, person="王五", post="")
    assert shift.staff == staff["wang"] and shift.post == "综合受理"
    new = services.duty_add(actor=u, centre=centre, day=day, person="孙八", post="窗口")
    assert new.staff.name == "孙八" and new.staff.centre == centre
    with pytest.raises(ValidationFailed, match="本中心已有"):
        services.staff_add(actor=u, centre=centre, name="孙八")
    with pytest.raises(ValidationFailed, match="已登记为本中心"):
        services.staff_add(actor=u, centre=centre, name="另一个名字", user=users["grid_jfb_01"])
    # The page's forms: a staff member with an account, then a shift by a typed name.
    client = Client()
    client.force_login(u)
    made = client.post(f"/screens/{centre.pk}/", {"form": "staff", "staff-name": "周九",
                                                  "staff-post": "民政",
                                                  "staff-username": "mediator_jfb"})  # fmt: skip
    assert made.status_code == 302
    assert CentreStaff.objects.get(centre=centre, name="周九").user == users["mediator_jfb"]
    bad = client.post(f"/screens/{centre.pk}/", {"form": "staff", "staff-name": "",
                                                 "staff-username": "no_such_user"})  # fmt: skip
    assert bad.status_code == 200 and "不存在或不在您的管辖范围内" in bad.content.decode()
    page = client.get(f"/screens/{centre.pk}/").content.decode()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids used twice on the centre page"
    assert 'id="staff-names"' in page and f"/screens/rate/{centre.rating_code}/" in page
    # Out of scope: 万州's officer cannot add staff to this centre.
    wz = Client()
    wz.force_login(users["wanzhou"])
    assert (
        wz.post(f"/screens/{centre.pk}/", {"form": "staff", "staff-name": "x"}).status_code == 404
    )
    toggled = client.post(f"/screens/staff/{staff['zhao'].pk}/active/", {"active": "0"})
    assert toggled.status_code == 302
    staff["zhao"].refresh_from_db()
    assert not staff["zhao"].active
    assert wz.post(f"/screens/staff/{staff['zhao'].pk}/active/", {"active": "1"}).status_code == 404


def test_the_rating_code_fills_existing_rows(db: Any) -> None:
    """Migration 0003 gives old centres a code and old shifts a staff record."""
    from importlib import import_module

    from django.apps import apps

    from zhili.areas.models import Area
    from zhili.screens.models import ServiceCentre

    fill = import_module("zhili.screens.migrations.0003_staff_ratings").fill
    centre = ServiceCentre.objects.create(area=Area.objects.get(code=COMMUNITY),
                                          area_path="x", name="旧中心", complaint_line="1")  # fmt: skip
    today = timezone.localdate()
    for day in (today, today + dt.timedelta(days=1)):
        DutyShift.objects.create(centre=centre, day=day, person="老李", post="窗口")
    before = centre.rating_code
    fill(apps, None)
    centre.refresh_from_db()
    assert centre.rating_code != before and re.fullmatch(r"[2-9a-z]{8}", centre.rating_code)
    shifts = DutyShift.objects.filter(centre=centre)
    assert {s.staff.name for s in shifts} == {"老李"} and CentreStaff.objects.filter(
        centre=centre
    ).count() == 1


def test_api(login: Any, users: Any, area: Any, centre: Any, staff: dict[str, Any]) -> None:
    for score in (5, 4, 3, 2, 1, 5):
        services.rating_submit(centre=centre, staff_id=staff["wang"].pk, score=score,
                               comment="请联系13812345678")  # fmt: skip
    client = login("jiefangbei")
    rows = {r["name"]: r for r in client.get(f"/api/v1/screens/centres/{centre.pk}/staff").json()}
    assert rows["王五"]["ratings"] == 6 and rows["王五"]["satisfied"] == 4
    assert rows["王五"]["rate"] == pytest.approx(100 * 4 / 6)
    assert rows["王五"]["username"] == "grid_jfb_01" and rows["陈六"]["rate"] is None
    page = client.get(f"/api/v1/screens/ratings?centre={centre.pk}&limit=4").json()
    assert len(page["items"]) == 4 and page["next"]
    assert page["items"][0]["comment"] == "请联系138****5678"
    assert page["items"][0]["score_label"] in (
        "非常满意",
        "满意",
        "基本满意",
        "不满意",
        "非常不满意",
    )
    made = client.post(f"/api/v1/screens/centres/{centre.pk}/staff",
                       {"name": "钱十", "post": "窗口", "username": "mediator_jfb"},
                       content_type="application/json")  # fmt: skip
    assert made.status_code == 201 and made.json()["username"] == "mediator_jfb"
    for body, code in (
        ({"name": ""}, "required"),
        ({"name": "钱十"}, "duplicate"),
        ({"name": "孙", "username": "no_such_user"}, "person_not_found"),
        ({"name": "长" * 41}, "too_long"),
    ):
        bad = client.post(f"/api/v1/screens/centres/{centre.pk}/staff", body,
                          content_type="application/json")  # fmt: skip
        assert bad.status_code == 422 and bad.json()["code"] == code, (body, bad.content)
        assert bad.json()["message"]
    rest = client.get(f"/api/v1/screens/ratings?centre={centre.pk}&cursor={page['next']}").json()
    assert len(rest["items"]) == 2 and rest["next"] is None
    assert len(client.get(f"/api/v1/screens/ratings?staff={staff['chen'].pk}").json()["items"]) == 0
    bad = client.get(f"/api/v1/screens/ratings?centre={centre.pk}&cursor=!!")
    assert bad.status_code in (400, 422) and bad.json()["code"] == "invalid_cursor"
    bad = client.get("/api/v1/screens/ratings?centre=abc")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid"
    # Out of scope or without the right to ratings: nothing to read.
    assert login("wanzhou").get(f"/api/v1/screens/ratings?centre={centre.pk}").json()["items"] == []
    viewer = Role.objects.create(slug="centre_viewer", name="中心查看",
                                 permissions=["screens.servicecentre.view"])  # fmt: skip
    only = user_create(actor=users["city_admin"], username="viewer_msl", password="x",
                       area=area(COMMUNITY), check_password=False)  # fmt: skip
    grant_create(actor=users["city_admin"], user=only, role=viewer, area=area(COMMUNITY))
    client.force_login(only)
    assert client.get(f"/api/v1/screens/centres/{centre.pk}/staff").status_code == 200
    assert client.get(f"/api/v1/screens/ratings?centre={centre.pk}").json()["items"] == []


def test_mask_text() -> None:
    assert mask_text("电话 13812345678 或 023-63801234") == "电话 138****5678 或 023****1234"
    assert mask_text("身份证 50010319900101123X") == "身份证 5001**********123X"
    assert mask_text("共 3 人，等了 20 分钟") == "共 3 人，等了 20 分钟"
    assert mask_text("") == ""


def test_the_management_forms_are_drawn_with_the_pages_classes(
    login: Any, centre: Any, staff: dict[str, Any]
) -> None:
    """The centre's forms (devices, staff, duty, notices) were bare browser boxes."""
    import re

    page = login("city_admin").get(f"/screens/{centre.pk}/").content.decode()
    for form in ("device-form", "staff-form", "duty-form", "notice-form"):
        html = page.split(f'id="{form}"')[1].split("</form>")[0]
        inputs = re.findall(r"<(?:input|textarea|select)\b[^>]*>", html)
        shown = [i for i in inputs if 'type="hidden"' not in i]
        assert shown and all('class="form-' in i for i in shown), (form, shown)

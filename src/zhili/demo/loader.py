"""Demo data: a city office, three districts' units, grids in 解放碑街道, and the demo accounts.

Everything is written through the real services so the audit trail is as in production. Running it
again changes nothing. It refuses to run when DEBUG is off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

from zhili.areas.models import Area, Level
from zhili.areas.services import area_create
from zhili.core.errors import ZhiliError
from zhili.core.system import system_user
from zhili.org.models import Liaison, Role, RoleGrant, Unit, UnitType, User
from zhili.org.services import grant_create, liaison_create, unit_create, user_create

DEMO_PASSWORD = "zhili-demo-2026"
CITY, YUZHONG, WANZHOU, LIANGJIANG = "500000", "500103", "500101", "500199"
JIEFANGBEI = "500103003"
MINSHENGLU = "500103003013"  # 民生路社区, 解放碑街道

UNITS = [
    (CITY, "市委政法委（市域社会治理办）", UnitType.LEADERSHIP_OFFICE),
    (CITY, "市综治中心", UnitType.GOVERNANCE_CENTRE),
    (CITY, "市住房城乡建委", UnitType.DEPARTMENT),
    (CITY, "市公安局", UnitType.DEPARTMENT),
    (YUZHONG, "渝中区社会治理办", UnitType.LEADERSHIP_OFFICE),
    (YUZHONG, "渝中区综治中心", UnitType.GOVERNANCE_CENTRE),
    (YUZHONG, "渝中区住房城乡建委", UnitType.DEPARTMENT),
    (YUZHONG, "渝中区人民法院", UnitType.COURT),
    (WANZHOU, "万州区社会治理办", UnitType.LEADERSHIP_OFFICE),
    (WANZHOU, "万州区综治中心", UnitType.GOVERNANCE_CENTRE),
    (LIANGJIANG, "两江新区社会治理办", UnitType.LEADERSHIP_OFFICE),
    (JIEFANGBEI, "解放碑街道综治中心", UnitType.GOVERNANCE_CENTRE),
    (JIEFANGBEI, "解放碑街道人民调解委员会", UnitType.MEDIATION_COMMITTEE),
    (JIEFANGBEI, "解放碑派出所", UnitType.POLICE_STATION),
]

# (username, full name, area code, unit name, role slug, grant area code or "grid")
ACCOUNTS = [
    ("city_admin", "市级管理员", CITY, "市委政法委（市域社会治理办）", "city_admin", CITY),
    ("yuzhong", "渝中区治理办干部", YUZHONG, "渝中区社会治理办", "district_officer", YUZHONG),
    ("wanzhou", "万州区治理办干部", WANZHOU, "万州区社会治理办", "district_officer", WANZHOU),
    (
        "jiefangbei",
        "解放碑街道工作人员",
        JIEFANGBEI,
        "解放碑街道综治中心",
        "street_worker",
        JIEFANGBEI,
    ),
    ("grid_jfb_01", "解放碑网格员01", JIEFANGBEI, "解放碑街道综治中心", "grid_worker", "grid"),
    (
        "liangjiang",
        "两江新区治理办干部",
        LIANGJIANG,
        "两江新区社会治理办",
        "district_officer",
        LIANGJIANG,
    ),
    (
        "unit_yz_jw",
        "渝中区住房城乡建委经办人",
        YUZHONG,
        "渝中区住房城乡建委",
        "unit_handler",
        YUZHONG,
    ),
    (
        "mediator_jfb",
        "解放碑调解员",
        JIEFANGBEI,
        "解放碑街道人民调解委员会",
        "mediator",
        JIEFANGBEI,
    ),
    # A people's mediation committee has three to nine members (org.MEDIATION_COMMITTEE_SIZE).
    *(
        (
            f"mediator_jfb{n}",
            f"解放碑调解员{n}",
            JIEFANGBEI,
            "解放碑街道人民调解委员会",
            "mediator",
            JIEFANGBEI,
        )
        for n in (2, 3)
    ),
    ("unit_gaj", "市公安局目标任务填报员", CITY, "市公安局", "target_reporter", CITY),
    # Village and community self-governance (deliberation, legal): no unit of their own.
    ("secretary_msl", "民生路社区书记", MINSHENGLU, "", "village_secretary", MINSHENGLU),
    ("lawyer_jfb", "解放碑法律顾问（演示）", JIEFANGBEI, "", "legal_adviser", JIEFANGBEI),
    (
        "office_zfw",
        "市委政法委考核办干部",
        CITY,
        "市委政法委（市域社会治理办）",
        "target_office",
        CITY,
    ),
]

GRIDS_PER_COMMUNITY = 3
BASE_LAT, BASE_LNG, CELL = 29.5540, 106.5690, 0.0025


def _square(row: int, col: int) -> dict[str, Any]:
    lat, lng = BASE_LAT + row * CELL, BASE_LNG + col * CELL
    ring = [[lng, lat], [lng + CELL, lat], [lng + CELL, lat + CELL], [lng, lat + CELL], [lng, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


class DemoRefused(RuntimeError):
    pass


@transaction.atomic
def demo_load(*, say: Callable[[str], None] = print) -> None:
    if not settings.DEBUG:
        raise DemoRefused("演示数据只能在 DEBUG=1 时载入（生产环境不得有演示账号）")
    actor = system_user()
    areas = {
        a.code: a
        for a in Area.objects.filter(
            code__in=[CITY, YUZHONG, WANZHOU, LIANGJIANG, JIEFANGBEI, MINSHENGLU]
        )
    }
    if len(areas) < 6:
        raise DemoRefused("请先载入区划：zhili load_areas")
    units = {u.name: u for u in Unit.objects.all()}
    for code, name, kind in UNITS:
        if name not in units:
            units[name] = unit_create(actor=actor, name=name, type=kind, area=areas[code])
    grids = _grids(actor, areas[JIEFANGBEI])
    say(f"解放碑街道：{len(grids)} 个网格")
    streets = _street_boundaries(actor, areas[YUZHONG])
    if streets:
        say(f"渝中区：{streets} 个街道演示边界（生成，非真实边界）")
    roles = {r.slug: r for r in Role.objects.all()}
    for username, full_name, home, unit_name, role, grant_at in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=actor,
                username=username,
                password=DEMO_PASSWORD,
                area=areas[home],
                full_name=full_name,
                unit=units[unit_name] if unit_name else None,
                check_password=False,
            )
        grant_area = grids[0] if grant_at == "grid" else areas[grant_at]
        if not RoleGrant.objects.filter(user=user, role=roles[role], area=grant_area).exists():
            grant_create(actor=actor, user=user, role=roles[role], area=grant_area)
    if not Liaison.objects.filter(area=areas[JIEFANGBEI]).exists():
        liaison_create(
            actor=actor,
            area=areas[JIEFANGBEI],
            leader=User.objects.get(username="yuzhong"),
            unit=units["渝中区住房城乡建委"],
            note="区领导包片联系解放碑街道",
        )
    say(f"演示账号：{', '.join(a[0] for a in ACCOUNTS)}；密码 {DEMO_PASSWORD}")


def _street_boundaries(actor: Any, district: Area) -> int:
    """Generated street boundaries for the district (``demo.streets``), uploaded through the same
    path as approved ones, once."""
    import json

    from zhili.areas.geo import boundaries_upload
    from zhili.areas.models import Boundary
    from zhili.demo.streets import DEMO_STREET_SOURCE, demo_street_geojson

    if Boundary.objects.filter(area__parent=district, area__level=Level.STREET).exists():
        return 0
    doc = demo_street_geojson(district.code)
    if doc is None:
        return 0
    data = json.dumps(doc).encode()
    return len(boundaries_upload(actor=actor, data=data, source=DEMO_STREET_SOURCE))


def _grids(actor: Any, street: Area) -> list[Area]:
    communities = list(
        Area.objects.current().filter(parent=street, level=Level.COMMUNITY).order_by("code")
    )
    grids: list[Area] = []
    for row, community in enumerate(communities):
        existing = list(Area.objects.filter(parent=community, level=Level.GRID).order_by("code"))
        for col in range(len(existing), GRIDS_PER_COMMUNITY):
            short = community.name.removesuffix("社区")
            existing.append(
                area_create(
                    actor=actor,
                    parent=community,
                    level=Level.GRID,
                    name=f"{short}第{col + 1}网格",
                    households=350 + 25 * ((row + col) % 5),
                    geometry=_square(row, col),
                )
            )
        grids.extend(existing)
    if grids and not Area.objects.filter(parent=grids[0]).exists():
        for n in range(1, 4):
            try:
                area_create(
                    actor=actor,
                    parent=grids[0],
                    level=Level.BUILDING,
                    name=f"{n} 号楼",
                    households=40 + n * 6,
                    lat=BASE_LAT + CELL / 2,
                    lng=BASE_LNG + n * CELL / 4,
                )
            except ZhiliError:
                break
    return grids

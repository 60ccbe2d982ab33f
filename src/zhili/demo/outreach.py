"""Demo data of 楼栋工作日 and the compounds registry, made through the real services on the
real Chongqing areas (解放碑街道, 渝中区) and the demo accounts. Residents, compounds, leaders
and meetings are INVENTED for the demo (labelled “演示”).

Idempotent: does nothing when a visit plan exists already. Refuses when DEBUG is off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhili.areas.models import Area, Level
from zhili.compounds import services as cs
from zhili.compounds.models import Coverage
from zhili.core.system import system_user
from zhili.demo.loader import DEMO_PASSWORD, JIEFANGBEI, YUZHONG, DemoRefused
from zhili.matters.models import Category
from zhili.org.models import Liaison, Role, RoleGrant, User
from zhili.org.services import grant_create, liaison_create, user_create
from zhili.visits import services as vs
from zhili.visits.models import VisitPlan

GRID = "500103003013001"  # 民生路第1网格 (grid_jfb_01's grid)
COMMUNITY = "500103003013"  # 民生路社区

# (building index, days from today, outcome: done / missed / planned, residents, demands)
VISITS = [
    (0, -33, "done", ["刘某（演示）"], [("楼道灯坏了", "streetlight", True)]),
    (1, -26, "done", ["陈某（演示）", "杨某（演示）"], [("化粪池外溢", "septic-sewer", True)]),
    (2, -19, "missed", [], []),
    (0, -12, "done", ["黄某（演示）"], [("想加装电梯", "elevator", False)]),
    (1, -5, "done", ["周某（演示）"], [("小区停车乱", "parking", True)]),
    (2, -2, "planned", [], []),
    (0, 0, "planned", [], []),
    (1, 3, "planned", [], []),
]

LEADERS = [
    # (username, full name, streets of 渝中区 to follow, by code order)
    ("demo_leader_a", "渝中区副区长甲（演示）", [0, 1]),
    ("demo_leader_b", "渝中区副区长乙（演示）", []),
    ("demo_leader_c", "渝中区副区长丙（演示）", [2, 3, 4]),
]

COMPOUNDS = [
    ("民生路 18 号院（演示）", Coverage.NONE, "", False, 1986, 96),
    ("大井巷老旧小区（演示）", Coverage.SELF, "", True, 1992, 160),
    ("较场口商住楼（演示）", Coverage.COMPANY, "某物业服务有限公司（演示）", True, 1999, 240),
]


@transaction.atomic
def demo_outreach(*, say: Callable[[str], None] = print) -> None:
    if not settings.DEBUG:
        raise DemoRefused("演示数据只能在 DEBUG=1 时载入")
    if VisitPlan.objects.exists():
        say("楼栋工作日演示数据已存在，跳过")
        return
    street_user = User.objects.filter(username="jiefangbei").first()
    if street_user is None:
        raise DemoRefused("请先载入演示账号：zhili load_demo")
    cadre = User.objects.get(username="grid_jfb_01")
    grid = Area.objects.get(code=GRID)
    buildings = list(
        Area.objects.filter(parent=grid, level=Level.BUILDING, valid_to__isnull=True).order_by(
            "code"
        )
    )
    if not buildings:
        raise DemoRefused("演示网格下没有楼栋：请先运行 zhili load_demo")
    today = timezone.localdate()
    plan = vs.plan_create(
        actor=street_user, cadre=cadre, area=grid, title="民生路第1网格楼栋工作日"
    )
    matters = []
    for index, days, outcome, residents, demands in VISITS:
        on = today + dt.timedelta(days=days)
        visit = vs.visit_schedule(
            actor=street_user, plan=plan, building=buildings[index % len(buildings)], date=on
        )
        if outcome == "missed":
            vs.visit_miss(actor=street_user, visit=visit, reason="楼栋外墙施工，改期走访")
            continue
        if outcome != "done":
            continue
        met = [
            vs.resident_add(
                actor=cadre, visit=visit, name=name, phone=f"1380000{n:04d}", room=f"{n + 1}-1"
            )
            for n, name in enumerate(residents)
        ]
        for n, (text, code, convert) in enumerate(demands):
            demand = vs.demand_add(
                actor=cadre,
                visit=visit,
                text=text,
                category=Category.objects.get(code=code),
                resident=met[n] if n < len(met) else None,
                to_matter=convert,
            )
            if demand.matter_id:
                matters.append(demand.matter)
        vs.visit_record(actor=cadre, visit=visit, visited_on=on, summary="召开楼栋坝坝会（演示）")
    own = vs.plan_create(
        actor=street_user,
        cadre=street_user,
        area=Area.objects.get(code=JIEFANGBEI),
        title="街道干部包楼",
    )
    vs.visit_schedule(actor=street_user, plan=own, building=buildings[-1], date=today)
    say(f"楼栋工作日：{plan.visits.count() + own.visits.count()} 次走访，{len(matters)} 件诉求")
    _leaders(say)
    _compounds(street_user, matters, say)


def _leaders(say: Callable[[str], None]) -> None:
    admin = system_user()
    district = Area.objects.get(code=YUZHONG)
    streets = list(
        Area.objects.filter(parent=district, level=Level.STREET, valid_to__isnull=True).order_by(
            "code"
        )
    )
    role = Role.objects.get(slug="liaison_leader")
    for username, name, picks in LEADERS:
        user = User.objects.filter(username=username).first() or user_create(
            actor=admin,
            username=username,
            password=DEMO_PASSWORD,
            area=district,
            full_name=name,
            check_password=False,
        )
        if not RoleGrant.objects.filter(user=user, role=role, area=district).exists():
            grant_create(actor=admin, user=user, role=role, area=district)
        for i in picks:
            if (
                i < len(streets)
                and not Liaison.objects.filter(leader=user, area=streets[i]).exists()
            ):
                liaison_create(actor=admin, area=streets[i], leader=user, note="演示")
    say(f"包片领导：{', '.join(n for _, n, _ in LEADERS)}")


def _compounds(actor: User, matters: list, say: Callable[[str], None]) -> None:
    community = Area.objects.get(code=COMMUNITY)
    made = [
        cs.compound_create(
            actor=actor,
            area=community,
            name=name,
            coverage=coverage,
            property_company=company,
            has_owners_committee=committee,
            built_year=year,
            households=households,
        )
        for name, coverage, company, committee, year, households in COMPOUNDS
    ]
    today = timezone.localdate()
    cs.meeting_create(
        actor=actor,
        compound=made[0],
        kind="five",
        held_on=today - dt.timedelta(days=20),
        place="民生路社区党群服务中心",
        topic="化粪池清掏与楼道照明",
        agenda="一、通报群众诉求；二、商议费用分摊；三、明确责任分工",
        decisions="化粪池由物业服务中心组织清掏，楼道灯由社区更换；费用按议定比例分摊",
        total_cost="12000",
        parties=[
            {"role": "party_org", "name": "民生路社区党委", "share": "0"},
            {"role": "community", "name": "民生路社区居委会", "share": "4000"},
            {"role": "owners", "name": "民生路 18 号院业主代表（演示）", "share": "3000"},
            {"role": "property", "name": "渝中区物业服务中心（演示）", "share": "5000"},
            {"role": "police", "name": "解放碑派出所", "share": "0"},
        ],
        attendees=[
            {"party": 0, "name": "王书记（演示）", "post": "社区党委书记"},
            {"party": 2, "name": "赵代表（演示）", "post": "业主代表"},
            {"party": 4, "name": "孙警官（演示）", "post": "社区民警"},
        ],
        followups=[
            {"text": "组织化粪池清掏", "owner": 3, "due": today - dt.timedelta(days=5)},
            {"text": "更换楼道灯", "owner": 1, "due": today + dt.timedelta(days=10)},
        ],
        matters=matters[:2],
    )
    cs.meeting_create(
        actor=actor,
        compound=made[1],
        kind="three",
        held_on=today - dt.timedelta(days=3),
        topic="小区停车秩序",
        decisions="业委会拟定停车公约，居委会公示，自治管理小组执行",
        parties=[
            {"role": "community", "name": "民生路社区居委会"},
            {"role": "owners", "name": "大井巷业委会（演示）"},
            {"role": "property", "name": "自治管理小组（演示）"},
        ],
        followups=[{"text": "公示停车公约", "owner": 0, "due": today + dt.timedelta(days=7)}],
        matters=matters[2:3],
    )
    say(f"老旧小区：{len(made)} 个，联席会议 2 次")

"""Objects for tests, made the way users make them: through the services, with their events,
audit records, rollups and numbers. Never ``Model.objects.create`` for a workflow object.

Arguments take either objects or their usual handles (a username, an area code, a category
code, a unit's name), so a test reads ``make_matter("jiefangbei", area=GRID)``. Every factory
needs the session's database (the real Chongqing tree and the demo accounts, see conftest.py).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

GRID = "500103003013001"  # 民生路第1网格, in 解放碑街道 (渝中区): grid_jfb_01's grid
BUILDING = "500103003013001001"  # 1 号楼 of that grid
OTHER_GRID = "500103003016001"  # a grid of 莲花池社区, also in 解放碑街道
JIEFANGBEI = "500103003"  # 解放碑街道
YUZHONG = "500103"  # 渝中区
WANZHOU = "500101"  # 万州区
WANZHOU_STREET = "500101001"  # 高笋塘街道, 万州区
PHONE = "13812345678"

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


# Handles -------------------------------------------------------------------------------------


def user(who: Any) -> Any:
    """A user from a username (or the user itself)."""
    from zhili.org.models import User

    return User.objects.get(username=who) if isinstance(who, str) else who


def area(where: Any) -> Any:
    """An area from its code (or the area itself)."""
    from zhili.areas.models import Area

    return Area.objects.get(code=where) if isinstance(where, str) else where


def unit(name: Any) -> Any:
    """A unit from its name (or the unit itself)."""
    from zhili.org.models import Unit

    return Unit.objects.get(name=name) if isinstance(name, str) else name


def png(color: str = "red", size: tuple[int, int] = (40, 30)) -> bytes:
    """A small PNG image (distinct colours give distinct files)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


# Matters -------------------------------------------------------------------------------------


def make_attachment(data: bytes | None = None, name: str = "现场照片.png") -> Any:
    """A stored attachment (a PNG unless ``data`` is given), ready to go with an event."""
    from zhili.matters.attachments import attachment_store

    return attachment_store(data=data if data is not None else png(), name=name)


def make_matter(
    actor: Any = "jiefangbei",
    *,
    category: Any = "streetlight",
    area: Any = GRID,
    channel: str = "staff",
    description: str = "民生路 3 号楼前路灯不亮",
    reporter_name: str = "张三",
    reporter_phone: str = PHONE,
    **kw: Any,
) -> Any:
    """受理 through ``matter_create``: by default a staff intake of a broken streetlight in
    解放碑 by the street's worker. ``actor=None`` files as the public does."""
    from zhili.matters.models import Category
    from zhili.matters.services import matter_create

    if isinstance(category, str):
        category = Category.objects.get(code=category)
    return matter_create(
        actor=user(actor) if actor is not None else None,
        category=category,
        channel=channel,
        description=description,
        area=globals()["area"](area) if area is not None else None,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        **kw,
    )


def make_dispatched_matter(
    actor: Any = "jiefangbei", *, to: Any = "渝中区住房城乡建委", **kw: Any
) -> Any:
    """A matter accepted (立案) and dispatched (派单) to a unit by ``actor``."""
    from zhili.matters import services

    who = user(actor)
    matter = make_matter(who, **kw)
    matter = services.matter_accept(actor=who, matter=matter)
    return services.matter_dispatch(actor=who, matter=matter, unit=unit(to))


# Risks and disputes ----------------------------------------------------------------------------

PERSONS: list[dict[str, Any]] = [
    {"name": "李四", "id_number": "500103199001011234", "phone": "13900001111"}
]
PARTIES: list[dict[str, Any]] = [
    {"role": "applicant", "name": "赵六", "phone": "13600001111"},
    {"role": "respondent", "name": "某装修公司", "is_organisation": True},
]


def make_risk(
    actor: Any = "jiefangbei",
    *,
    area: Any = GRID,
    title: str = "某小区业主聚集维权",
    description: str = "开发商逾期交房，业主多次聚集",
    category: str = "petition",
    source: str = "manual",
    address: str = "民生路 88 号",
    persons: Sequence[dict[str, Any]] = PERSONS,
    **kw: Any,
) -> Any:
    """入库 through ``risk_register``: a petition risk with one person, in 解放碑."""
    from zhili.risks.services import risk_register

    return risk_register(
        actor=user(actor),
        title=title,
        description=description,
        category=category,
        source=source,
        area=globals()["area"](area) if area is not None else None,
        address=address,
        persons=[dict(p) for p in persons],
        **kw,
    )


def make_dispute(
    actor: Any = "jiefangbei",
    *,
    area: Any = GRID,
    channel: str = "court_assigned",
    subject: str = "装修合同纠纷",
    facts: str = "装修质量争议，申请人要求返工并赔偿",
    parties: Sequence[dict[str, Any]] = PARTIES,
    **kw: Any,
) -> Any:
    """登记 through ``dispute_register``: a court-assigned dispute with two parties, in 解放碑."""
    from zhili.disputes.services import dispute_register

    if channel in ("court_assigned", "court_entrusted"):
        kw.setdefault("referral_no", "(2026)渝0103民诉前调1234号")
        kw.setdefault("amount", "23000")
    return dispute_register(
        actor=user(actor),
        channel=channel,
        subject=subject,
        facts=facts,
        area=globals()["area"](area) if area is not None else None,
        parties=[dict(p) for p in parties],
        **kw,
    )


def make_mediating_dispute(
    actor: Any = "jiefangbei",
    *,
    committee: Any = "解放碑街道人民调解委员会",
    mediator: Any = "mediator_jfb",
    **kw: Any,
) -> Any:
    """A dispute assigned (指派) to a committee's mediator."""
    from zhili.disputes.services import dispute_assign

    who = user(actor)
    return dispute_assign(
        actor=who,
        dispute=make_dispute(who, **kw),
        committee=unit(committee),
        mediator=user(mediator),
    )


def make_risk_candidate(actor: Any = "jiefangbei", *, dispute: Any = None, **kw: Any) -> Any:
    """A risk candidate (风险线索) raised by flagging signs of escalation on a dispute."""
    from zhili.disputes.services import dispute_flag_escalation

    who = user(actor)
    return dispute_flag_escalation(
        actor=who,
        dispute=dispute if dispute is not None else make_dispute(who, **kw),
        note="当事人扬言聚集",
    )


# Targets ---------------------------------------------------------------------------------------

TASK_HEAD = [
    "编号",
    "治理方式",
    "任务名称",
    "工作要求",
    "分值",
    "牵头单位",
    "配合单位",
    "适用区县",
    "完成时限",
]
MILESTONE_HEAD = ["任务编号", "节点", "节点要求", "佐证材料"]
NEGATIVE_HEAD = ["编号", "名称", "触发情形", "处理方式", "扣分"]


def workbook(
    tasks: Iterable[Sequence[Any]],
    milestones: Iterable[Sequence[Any]] = (),
    negatives: Iterable[Sequence[Any]] = (),
    *,
    heads: tuple[Sequence[str], Sequence[str], Sequence[str]] = (
        TASK_HEAD,
        MILESTONE_HEAD,
        NEGATIVE_HEAD,
    ),
) -> bytes:
    """A plan workbook as the office fills it in: tasks, milestones, negative list."""
    from openpyxl import Workbook

    wb = Workbook()
    sheets = [("目标任务", heads[0], tasks), ("工作节点", heads[1], milestones)]
    sheets.append(("负面清单", heads[2], negatives))
    for i, (title, head, rows) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        assert ws is not None
        ws.title = title
        ws.append(list(head))
        for row in rows:
            ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def make_plan(
    actor: Any = "office_zfw",
    *,
    year: int = 2030,
    dues: Sequence[str] = (),
    title: str = "",
) -> Any:
    """A plan of three tasks imported by the office (``plan_import``): 市公安局 leads task 1
    (with 市住房城乡建委; districts 渝中、万州), 市住房城乡建委 leads task 2 (渝中), 市公安局
    leads task 3 alone. Each task has a milestone at each of ``dues`` (default: end of March and
    of June of ``year``); two negative-list items."""
    from zhili.targets.services import plan_import

    dues = dues or (f"{year}-03-31", f"{year}-06-30")
    end = f"{year}-12-31"
    tasks = [
        ["1", "综治", "健全社会治安防控体系", "八类案件下降", 3, "市公安局", "市住房城乡建委",
         "渝中区、万州区", end],
        ["2", "自治", "推行五方联席会", "无物业小区全覆盖", 1, "市住房城乡建委", "", "渝中区", end],
        ["3", "智治", "雪亮工程联网", "", 2, "市公安局", "", "", end],
    ]  # fmt: skip
    milestones = [[n, d, f"节点 {d}", "工作台账"] for n in ("1", "2", "3") for d in dues]
    negatives: list[list[Any]] = [
        ["F1", "重大群体性事件", "50 人以上聚集", "一票否决", ""],
        ["F2", "重大安全生产事故", "死亡 3 人以上", "扣分", 5],
    ]
    return plan_import(
        actor=user(actor),
        year=year,
        title=title or f"{year} 测试方案",
        data=workbook(tasks, milestones, negatives),
        filename="plan.xlsx",
    )


def report_of(plan: Any, *, task: str, unit: Any = None, district: Any = None) -> Any:
    """The first milestone report of a task, of a unit's or a district's assignment."""
    from zhili.targets.models import Report

    rows = Report.objects.filter(plan=plan, milestone__task__number=task)
    if unit is not None:
        rows = rows.filter(unit__name=unit)
    if district is not None:
        rows = rows.filter(assignment__area__code=district, assignment__unit__isnull=True)
    return rows.order_by("milestone__due", "pk").first()


def make_report(
    report: Any,
    actor: Any = "unit_gaj",
    *,
    text: str = "已按节点推进，附工作台账",
    files: Sequence[tuple[str, bytes]] = (("台账.pdf", PDF),),
    **kw: Any,
) -> Any:
    """报送 a milestone report through ``report_submit`` with evidence files."""
    from zhili.targets.evidence import Upload
    from zhili.targets.services import report_submit

    uploads = [Upload(name, data) for name, data in files]
    return report_submit(actor=user(actor), report=report, text=text, uploads=uploads, **kw)


def make_incident(
    plan: Any,
    actor: Any = "office_zfw",
    *,
    item: str = "F2",
    unit: Any = None,
    district: Any = None,
    occurred_on: dt.date | None = None,
) -> Any:
    """A negative-list incident (``incident_record``) against a unit or a district."""
    from django.utils import timezone

    from zhili.targets.evidence import Upload
    from zhili.targets.models import NegativeItem
    from zhili.targets.services import incident_record

    return incident_record(
        actor=user(actor),
        item=NegativeItem.objects.get(plan=plan, number=item),
        occurred_on=occurred_on or timezone.localdate(),
        description="发生安全生产事故",
        uploads=[Upload("通报.pdf", PDF + item.encode())],
        unit=globals()["unit"](unit) if unit is not None else None,
        district=globals()["area"](district) if district is not None else None,
    )


# Core ------------------------------------------------------------------------------------------


def make_notice(recipient: Any = "jiefangbei", *, title: str = "测试通知", **kw: Any) -> Any:
    """A notice in someone's inbox (``notify``)."""
    from zhili.core.notify import notify

    (notice,) = notify(recipients=[user(recipient)], kind=kw.pop("kind", "test"), title=title, **kw)
    return notice


# 楼栋工作日 and compounds ---------------------------------------------------------------------


def make_building(actor: Any = "wanzhou", *, street: Any = WANZHOU_STREET) -> Any:
    """A grid and a building in the first community of ``street`` (the real tree has none)."""
    from zhili.areas.models import Area, Level
    from zhili.areas.services import area_create

    community = Area.objects.filter(
        parent=area(street), level=Level.COMMUNITY, valid_to__isnull=True
    ).earliest("code")
    grid = area_create(actor=user(actor), parent=community, level=Level.GRID, name="测试网格")
    return area_create(actor=user(actor), parent=grid, level=Level.BUILDING, name="测试楼")


def make_visit(
    actor: Any = "jiefangbei",
    *,
    cadre: Any = "grid_jfb_01",
    building: Any = BUILDING,
    plan_area: Any = None,
    on: dt.date | None = None,
    demand: str = "",
) -> Any:
    """A scheduled visit (through a new plan over the building's grid); with ``demand``, a
    demand raised on it, not yet a matter."""
    from django.utils import timezone

    from zhili.matters.models import Category
    from zhili.visits import services

    b = area(building)
    plan = services.plan_create(
        actor=user(actor),
        cadre=user(cadre),
        area=area(plan_area) if plan_area else b.parent,
        title="测试走访计划",
    )
    visit = services.visit_schedule(
        actor=user(actor), plan=plan, building=b, date=on or timezone.localdate()
    )
    if demand:
        services.demand_add(
            actor=user(actor),
            visit=visit,
            text=demand,
            category=Category.objects.get(code="streetlight"),
        )
    return visit


def make_compound(
    actor: Any = "jiefangbei", *, where: Any = "500103003013", name: str = "测试小区"
) -> Any:
    from zhili.compounds import services

    return services.compound_create(actor=user(actor), area=area(where), name=name, coverage="none")


def make_meeting(actor: Any = "jiefangbei", *, compound: Any = None, **kw: Any) -> Any:
    """A five-party meeting with balanced shares and one open follow-up task."""
    from django.utils import timezone

    from zhili.compounds import services

    today = timezone.localdate()
    args: dict[str, Any] = {
        "kind": "five",
        "held_on": today,
        "topic": "测试议题",
        "decisions": "测试议定事项",
        "total_cost": "100",
        "parties": [
            {"role": "community", "name": "居委会", "share": "40"},
            {"role": "owners", "name": "业委会", "share": "60"},
        ],
        "followups": [{"text": "测试任务", "owner": 0, "due": today}],
    }
    args.update(kw)
    return services.meeting_create(
        actor=user(actor), compound=compound or make_compound(actor), **args
    )


# Wages (根治欠薪) -------------------------------------------------------------------------------


def make_wage_project(
    actor: Any = "jiefangbei", *, area: Any = JIEFANGBEI, number: str = "XM-1"
) -> Any:
    """登记在建项目 through ``project_create`` (firms made once), with nothing else: it lacks its
    account, deposit and notice board."""
    import datetime as dt

    from zhili.wages import services

    who = user(actor)
    admin = user("city_admin")
    builder = services.firm_create(actor=admin, name="某开发公司", credit_code="91500103MA5U000001")
    contractor = services.firm_create(
        actor=admin, name="某建工集团", credit_code="91500103MA5U000002"
    )
    return services.project_create(
        actor=who,
        number=number,
        name=f"测试项目 {number}",
        area=globals()["area"](area),
        address="测试地址 1 号",
        builder=builder,
        contractor=contractor,
        contract_value="1000000",
        labour_share="20",
        start_on=dt.date(2026, 1, 1),
        labour_manager="王五",
        labour_manager_phone="13700001111",
    )


def make_wage_warning(project: Any) -> Any:
    """The rules run over the project (on 2026-06-15): its first warning (a yellow one)."""
    import datetime as dt

    from zhili.wages.services import warnings_run

    return warnings_run(today=dt.date(2026, 6, 15), project_ids=[project.pk])[0]

"""Demo risks and disputes, made through the real services from the demo matters.

Idempotent: it does nothing when the demo already has disputes. Refuses when DEBUG is off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhili.areas.models import Area
from zhili.core.system import system_user
from zhili.disputes import services as ds
from zhili.disputes.models import Dispute
from zhili.matters.models import Matter
from zhili.org.models import Unit, User
from zhili.risks import hotspots
from zhili.risks import services as rs

JFB_GRID = "500103003013001"

DISPUTES = [
    # channel, subject, facts, referral, parties, outcome
    (
        "court_assigned",
        "装修合同纠纷",
        "装修质量争议，业主要求返工并赔偿",
        "(2026)渝0103民诉前调1001号",
        [("applicant", "赵某"), ("respondent", "某装饰工程公司")],
        "agree",
    ),
    (
        "police",
        "邻里噪声引发的轻微伤害赔偿",
        "双方因噪声争执推搡，派出所处置后移交调解",
        "渝公解放碑调字〔2026〕17号",
        [("applicant", "钱某"), ("respondent", "孙某")],
        "agree",
    ),
    (
        "petition",
        "物业费与维修基金争议",
        "业主以信访形式反映物业公司使用维修基金不透明",
        "",
        [("applicant", "李某等 12 户业主"), ("respondent", "某物业服务中心")],
        "mediating",
    ),
    (
        "direct",
        "房屋租赁押金纠纷",
        "租期届满后房东未退还押金",
        "",
        [("applicant", "周某"), ("respondent", "吴某")],
        "fail",
    ),
    (
        "court_entrusted",
        "劳务报酬纠纷",
        "装修工人追讨劳务费 1.2 万元",
        "(2026)渝0103民初2002号",
        [("applicant", "郑某"), ("respondent", "王某")],
        "registered",
    ),
]


class DemoRefused(RuntimeError):
    pass


@transaction.atomic
def demo_cases(*, say: Callable[[str], None] = print) -> None:
    if not settings.DEBUG:
        raise DemoRefused("演示数据只能在 DEBUG=1 时载入")
    if Dispute.objects.exists():
        say("演示纠纷与风险：已存在，跳过")
        return
    actor = system_user()
    grid = Area.objects.get(code=JFB_GRID)
    committee = Unit.objects.get(name="解放碑街道人民调解委员会")
    mediator = User.objects.get(username="mediator_jfb")
    now = timezone.now()
    for i, (channel, subject, facts, referral, parties, outcome) in enumerate(DISPUTES):
        d = ds.dispute_register(
            actor=actor,
            channel=channel,
            subject=subject,
            facts=facts,
            area=grid,
            referral_no=referral,
            parties=[
                {"role": r, "name": n, "is_organisation": "公司" in n or "中心" in n}
                for r, n in parties
            ],
            received_at=now - dt.timedelta(days=20 - i * 3),
            parties_consent=channel == "petition",  # 访调: both parties agreed to mediation
        )
        if outcome == "registered":
            continue
        d = ds.dispute_assign(actor=actor, dispute=d, committee=committee, mediator=mediator)
        ds.session_add(
            actor=mediator,
            dispute=d,
            at=now - dt.timedelta(days=5 - i % 3),
            notes="双方到场陈述，调解员释法说理",
        )
        if outcome == "agree":
            d = ds.dispute_agree(
                actor=mediator, dispute=d, agreement=f"就“{subject}”双方自愿达成和解，按约履行"
            )
        elif outcome == "fail":
            ds.dispute_fail(actor=mediator, dispute=d, reason="被申请人拒绝调解")
        elif outcome == "mediating":
            ds.dispute_flag_escalation(actor=mediator, dispute=d, note="部分业主扬言集体到街道上访")
    say(f"演示纠纷：{len(DISPUTES)} 件")
    wage = Matter.objects.filter(
        category__code="wage-arrears", area__path__startswith="500000/500103/"
    ).first()
    samples = [
        ("工地欠薪可能引发聚集讨薪", "labour", wage, 4, 4),
        ("老旧小区化粪池外溢引发邻里冲突", "dispute", None, 3, 2),
        ("商场消防通道长期堵塞", "safety", None, 2, 4),
        ("出租屋群租安全隐患", "safety", None, 2, 2),
    ]
    for title, category, matter, likelihood, impact in samples:
        risk = rs.risk_register(
            actor=actor,
            title=title,
            description=title,
            category=category,
            source="matter" if matter else "inspection",
            matter=matter,
            area=matter.area if matter else grid,
            address=(matter.address if matter else "") or "民生路",
            persons=[{"name": (matter.reporter_name if matter else "") or "网格员走访对象"}],
        )
        rs.risk_assess(
            actor=actor,
            risk=risk,
            kind="current",
            likelihood=likelihood,
            impact=impact,
            confidence="medium",
        )
    _surge(actor, grid, now)
    found = hotspots.scan()
    say(f"演示风险：{len(samples)} 项；风险线索：{len(found)} 条")


def _surge(actor: object, grid: Area, now: dt.datetime) -> None:
    """A real rise of noise complaints in one street this week, and one address reporting again and
    again, so that the hot-spot scan has something true to propose."""
    from zhili.matters.models import Category
    from zhili.matters.services import matter_create

    noise, sanitation = Category.objects.get(code="noise"), Category.objects.get(code="sanitation")
    for i in range(9):
        matter_create(
            actor=actor,
            category=noise,
            channel="hotline",
            area=grid,
            reporter_name="居民",
            reporter_phone=f"1390000{i:04d}",
            description=f"夜间酒吧音响扰民，第 {i + 1} 次反映",
            at=now - dt.timedelta(hours=6 + i * 9),
        )
    for i in range(3):
        matter_create(
            actor=actor,
            category=sanitation,
            channel="hotline",
            area=grid,
            reporter_name="居民",
            reporter_phone="13988886666",
            address="较场口 21 号院",
            description="院内垃圾堆放无人清运",
            at=now - dt.timedelta(days=2 + i * 6),
        )

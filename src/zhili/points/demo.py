"""The points bank's demo (invented households and acts, labelled as such), built through the
services on the real 民生路社区 (解放碑街道, 渝中区) and its demo grids and buildings: a district
template copied by the community, a budget, 24 households, a fortnight of records (approved by
another person, some still in their public window, one objected), goods and orders. Idempotent:
every write carries a fixed idempotency key or is skipped when present."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhili.areas.models import Area, Level
from zhili.core.system import system_user
from zhili.demo.loader import DemoRefused

VILLAGE = "500103003013"  # 民生路社区
FORTNIGHT = 14  # the demo's records span the last fortnight
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋"


def _at(day: dt.date, hour: int, now: dt.datetime) -> dt.datetime:
    """``hour`` o'clock local time on ``day``, never later than ``now``."""
    tz = timezone.get_current_timezone()
    return min(dt.datetime.combine(day, dt.time(hour), tzinfo=tz), now)


@transaction.atomic
def demo_points(*, say: Callable[[str], None] = print) -> None:
    from zhili.points import rules, services
    from zhili.points.models import Goods, Household, Record, RecordStatus, RuleVersion
    from zhili.points.people import village_people

    if not settings.DEBUG:
        raise DemoRefused("演示数据只能在 DEBUG=1 时载入")
    village = Area.objects.filter(code=VILLAGE).first()
    if village is None:
        raise DemoRefused("请先载入区划和演示数据：zhili load_areas && zhili load_demo")
    people = village_people(village)
    actor = system_user()
    if not RuleVersion.objects.filter(area=village).exists():
        district = Area.objects.get(code=village.code[:6])  # 渝中区
        template = rules.rules_publish(
            actor=actor, area=district, effective_from=dt.date(2026, 1, 1), is_template=True,
            note="区级模板（演示）",
            items=[
                rules.ItemSpec(code="A01", category="会议", name="参加村（居）民会议", points=1,
                               evidence_required=False),
                rules.ItemSpec(code="A02", category="会议", name="会议迟到早退", points=-1,
                               evidence_required=False),
                rules.ItemSpec(code="B01", category="环境", name="参加环境大扫除", points=5),
                rules.ItemSpec(code="B02", category="公益", name="参与道路维护", points=10,
                               cap=2, cap_period="month"),
                rules.ItemSpec(code="C01", category="评比", name="最美庭院", points=20),
                rules.ItemSpec(code="D01", category="否决", name="违法建设（一票否决）",
                               points=-50, veto=True),
            ],
        )  # fmt: skip
        rules.rules_copy(
            actor=people["points_committee"],
            template=template,
            area=village,
            effective_from=dt.date(2026, 1, 1),
        )
    now = timezone.now()
    today = timezone.localdate()
    services.budget_allocate(
        actor=people["points_committee"],
        village=village,
        funding_source="区财政",
        amount=10_000,
        key=f"demo-budget-{village.code}-2026",
        at=_at(today - dt.timedelta(days=FORTNIGHT), 9, now),
    )
    buildings = list(Area.objects.filter(path__startswith=village.path, level=Level.BUILDING))
    grids = list(Area.objects.filter(path__startswith=village.path, level=Level.GRID))
    places = buildings + grids or [village]
    if not Household.objects.filter(village=village).exists():
        for i in range(24):
            services.household_create(
                actor=people["points_committee"],
                area=places[i % len(places)],
                number=f"MS-{i + 1:03d}",
                head_name=f"{SURNAMES[i]}某（演示）",
            )
    homes = list(Household.objects.filter(village=village).order_by("number"))
    if not Record.objects.filter(household__village=village).exists():
        import io

        from PIL import Image

        from zhili.matters.attachments import attachment_store

        def make_attachment() -> object:
            out = io.BytesIO()
            Image.new("RGB", (64, 48), "#2f9e44").save(out, format="PNG")
            return attachment_store(data=out.getvalue(), name="现场照片（演示）.png")

        version = rules.version_in_force(village, today)
        assert version is not None
        items = {i.code: i for i in version.items.all()}
        # Last week's acts: recorded that evening, approved the next morning, counted when their
        # public window closed (the sweep's work) — every time in the past.
        for n, h in enumerate(homes):
            day = today - dt.timedelta(days=7 + n % 5)
            for code in ("A01", "B01") if n % 3 else ("A01", "B02", "C01"):
                rec = services.record_create(
                    actor=people["points_scorer"],
                    household=h,
                    item=items[code],
                    occurred_on=day,
                    evidence=make_attachment() if items[code].evidence_required else None,
                    at=_at(day, 18, now),
                )
                services.record_act(
                    actor=people["points_supervisor"],
                    record=rec,
                    action="approve",
                    at=_at(day + dt.timedelta(days=1), 10, now),
                )
        windows = Record.objects.filter(
            household__village=village, status=RecordStatus.PUBLIC, public_until__lte=now
        )
        for closed in sorted({t for t in windows.values_list("public_until", flat=True) if t}):
            services.records_count_due(now=closed)
        late = services.record_create(
            actor=people["points_scorer"],
            household=homes[1],
            item=items["B01"],
            occurred_on=today,
            evidence=make_attachment(),
        )
        services.record_act(actor=people["points_supervisor"], record=late, action="approve")
        services.record_create(
            actor=people["points_scorer"], household=homes[2], item=items["A01"], occurred_on=today
        )
    if not Goods.objects.filter(area=village).exists():
        for name, price, stock in [
            ("食用油 5L（演示）", 60, 20),
            ("洗衣粉（演示）", 12, 50),
            ("大米 10kg（演示）", 45, 30),
            ("肥皂（演示）", 3, 100),
        ]:
            services.goods_create(actor=people["points_committee"], village=village, name=name,
                                  price=price, stock=stock)  # fmt: skip
    soap = Goods.objects.get(area=village, name="肥皂（演示）")
    for h in homes[:3]:
        services.order_place(
            actor=people["points_shop"],
            household=h,
            goods=soap,
            quantity=2,
            key=f"demo-order-{h.number}",
        )
    say(f"积分银行：{village.name}，{len(homes)} 户，演示账号 points_scorer / points_supervisor / "
        "points_committee / points_shop")  # fmt: skip

"""Demo outcome indicators, survey samples, camera points and a service-centre screen, made
through the real services. Every figure here is INVENTED (演示数据), derived from the area code so
that reruns give the same numbers. Idempotent: does nothing when the demo already has indicator
values. Refuses when DEBUG is off."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhili.areas.models import Area, Level
from zhili.cockpit import services as cockpit
from zhili.core.system import system_user
from zhili.demo.cases import DemoRefused
from zhili.indicators import imports
from zhili.indicators import services as indicators
from zhili.indicators.models import Indicator, IndicatorValue
from zhili.screens import services as screens

SOURCE = "演示数据（虚构）"
SCALE = ["很安全", "安全", "基本安全", "不太安全", "不安全"]
CAMERAS = [
    ("XL-500103-0001", "民生路与邹容路口", "500103003013001", 29.5587, 106.5770),
    ("XL-500103-0002", "解放碑步行街北口", "500103003013001", 29.5600, 106.5762),
    ("XL-500103-0003", "莲花池社区入口", "500103003016001", 29.5565, 106.5735),
]


def _n(*parts: object) -> int:
    return int(hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:8], 16)


@transaction.atomic
def demo_cockpit(*, say: Callable[[str], None] = print) -> None:
    if not settings.DEBUG:
        raise DemoRefused("演示数据只能在 DEBUG=1 时载入")
    if IndicatorValue.objects.exists():
        say("演示平安指标：已存在，跳过")
        return
    actor = system_user()
    today = timezone.localdate()
    districts = list(Area.objects.current().filter(level=Level.DISTRICT).order_by("code"))
    crimes = Indicator.objects.get(code="eight_crimes")
    head = [*imports.VALUE_HEAD, *crimes.components]
    rows = []
    for d in districts:
        for year in (today.year - 1, today.year):
            for month in range(1, today.month + 1):
                k = _n(d.code, year, month)
                parts = [(k >> i) % 3 if i < 8 else 0 for i in range(len(crimes.components))]
                rows.append(["eight_crimes", d.code, year, month, None, SOURCE, *parts])
                rows.append(["petition_visits", d.code, year, month, 20 + k % 80, SOURCE])
                rows.append(["safety_accidents", d.code, year, month, k % 4, SOURCE])
                rows.append(["safety_deaths", d.code, year, month, (k >> 3) % 2, SOURCE])
    written = indicators.values_import(actor=actor, data=imports.workbook(head, rows))
    say(f"演示平安指标：{len(written)} 个月度数值（{len(districts)} 个区县，虚构）")
    instrument = indicators.default_instrument()
    for d in districts:
        for year in (today.year - 1, today.year):
            wave = indicators.wave_create(actor=actor, instrument=instrument, area=d, year=year,
                                          planned=60, source=SOURCE)  # fmt: skip
            answers = []
            for i in range(60):
                k = _n(d.code, year, i) % 1000
                # Mostly safe: 很安全 45 %, 安全 35 %, 基本安全 17 %, 不太安全 2 %, 不安全 0.5 %.
                idx = 0 if k < 450 else 1 if k < 800 else 2 if k < 970 else 3 if k < 990 else 4
                answers.append([f"{d.code}-{year}-{i:03d}", SCALE[idx] if k < 995 else "拒答"])
            indicators.responses_import(
                actor=actor, wave=wave, data=imports.workbook(["样本编号", "回答"], answers)
            )
    say(f"演示安全感调查：{len(districts) * 2} 个样本，每个 60 份回答（虚构）")
    for code, name, grid, lat, lng in CAMERAS:
        cockpit.camera_create(actor=actor, code=code, name=name, area=Area.objects.get(code=grid),
                              lat=lat, lng=lng, owner="渝中区公安分局（演示）",
                              coverage="路口 360°")  # fmt: skip
    say(f"演示雪亮工程点位：{len(CAMERAS)} 个")
    community = Area.objects.get(code="500103003013")
    centre = screens.centre_create(actor=actor, area=community,
                                   name=f"{community.name}便民服务中心（演示）",
                                   complaint_line="023-00000000（演示）",
                                   hours="周一至周五 9:00–17:30")  # fmt: skip
    screens.notice_create(actor=actor, centre=centre, title="停水通知（演示）",
                          body="本周六 9:00 至 12:00 民生路片区停水，请提前储水。", show_from=today)  # fmt: skip
    screens.notice_create(actor=actor, centre=centre, title="法律顾问坐班（演示）",
                          body="每周三下午社区法律顾问在服务中心坐班，免费咨询。", show_from=today)  # fmt: skip
    wang = screens.staff_add(actor=actor, centre=centre, name="王某（演示）", post="综合受理")
    screens.duty_add(actor=actor, centre=centre, day=today, staff=wang)
    screens.duty_add(actor=actor, centre=centre, day=today, person="陈某（演示）", post="社会救助")
    # Residents' ratings (fictional): 王某 has enough for the screen to show a rate, 陈某 not yet.
    for score in (5, 5, 4, 5, 3, 4, 2, 5):
        screens.rating_submit(centre=centre, staff_id=wang.pk, score=score)
    _, token = screens.device_create(actor=actor, centre=centre, name="大厅电视（演示）")
    say(f"演示公示屏：{centre.name}；在电视浏览器打开 /screens/pair/{token}/ 配对")

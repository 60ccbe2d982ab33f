"""Demo village and community self-governance (invented data, labelled 演示): 四议两公开 records
in 民生路社区 at three stages (one on public display), a 一事一议 project in 万州区太白村 with its
households' contributions and book, and the legal adviser of 民生路 and 莲花池 with duty slots,
a year of services and a pending review. Everything through the services; idempotent; DEBUG only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhili.areas.models import Area
from zhili.deliberation import services as ds
from zhili.deliberation.models import Assembly, Deliberation, Stage
from zhili.deliberation.rules import Tally
from zhili.deliberation.services import StepInput, Upload
from zhili.deliberation.workflow import WORKFLOW
from zhili.demo.loader import DemoRefused
from zhili.legal import services as ls
from zhili.org.models import User

MINSHENGLU, LIANHUACHI = "500103003013", "500103003016"
TAIBAI = "500101017200"  # 太白村, 万州区太白街道
MARK = "（演示）"
SHEET = Upload("签到表（演示）.pdf", b"%PDF-1.4\n% zhili demo signature sheet\n%%EOF\n")


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _area(code: str) -> Area:
    return Area.objects.get(code=code)


@transaction.atomic
def demo_villages(*, say: Callable[[str], None] = print) -> None:
    if not settings.DEBUG:
        raise DemoRefused("演示数据只能在 DEBUG=1 时载入")
    if Deliberation.objects.filter(title__endswith=MARK).exists():
        say("四议两公开、一事一议和法律顾问演示数据已存在")
        return
    today = timezone.localdate()
    street, secretary, lawyer = _user("jiefangbei"), _user("secretary_msl"), _user("lawyer_jfb")
    msl, lhc = _area(MINSHENGLU), _area(LIANHUACHI)

    adviser = ls.adviser_create(
        actor=street,
        name="王律师",
        firm="重庆某律师事务所（演示）",
        area=_area("500103003"),
        license_no="15001200000000",
        phone="13500001111",
        user=lawyer,
    )
    for area in (msl, lhc):
        ls.coverage_add(actor=street, adviser=adviser, area=area, since=dt.date(today.year, 1, 1))
    for week in range(4):
        ls.duty_add(
            actor=street,
            adviser=adviser,
            area=msl if week % 2 == 0 else lhc,
            on=today + dt.timedelta(days=7 * week + 2),
            start=dt.time(9),
            end=dt.time(12),
            place="党群服务中心法律诊所",
        )
    for month in range(1, today.month + 1):
        for area, minutes in ((msl, 330), (lhc, 200)):
            if area is lhc and month in (3, 7, 8):
                continue  # months without a visit: the overview warns
            day = dt.date(today.year, month, min(12, today.day if month == today.month else 12))
            ls.consultation_log(
                actor=lawyer,
                adviser=adviser,
                area=area,
                kind="visit",
                on=day,
                minutes=minutes,
                topic="到社区坐班，接待居民法律咨询",
                person="居民甲",
                phone="13900000000",
            )

    def record(title: str, content: str, *, merged: bool = False, review: str = "") -> Deliberation:
        return ds.deliberation_create(
            actor=secretary,
            area=msl,
            title=title + MARK,
            content=content,
            merged_posts=merged,
            review_before=review,
        )

    def step(d: Deliberation, action: str, days_ago: int, **kw: Any) -> Deliberation:
        held = today - dt.timedelta(days=days_ago)
        return ds.step_record(
            actor=secretary,
            deliberation=d,
            action=action,
            step=StepInput(
                held_on=held,
                text=str(kw.pop("text", "")) or str(WORKFLOW.rules[action].label),
                **kw,
            ),
        )

    meeting = {"signatures": SHEET}
    done = record(
        "民生路 3 号楼加装电梯选址", "拟在 3 号楼东侧绿地加装电梯一部，占用绿地约 20 平方米"
    )
    done = step(done, "propose", 40, text="党委提议在 3 号楼东侧加装电梯")
    done = step(
        done, "discuss", 38, due=9, present=9, votes_for=9, text="两委会一致同意提交党员大会"
    )
    done = step(
        done,
        "review",
        33,
        due=31,
        present=24,
        votes_for=22,
        votes_against=1,
        abstain=1,
        text="党员大会审议通过",
        **meeting,
    )
    done = step(
        done,
        "decide",
        26,
        assembly=Assembly.REPRESENTATIVES,
        due=45,
        present=38,
        votes_for=33,
        votes_against=3,
        abstain=2,
        witness=street,
        text="居民代表会议表决通过",
        **meeting,
    )
    done = step(
        done,
        "publish_resolution",
        25,
        public_from=today - dt.timedelta(days=25),
        public_until=today - dt.timedelta(days=18),
        text="决议：同意在 3 号楼东侧加装电梯一部",
    )
    step(
        done,
        "publish_result",
        1,
        public_from=today - dt.timedelta(days=1),
        public_until=today + dt.timedelta(days=8),
        text="实施结果：电梯已完成基础施工，费用由业主按楼层分摊，明细见公示栏",
    )

    waiting = record(
        "集体用房出租给社区养老服务机构",
        "将临江路 8 号集体用房出租 5 年，年租金 6 万元",
        review=Stage.DECISION,
    )
    waiting = step(waiting, "propose", 12, text="党委提议出租集体用房")
    waiting = step(waiting, "discuss", 10, due=9, present=8, votes_for=8)
    waiting = step(waiting, "review", 6, due=31, present=21, votes_for=17, **meeting)
    ds.deliberation_request_review(
        actor=secretary, deliberation=waiting, question="租赁合同条款和招租程序是否合法"
    )

    merged = record("社区公共收益使用方案", "公共收益 12 万元用于楼道照明改造", merged=True)
    step(
        merged,
        "propose_merged",
        3,
        due=7,
        present=7,
        votes_for=7,
        text="书记、主任一肩挑：提议并商议",
    )

    wanzhou = _user("wanzhou")
    project = ds.project_create(
        actor=wanzhou,
        area=_area(TAIBAI),
        title="太白村二组便民路硬化" + MARK,
        purpose="road",
        description="硬化二组至村委会便民路 1.2 公里",
        proposer="villagers",
        signers=90,
        villagers=860,
        budget="240000",
        money_per_person="20",
        labour_per_person="2",
        year=today.year,
    )
    project = ds.project_notice(
        actor=wanzhou,
        project=project,
        notice_from=today - dt.timedelta(days=60),
        notice_until=today - dt.timedelta(days=53),
    )
    project = ds.project_canvass(
        actor=wanzhou, project=project, households=280, canvassed=271, agree=240
    )
    project = ds.project_vote(
        actor=wanzhou,
        project=project,
        assembly=Assembly.REPRESENTATIVES,
        tally=Tally(due=42, present=35, votes_for=31, votes_against=2, abstain=2),
        held_on=today - dt.timedelta(days=45),
    )
    project = ds.project_township(
        actor=wanzhou, project=project, approve=True, at=timezone.now() - dt.timedelta(days=40)
    )
    project = ds.project_reply(
        actor=wanzhou, project=project, approved=True, at=timezone.now() - dt.timedelta(days=35)
    )
    on = today - dt.timedelta(days=30)
    for i in range(150):
        ds.contribution_add(
            actor=wanzhou, project=project, household=f"村民{i:03d}", persons=4, money="80", on=on
        )
    for i in range(20):
        ds.contribution_add(
            actor=wanzhou,
            project=project,
            household=f"劳户{i:02d}",
            persons=3,
            labour_days="6",
            on=on,
        )
    for i in range(6):
        ds.contribution_add(
            actor=wanzhou,
            project=project,
            household=f"五保{i}",
            persons=1,
            exempt_reason="五保户",
            on=on,
        )
    ds.ledger_add(
        actor=wanzhou,
        project=project,
        kind="grant",
        amount="120000",
        on=on,
        note="区财政一事一议奖补（演示）",
    )
    ds.ledger_add(
        actor=wanzhou,
        project=project,
        kind="spent",
        amount="86500",
        on=today - dt.timedelta(days=10),
        note="水泥、砂石（演示）",
    )
    say("四议两公开 3 件、一事一议 1 项、法律顾问 1 名（服务 2 个社区）演示数据已载入")

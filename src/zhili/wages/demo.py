"""Demo data of the wages module (INVENTED: firms, projects, workers and payments are made up),
built through the services and the importer on the real Chongqing areas and the demo accounts:
a clean project, one that paid nobody for a month (red → a risk candidate), one that left workers out,
one missing its deposit and notice board, one paying a gang boss; an interview and a blacklist
entry. Idempotent (nothing when the demo projects exist); seconds."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone

from zhili.areas.models import Area
from zhili.demo.loader import DemoRefused
from zhili.org.models import User
from zhili.wages import rules, services
from zhili.wages.imports import COLUMNS, ID_CHECK, ID_WEIGHTS
from zhili.wages.models import Project


def _id(n: int) -> str:
    body = f"51102319850601{n:03d}"  # invented numbers with a valid check digit
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def png(color: str) -> bytes:
    """A plain image standing in for the notice board's photo."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="PNG")
    return out.getvalue()


def _csv(kind: str, rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([h for _k, h, _r in COLUMNS[kind]])
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "志强", "小军", "德明", "春华", "海波", "永红", "国平", "大勇", "立新"]

# number, name, street code, account, contractor/subcontractor, workers, story
PROJECTS = [
    ("DEMO-YZ-001", "解放碑某商业综合体改造（演示）", "500103003", "jiefangbei", 12, "clean"),
    ("DEMO-YZ-002", "民生路某住宅项目（演示）", "500103003", "jiefangbei", 10, "unpaid_month"),
    ("DEMO-YZ-003", "较场口某办公楼装修（演示）", "500103003", "jiefangbei", 10, "left_out"),
    ("DEMO-YZ-004", "七星岗某管网改造（演示）", "500103003", "jiefangbei", 6, "incomplete"),
    ("DEMO-WZ-001", "高笋塘某安置房（演示）", "500101001", "wanzhou", 8, "proxy"),
]


def demo_wages(*, say: Callable[[str], None] = print, today: dt.date | None = None) -> None:
    if not settings.DEBUG:
        raise DemoRefused("演示数据只能在 DEBUG=1 时载入")
    if Project.objects.filter(number__startswith="DEMO-").exists():
        say("根治欠薪演示：已存在，跳过")
        return
    today = today or timezone.localdate()
    this = rules.month_start(today)
    m1, m2, m3 = (rules.add_months(this, -k) for k in (3, 2, 1))
    admin = User.objects.get(username="yuzhong")
    builder = services.firm_create(
        actor=admin, name="重庆某置业有限公司（演示）", credit_code="91500103DEMO000001"
    )
    contractor = services.firm_create(
        actor=admin, name="重庆某建工集团（演示）", credit_code="91500103DEMO000002"
    )
    labour = services.firm_create(
        actor=admin, name="重庆某劳务有限公司（演示）", credit_code="91500103DEMO000003"
    )
    n = 0
    for number, name, street, who, size, story in PROJECTS:
        actor = User.objects.get(username=who)
        p = services.project_create(
            actor=actor,
            number=number,
            name=name,
            area=Area.objects.get(code=street),
            address=f"{name[:6]}工地",
            builder=builder,
            contractor=contractor,
            subcontractors=[labour],
            contract_value=size * 1_000_000,
            labour_share=20,
            start_on=rules.add_months(this, -4),
            labour_manager="周某（演示）",
            labour_manager_phone="13900000000",
        )
        if story != "incomplete":
            services.account_set(
                actor=actor,
                project=p,
                bank="重庆农村商业银行",
                account_number=f"8001{n:09d}",
                opened_on=p.start_on,
            )
            services.deposit_add(
                actor=actor,
                project=p,
                kind="guarantee",
                amount=300000,
                bank="重庆银行",
                valid_until=rules.add_months(this, 12),
            )
            services.notice_board_set(
                actor=actor, project=p, data=png("#206bc4"), name=f"告示牌{number}.png"
            )
        crew = list(range(n + 1, n + size + 1))
        n += size

        def imp(kind: str, rows: list[list[Any]], p: Project = p, actor: Any = actor) -> None:
            services.project_import(
                actor=actor,
                project=p,
                kind=kind,
                data=_csv(kind, rows),
                filename=f"{kind}-{p.number}.csv",
                today=today,
            )

        imp(
            "roster",
            [
                [
                    SURNAMES[i % 20] + GIVEN[i % 10],
                    _id(i),
                    "",
                    f"62210000{i:08d}",
                    labour.name,
                    "钢筋工" if i % 2 else "木工",
                    str(p.start_on),
                    "",
                ]
                for i in crew
            ],
        )
        imp("labour", [[size * 6000 * 3, str(m1), f"BF-{number}-1"]])
        for month in (m1, m2, m3):
            # The bank's file first: an attendance file of a past month with no payment yet
            # recorded is (rightly) a warning at once.
            paid = crew
            if story == "unpaid_month" and month == m1:
                imp("attendance", [[_id(i), f"{month:%Y-%m}", 22] for i in crew])
                continue  # nothing through the account for this month
            if story == "left_out" and month == m2:
                paid = crew[:-2]  # two of ten left out: 20 %, red
            amounts = {i: 6200 for i in paid}
            if story == "proxy" and month == m3:
                amounts[crew[0]] = 46000  # one card takes the crew's pay
            imp(
                "bank",
                [
                    [
                        _id(i),
                        f"{month:%Y-%m}",
                        a,
                        str(rules.month_end(month)),
                        f"DF-{number}-{month:%Y%m}-{i}",
                    ]
                    for i, a in amounts.items()
                ],
            )
            imp("attendance", [[_id(i), f"{month:%Y-%m}", 22] for i in crew])
        services.progress_set(actor=actor, project=p, month=m3, percent=45)
    services.interview_record(
        actor=admin,
        area=Area.objects.get(code="500103003"),
        held_on=today,
        firm=contractor,
        project=Project.objects.get(number="DEMO-YZ-002"),
        interviewees="解放碑街道分管负责人；重庆某建工集团（演示）项目经理",
        record="（演示）就民生路某住宅项目未按月发放工资约谈，责令十日内通过专户补发。",
    )
    services.blacklist_add(
        actor=admin,
        firm=services.firm_create(
            actor=admin, name="重庆某劳务分包公司（演示）", credit_code="91500103DEMO000004"
        ),
        area=Area.objects.get(code="500103"),
        reason="（演示）拖欠 26 名农民工工资 41.6 万元",
        arrears=416000,
        listed_on=rules.add_months(this, -8),
    )
    say(
        "根治欠薪演示：5 个项目、46 名工人、3 个月考勤与代发记录、预警与风险、约谈和失信名单（虚构数据）"
    )

"""The target-management demo: 37 city units, the 2021 plan (through the real xlsx import), a
season of progress (through the real report and review services) and four negative-list incidents.

The season runs to the plan's statistics day (``AS_OF``), so the table shows done, overdue, at-risk
and on-schedule cells and the ranking spreads. Everything is deterministic (a seeded generator),
runs once (a second run changes nothing) and refuses to run when DEBUG is off.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import zlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

from zhili.areas.models import Area
from zhili.core.system import system_user
from zhili.org.models import Unit, UnitType, User
from zhili.org.services import unit_create
from zhili.targets import demo_data as data
from zhili.targets import imports, services
from zhili.targets.bulk import Season
from zhili.targets.evidence import Upload
from zhili.targets.models import Assignment, NegativeItem, Plan, Report, ReportStatus
from zhili.targets.scoring import scores_deferred

YEAR = 2021
AS_OF = dt.date(2021, 7, 22)
TITLE = "2021 年市域社会治理试点目标任务（演示）"
NOTE = "演示数据：任务清单为依据公开的试点机制编写的虚构清单（真实清单未公开）"


class DemoRefused(RuntimeError):
    pass


def _pdf(line: str) -> bytes:
    """A one-page PDF with one line of ASCII text (evidence files of the demo)."""
    stream = f"BT /F1 18 Tf 72 760 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _png(seed: int) -> bytes:
    """A small bar chart as PNG (a 'photo' of a ledger, for the demo)."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    img = Image.new("RGB", (320, 200), "white")
    draw = ImageDraw.Draw(img)
    for i in range(8):
        h = rng.randint(30, 170)
        draw.rectangle([20 + i * 36, 190 - h, 44 + i * 36, 190], fill=(32, 107, 196))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _evidence_pool() -> list[Upload]:
    return [
        Upload("实施方案.pdf", _pdf("Demo evidence: implementation plan 2021")),
        Upload("工作台账.pdf", _pdf("Demo evidence: work ledger 2021")),
        Upload("阶段总结.pdf", _pdf("Demo evidence: progress summary 2021")),
        Upload("现场照片1.png", _png(1)),
        Upload("现场照片2.png", _png(2)),
    ]


def plan_workbook() -> bytes:
    """The demo plan as a filled template, so the demo goes through the real import."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(imports.template_xlsx(YEAR)))
    tasks, miles, negs = (
        wb[s] for s in (imports.TASK_SHEET, imports.MILESTONE_SHEET, imports.NEGATIVE_SHEET)
    )
    for ws in (tasks, miles, negs):
        ws.delete_rows(2, ws.max_row)
    groups = {
        "all": "全部",
        "central": data.CENTRAL,
        "rural": data.RURAL,
        "pilot": data.PILOT,
        "": "",
    }
    names = {a.code: a.name for a in Area.objects.filter(level="district")}
    for i, (method, title, req, lead, co, where, weight, pattern) in enumerate(data.TASKS, start=1):
        group = groups[where]
        districts = group if isinstance(group, str) else "、".join(names[c] for c in group)
        tasks.append([str(i), method, title, req, weight, lead, co, districts, f"{YEAR}-12-31"])
        for label, m_req, evidence in data.MILESTONES[pattern]:
            miles.append([str(i), label, m_req, evidence])
    for number, title, trigger, effect, points in data.NEGATIVE_ITEMS:
        negs.append([number, title, trigger, effect, points])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _units(actor: Any, city: Area) -> None:
    have = set(Unit.objects.filter(area=city).values_list("name", flat=True))
    for name in data.UNITS:
        if name not in have:
            unit_create(actor=actor, name=name, type=UnitType.DEPARTMENT, area=city)


def _who(users: dict[str, User], actor: Any, assignment: Assignment) -> Any:
    """Who reports for an assignee in the demo: its demo account if there is one."""
    if assignment.unit is not None and assignment.unit.name == "市公安局":
        return users.get("unit_gaj", actor)
    by_area = {"500103": "yuzhong", "500101": "wanzhou", "500103003": "jiefangbei"}
    return users.get(by_area.get(assignment.area.code, ""), actor)


def _season(
    plan: Plan,
    users: dict[str, User],
    actor: Any,
    say: Callable[[str], None],
    *,
    engine: str = "bulk",
    tasks: set[int] | None = None,
) -> None:
    """A season of progress up to ``AS_OF``: through ``targets.bulk.Season`` (``engine="bulk"``,
    the same rows in a few queries per table) or step by step through the services. ``tasks``
    (task numbers in the plan's order, for tests) limits the season to those tasks' reports."""
    season = Season() if engine == "bulk" else None
    progress: Any = season or services
    rng = random.Random(YEAR)
    pool = _evidence_pool()
    office = users["office_zfw"]
    found = Report.objects.filter(plan=plan)
    if tasks is not None:
        found = found.filter(milestone__task__seq__in=tasks)
    reports = list(
        found.select_related(
            "plan",
            "plan__area",
            "milestone",
            "milestone__task",
            "assignment",
            "assignment__unit",
            "assignment__area",
            "assignment__parent",
        ).order_by("id")
    )

    def diligence(a: Assignment) -> float:
        # Keyed on names and codes, not ids: ids depend on what the database held before (a
        # PostgreSQL sequence keeps counting past rolled-back tests), and the season must not.
        unit = a.unit.name if a.unit is not None else ""
        area = a.area.code if a.area is not None else ""
        seed = zlib.crc32(f"{unit}:{area}".encode())
        return 0.5 + (seed % 1000) / 1000 * 0.48

    def day(d: dt.date) -> dt.date:
        return min(d, AS_OF)

    done = waiting = 0
    for r in reports:
        a, due = r.assignment, r.milestone.due
        d = diligence(a)
        who = _who(users, actor, a)
        reviewer = users.get("yuzhong", office) if a.parent_id else office
        if reviewer == who:
            reviewer = actor
        files = [pool[rng.randrange(len(pool))]]
        text = f"{a.assignee_name}：{r.milestone.requirement}，已按要求完成。"
        x = rng.random()
        if due <= AS_OF:
            if x < d:
                on = due - dt.timedelta(days=rng.randint(0, 12))
                if rng.random() > d:
                    on = day(due + dt.timedelta(days=rng.randint(1, 20)))
                if rng.random() < 0.2:
                    progress.report_submit(actor=who, report=r, text=text, uploads=files, on=on)
                    progress.report_review(
                        actor=reviewer,
                        report=r,
                        decision="return",
                        on=day(on + dt.timedelta(days=2)),
                        comment="佐证材料不完整，请补充台账和现场照片后重新报送。",
                    )
                    on = day(on + dt.timedelta(days=rng.randint(3, 8)))
                    text += "已补充台账和照片。"
                progress.report_submit(actor=who, report=r, text=text, uploads=files, on=on)
                progress.report_review(
                    actor=reviewer,
                    report=r,
                    decision="accept",
                    on=day(on + dt.timedelta(days=rng.randint(1, 6))),
                    comment="材料齐全，同意通过。",
                )
                done += 1
            elif x < d + (1 - d) * 0.45:
                on = day(due - dt.timedelta(days=rng.randint(0, 6)))
                progress.report_submit(actor=who, report=r, text=text, uploads=files, on=on)
                waiting += 1
        elif due <= AS_OF + dt.timedelta(days=45) and x < d * 0.6:
            on = AS_OF - dt.timedelta(days=rng.randint(0, 10))
            progress.report_submit(actor=who, report=r, text=text, uploads=files, on=on)
            if x < d * 0.25:
                progress.report_review(
                    actor=reviewer, report=r, decision="accept", on=AS_OF, comment="同意。"
                )
                done += 1
            else:
                waiting += 1
    if season is not None:
        season.flush()
    say(f"进展：{done} 个节点已通过，{waiting} 个待审核")


def _incidents(plan: Plan, office: User) -> None:
    items = {i.number: i for i in NegativeItem.objects.filter(plan=plan)}
    city_units = {u.name: u for u in Unit.objects.filter(area=plan.area)}
    for number, target, when, text in data.INCIDENTS:
        unit = city_units.get(target)
        district = None if unit else Area.objects.get(code=target)
        services.incident_record(
            actor=office,
            item=items[number],
            unit=unit,
            district=district,
            occurred_on=dt.date.fromisoformat(when),
            description=text,
            uploads=[Upload("通报.pdf", _pdf(f"Demo notice {number} {when}"))],
        )


def demo_users() -> dict[str, User]:
    names = ["office_zfw", "unit_gaj", "yuzhong", "wanzhou", "jiefangbei"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


def plan_setup(users: dict[str, User], actor: Any, say: Callable[[str], None]) -> Plan:
    """The city's units, the plan imported from its workbook, the clock at ``AS_OF`` and the
    districts' street shares: everything before the season's progress."""
    _units(actor, services.root_area())
    office = users["office_zfw"]
    plan = services.plan_import(
        actor=office, year=YEAR, title=TITLE, data=plan_workbook(), filename="demo-2021.xlsx"
    )
    say(f"{plan.title}：{plan.tasks.count()} 项任务，{plan.negative_items.count()} 项负面清单")
    plan = services.plan_rule_update(actor=office, plan=plan, as_of=AS_OF, note=NOTE)
    tasks = list(plan.tasks.order_by("seq"))
    splitter = users.get("yuzhong", office)
    for index, district, streets in data.SHARES:
        share = Assignment.objects.get(task=tasks[index], area__code=district, unit__isnull=True)
        services.share_split(
            actor=splitter,
            assignment=share,
            streets=list(Area.objects.filter(code__in=streets)),
            note="按街道辖区分解",
        )
    return plan


@transaction.atomic
def targets_demo_load(*, say: Callable[[str], None] = print, engine: str = "bulk") -> Plan:
    """The plan, its decomposition, a season of progress and the incidents. ``engine``: how the
    season's steps are written — ``"bulk"`` (``targets.bulk.Season``: the services' rows, a few
    queries per table) or ``"services"`` (one transition at a time)."""
    if engine not in ("bulk", "services"):
        raise ValueError(f"engine: bulk or services, not {engine!r}")
    if not settings.DEBUG:
        raise DemoRefused("演示数据只能在 DEBUG=1 时载入（生产环境不得有演示数据）")
    users = demo_users()
    if "office_zfw" not in users:
        raise DemoRefused("请先载入区划和演示账号：zhili load_areas && zhili load_demo")
    existing = Plan.objects.filter(year=YEAR).first()
    if existing is not None:
        say(f"{existing.title} 已存在，未作改动")
        return existing
    actor = system_user()
    office = users["office_zfw"]
    with scores_deferred():
        plan = plan_setup(users, actor, say)
        _season(plan, users, actor, say, engine=engine)
        _incidents(plan, office)
    services.reminders_send(plan=plan)
    accepted = Report.objects.filter(plan=plan, status=ReportStatus.ACCEPTED).count()
    say(
        f"统计基准日 {AS_OF}；已通过节点 {accepted} 个；演示账号 office_zfw（考核办）、unit_gaj（市公安局）"
    )
    return plan

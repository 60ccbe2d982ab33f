"""Every write of the wages module: projects and their account, deposit, notice board, progress and
complaints; imports; the rules (edited by the city); the nightly run that raises warnings and
proposes risks; the warning queue's transitions; interviews (约谈) and the blacklist."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from zhili.areas.models import Area
from zhili.areas.models import Level as AreaLevel
from zhili.core.audit import audit_record, root_path, snapshot
from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.core.privacy import mask, reveal
from zhili.core.scoping import can, require, require_at
from zhili.core.validation import clean_text
from zhili.wages import imports, rules
from zhili.wages.models import (
    Attendance,
    BankPayment,
    BlacklistEntry,
    DepositKind,
    Firm,
    ImportBatch,
    ImportKind,
    Interview,
    LabourDeposit,
    MatchedBy,
    MinimumWage,
    PayLine,
    Progress,
    Project,
    ProjectComplaint,
    ProjectStatus,
    RosterEntry,
    Severity,
    WageAccount,
    WageDeposit,
    WageRule,
    Warning,
    WarningEvent,
    WarningStatus,
    Worker,
)
from zhili.wages.workflow import WORKFLOW

WAGE_CATEGORY = "wage-arrears"
BLACKLIST_YEARS = 3
# 人社部令第45号《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》: early removal after the
# arrears are paid and six months have passed since (assumed reading; configurable here).
EARLY_REMOVAL_MONTHS = 6


def _decimal(
    value: Any, label: str, *, low: Decimal = Decimal(0), high: Decimal | None = None
) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            gettext("%(label)s应为数字") % {"label": label}, code="invalid_number"
        ) from None
    if not d.is_finite() or d < low or (high is not None and d > high):
        limit = (
            gettext("%(low)s 到 %(high)s") % {"low": low, "high": high}
            if high is not None
            else gettext("不小于 %(low)s") % {"low": low}
        )
        raise ValidationFailed(
            gettext("%(label)s应在 %(limit)s") % {"label": label, "limit": limit},
            code="invalid_number",
        )
    return d


# -- firms and projects ---------------------------------------------------------------------------


@transaction.atomic
def firm_create(*, actor: Any, name: str, credit_code: str) -> Firm:
    name = clean_text(name, gettext("单位名称"), limit=120)
    code = clean_text(credit_code, gettext("统一社会信用代码"), limit=18).upper()
    if len(code) != 18 or not code.isalnum():
        raise ValidationFailed(gettext("统一社会信用代码应为 18 位"), code="invalid_credit_code")
    if not _may_anywhere(actor, "add", Firm):
        raise PermissionDenied(gettext("没有登记企业的权限"))
    found = Firm.objects.filter(credit_code=code).first()
    if found:
        return found
    firm = Firm.objects.create(name=name, credit_code=code)
    audit_record(actor=actor, action="wages.firm.add", obj=firm, after={"name": name})
    return firm


def _may_anywhere(actor: Any, action: str, model: Any) -> bool:
    from zhili.core.scoping import has_any

    return has_any(actor, model, action)


def _project_area(actor: Any, area: Area | None) -> Area:
    if area is None:
        raise ValidationFailed(gettext("请选择项目所在区域"), code="place_required")
    if not area.is_current or area.level in (AreaLevel.CITY, AreaLevel.DISTRICT):
        raise ValidationFailed(
            gettext("项目所在区域须为现行的街道（乡镇）或其下级"), code="place_required"
        )
    require_at(actor, "add", Project, area.path, noun=gettext("在建项目"))
    return area


@transaction.atomic
def project_create(
    *,
    actor: Any,
    number: str,
    name: str,
    area: Area | None,
    address: str,
    builder: Firm,
    contractor: Firm,
    subcontractors: list[Firm] | None = None,
    contract_value: Any,
    labour_share: Any,
    start_on: dt.date,
    labour_manager: str,
    labour_manager_phone: str,
) -> Project:
    area = _project_area(actor, area)
    number = clean_text(number, gettext("项目编号"), limit=40)
    if Project.objects.filter(number=number).exists():
        raise Conflict(gettext("该项目编号已登记"), code="duplicate_number")
    project = Project.objects.create(
        number=number,
        name=clean_text(name, gettext("项目名称"), limit=120),
        area=area,
        area_path=area.path,
        address=clean_text(address, gettext("项目地址"), limit=200),
        builder=builder,
        contractor=contractor,
        contract_value=_decimal(contract_value, gettext("合同价款")),
        labour_share=_decimal(labour_share, gettext("人工费用占比"), high=Decimal(100)),
        start_on=start_on,
        labour_manager=clean_text(labour_manager, gettext("劳资专管员"), limit=40),
        labour_manager_phone=clean_text(labour_manager_phone, gettext("劳资专管员电话"), limit=20),
    )
    project.subcontractors.set(subcontractors or [])
    audit_record(
        actor=actor,
        action="wages.project.add",
        obj=project,
        area_path=project.area_path,
        after=snapshot(project, ["number", "name", "contract_value", "labour_share"]),
    )
    return project


def _may_change(actor: Any, project: Project) -> None:
    require(actor, "change", project, noun=gettext("在建项目"))


@transaction.atomic
def account_set(
    *, actor: Any, project: Project, bank: str, account_number: str, opened_on: dt.date
) -> WageAccount:
    """农民工工资专用账户 (Art. 26)."""
    bank = clean_text(bank, gettext("开户银行"), limit=80)
    number = clean_text(account_number, pgettext("bank", "账号"), limit=40).replace(" ", "")
    if not number.isdigit():
        raise ValidationFailed(gettext("账号应为数字"), code="invalid_account")
    _may_change(actor, project)
    audit_record(
        actor=actor,
        action="wages.project.account",
        obj=project,
        area_path=project.area_path,
        after={"bank": bank},
    )
    acc, _ = WageAccount.objects.update_or_create(
        project=project, defaults={"bank": bank, "account_number": number, "opened_on": opened_on}
    )
    return acc


@transaction.atomic
def deposit_add(
    *,
    actor: Any,
    project: Project,
    kind: str,
    amount: Any,
    bank: str,
    valid_until: dt.date | None = None,
) -> WageDeposit:
    """工资保证金 or a bank guarantee (Art. 32)."""
    if kind not in DepositKind.values:
        raise ValidationFailed(gettext("保证金形式无效"), code="invalid_kind")
    value = _decimal(amount, gettext("金额"))
    _may_change(actor, project)
    audit_record(
        actor=actor,
        action="wages.project.deposit",
        obj=project,
        area_path=project.area_path,
        after={"kind": kind, "amount": str(value)},
    )
    return WageDeposit.objects.create(
        project=project,
        kind=kind,
        amount=value,
        bank=clean_text(bank, gettext("银行"), limit=80),
        valid_until=valid_until,
    )


@transaction.atomic
def progress_set(*, actor: Any, project: Project, month: dt.date, percent: Any) -> Progress:
    value = _decimal(percent, gettext("累计进度"), high=Decimal(100))
    month = rules.month_start(month)
    _may_change(actor, project)
    audit_record(
        actor=actor,
        action="wages.project.progress",
        obj=project,
        area_path=project.area_path,
        after={"month": rules.ym(month), "percent": str(value)},
    )
    row, _ = Progress.objects.update_or_create(
        project=project, month=month, defaults={"percent": value}
    )
    return row


@transaction.atomic
def notice_board_set(*, actor: Any, project: Project, data: bytes, name: str) -> Project:
    """维权信息告示牌 (Art. 34): its photo, stored as the matters' attachments are."""
    from zhili.matters.attachments import attachment_store

    require(actor, "change", project, noun=gettext("在建项目"))
    project.notice_board = attachment_store(data=data, name=name or "告示牌.jpg")
    project.save(update_fields=["notice_board"])
    _may_change(actor, project)
    audit_record(
        actor=actor,
        action="wages.project.notice_board",
        obj=project,
        area_path=project.area_path,
        after={"file": name},
    )
    return project


@transaction.atomic
def complaint_link(*, actor: Any, project: Project, matter: Any) -> ProjectComplaint:
    """A matter about wage arrears (劳资纠纷/欠薪) linked to the project it is about."""
    if matter.category.code != WAGE_CATEGORY:
        raise ValidationFailed(gettext("只能关联“劳资纠纷/欠薪”类诉求"), code="wrong_category")
    require(actor, "view", matter, noun=gettext("诉求"))
    _may_change(actor, project)
    audit_record(
        actor=actor,
        action="wages.project.complaint",
        obj=project,
        area_path=project.area_path,
        after={"matter": matter.number},
    )
    row, _ = ProjectComplaint.objects.get_or_create(
        project=project,
        matter=matter,
        defaults={"matched_by": MatchedBy.MANUAL, "linked_at": timezone.now()},
    )
    return row


# -- complaints linked automatically ----------------------------------------------------------------

AUTOLINK_DAYS = 365
# A project number as residents write it: letters, digits and dashes ("XM2026001", "渝建-2026-01"
# is matched by its ASCII part only when the project's number is ASCII).
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{3,39}")
_MIN_NAME, _MIN_ADDRESS = 4, 5  # shorter names and addresses are too common to prove anything


def _district_of(path: str) -> str:
    return "/".join(path.split("/")[:2]) + "/"


def _squash(text: str) -> str:
    return "".join((text or "").split())


@dataclass
class _Site:
    pk: int
    number: str
    name: str
    address: str
    firms: tuple[str, ...]


def _match(text: str, address: str, sites: list[_Site], by_number: dict[str, int],
           firm_sites: dict[str, list[int]]) -> tuple[int, str] | None:  # fmt: skip
    """The one project a complaint is about, and how that was decided (None: not sure)."""
    numbers = {by_number[t] for t in (x.upper() for x in _TOKEN.findall(text)) if t in by_number}
    if len(numbers) == 1:
        return numbers.pop(), MatchedBy.NUMBER
    if numbers:
        return None  # two projects named: an officer decides
    named = {s.pk for s in sites if len(s.name) >= _MIN_NAME and _squash(s.name) in text}
    if len(named) == 1:
        return named.pop(), MatchedBy.NAME
    here = _squash(address)
    placed = {
        s.pk
        for s in sites
        if len(_squash(s.address)) >= _MIN_ADDRESS
        and (_squash(s.address) == here or _squash(s.address) in text)
    }
    if len(placed) == 1:
        return placed.pop(), MatchedBy.ADDRESS
    firms = {pk for f, pks in firm_sites.items() if f in text and len(pks) == 1 for pk in pks}
    if len(firms) == 1:
        return firms.pop(), MatchedBy.FIRM
    return None


@transaction.atomic
def complaints_autolink(
    *, today: dt.date, project_ids: list[int] | None = None
) -> list[ProjectComplaint]:
    """Link open wage complaints (matters of the 劳资纠纷/欠薪 category of the last year, not yet
    linked) to the project under construction they are about, when the text leaves no doubt: the
    project's number written anywhere in the city; else, within the matter's district, the
    project's name, or its address (the matter's address or text), or the name of its contractor
    or builder when that firm has one project under construction in the district. Two candidates
    at any step: no link (an officer links by hand on the project page). Runs before the rules
    (nightly and after an import), so the open-complaints rule counts them."""
    from zhili.core.system import system_user
    from zhili.matters.models import Matter

    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=AUTOLINK_DAYS),
                                                    dt.time.min))  # fmt: skip
    matters = list(
        Matter.objects.filter(category__code=WAGE_CATEGORY, created_at__gte=since)
        .exclude(status__in=rules.MATTER_DONE)
        .exclude(pk__in=ProjectComplaint.objects.values("matter_id"))
        .values("pk", "number", "title", "description", "address", "area_path")
    )
    if not matters:
        return []
    # Every project under construction makes the index (a name or firm is only proof when it is
    # unique among all of them); ``project_ids`` only limits which links are written.
    projects = Project.objects.filter(status=ProjectStatus.BUILDING)
    by_number: dict[str, int] = {}
    by_district: dict[str, list[_Site]] = {}
    firm_sites: dict[str, dict[str, list[int]]] = {}
    for row in projects.values(
        "pk", "number", "name", "address", "area_path", "contractor__name", "builder__name"
    ):
        by_number[row["number"].upper()] = row["pk"]
        d = _district_of(row["area_path"])
        site = _Site(row["pk"], row["number"], row["name"], row["address"],
                     (row["contractor__name"], row["builder__name"]))  # fmt: skip
        by_district.setdefault(d, []).append(site)
        for firm in {_squash(f) for f in site.firms if len(_squash(f)) >= _MIN_NAME}:
            firm_sites.setdefault(d, {}).setdefault(firm, []).append(row["pk"])
    actor, now, links = system_user(), timezone.now(), []
    for m in matters:
        d = _district_of(m["area_path"])
        text = _squash(f"{m['title']}\n{m['description']}\n{m['address']}")
        found = _match(text, m["address"], by_district.get(d, []), by_number,
                       firm_sites.get(d, {}))  # fmt: skip
        if found is None:
            continue
        pid, how = found
        if project_ids is not None and pid not in project_ids:
            continue
        links.append(ProjectComplaint(project_id=pid, matter_id=m["pk"], matched_by=how,
                                      linked_at=now))  # fmt: skip
        audit_record(
            actor=actor,
            action="wages.project.complaint_auto",
            object_type="wages.project",
            object_id=str(pid),
            object_repr=m["number"],
            area_path=m["area_path"],
            after={"matter": m["number"], "matched_by": how},
        )
    ProjectComplaint.objects.bulk_create(links, ignore_conflicts=True)
    return links


# -- imports ----------------------------------------------------------------------------------------


def _workers(id_numbers: set[str]) -> dict[str, int]:
    return dict(Worker.objects.filter(id_number__in=id_numbers).values_list("id_number", "pk"))


def _on_roster(project: Project, parsed: imports.Parsed) -> dict[str, int]:
    """The workers of the file, who must be on the project's roster (Art. 28: no one unregistered)."""
    ids = {r["id_number"] for _n, r in parsed.rows}
    rostered = dict(
        RosterEntry.objects.filter(project=project, worker__id_number__in=ids).values_list(
            "worker__id_number", "worker_id"
        )
    )
    for number, row in parsed.rows:
        if row["id_number"] not in rostered:
            parsed.error(
                number,
                gettext("身份证号 %(id_number)s 不在本项目实名制花名册中")
                % {"id_number": mask("id_number", row["id_number"])},
            )
    return rostered


def _write_roster(project: Project, parsed: imports.Parsed) -> None:
    firms = {f.name: f for f in [project.contractor, *project.subcontractors.all()]}
    for number, row in parsed.rows:
        if row["employer"] not in firms:
            parsed.error(
                number,
                gettext("用工单位“%(employer)s”不是本项目的总承包或分包单位")
                % {"employer": row["employer"]},
            )
    if parsed.errors:
        return
    Worker.objects.bulk_create(
        [
            Worker(
                id_number=r["id_number"],
                name=r["name"],
                phone=r["phone"],
                bank_account=r["bank_account"],
            )
            for _n, r in parsed.rows
        ],
        update_conflicts=True,
        unique_fields=["id_number"],
        update_fields=["name", "phone", "bank_account"],
        batch_size=2000,
    )
    ids = _workers({r["id_number"] for _n, r in parsed.rows})
    RosterEntry.objects.bulk_create(
        [
            RosterEntry(
                project=project,
                worker_id=ids[r["id_number"]],
                employer=firms[r["employer"]],
                trade=r["trade"],
                entered_on=r["entered_on"],
                left_on=r["left_on"],
            )
            for _n, r in parsed.rows
        ],
        update_conflicts=True,
        unique_fields=["project", "worker"],
        update_fields=["employer", "trade", "entered_on", "left_on"],
        batch_size=2000,
    )


def _write_monthly(project: Project, parsed: imports.Parsed) -> None:
    ids = _on_roster(project, parsed)
    if parsed.errors:
        return
    if parsed.kind == ImportKind.ATTENDANCE:
        Attendance.objects.bulk_create(
            [
                Attendance(
                    project=project, worker_id=ids[r["id_number"]], month=r["month"], days=r["days"]
                )
                for _n, r in parsed.rows
            ],
            update_conflicts=True,
            unique_fields=["project", "month", "worker"],
            update_fields=["days"],
            batch_size=2000,
        )
    elif parsed.kind == ImportKind.PAYTABLE:
        PayLine.objects.bulk_create(
            [
                PayLine(
                    project=project,
                    worker_id=ids[r["id_number"]],
                    month=r["month"],
                    amount=r["amount"],
                    signed=r["signed"],
                )
                for _n, r in parsed.rows
            ],
            update_conflicts=True,
            unique_fields=["project", "month", "worker"],
            update_fields=["amount", "signed"],
            batch_size=2000,
        )
    else:
        refs = {r["reference"] for _n, r in parsed.rows}
        known = set(
            BankPayment.objects.filter(project=project, reference__in=refs).values_list(
                "reference", flat=True
            )
        )
        for number, row in parsed.rows:
            if row["reference"] in known:
                parsed.error(
                    number,
                    gettext("银行流水号 %(reference)s 已导入过") % {"reference": row["reference"]},
                )
        if parsed.errors:
            return
        BankPayment.objects.bulk_create(
            [
                BankPayment(
                    project=project,
                    worker_id=ids[r["id_number"]],
                    month=r["month"],
                    amount=r["amount"],
                    paid_on=r["paid_on"],
                    reference=r["reference"],
                )
                for _n, r in parsed.rows
            ],
            batch_size=2000,
        )


def _write_labour(project: Project, parsed: imports.Parsed) -> None:
    refs = {r["reference"] for _n, r in parsed.rows}
    known = set(
        LabourDeposit.objects.filter(project=project, reference__in=refs).values_list(
            "reference", flat=True
        )
    )
    for number, row in parsed.rows:
        if row["reference"] in known:
            parsed.error(
                number,
                gettext("银行流水号 %(reference)s 已导入过") % {"reference": row["reference"]},
            )
    if parsed.errors:
        return
    LabourDeposit.objects.bulk_create(
        [
            LabourDeposit(
                project=project, amount=r["amount"], paid_on=r["paid_on"], reference=r["reference"]
            )
            for _n, r in parsed.rows
        ]
    )


def project_import(
    *,
    actor: Any,
    project: Project,
    kind: str,
    data: bytes,
    filename: str,
    today: dt.date | None = None,
) -> tuple[ImportBatch, bool]:
    """Import one file: all rows or none (a bad row refuses the file with every row's error);
    the same file twice imports once. Returns the batch and whether it was new; after a new
    import the rules run over the project."""
    require(actor, "import", project, noun=gettext("在建项目"))
    if kind not in ImportKind.values:
        raise ValidationFailed(gettext("导入类型无效"), code="invalid_kind")
    digest = hashlib.sha256(data or b"").hexdigest()
    done = ImportBatch.objects.filter(project=project, kind=kind, sha256=digest).first()
    if done is not None:
        return done, False
    parsed = imports.read(kind, data, filename)
    with transaction.atomic():
        if not parsed.errors:
            if kind == ImportKind.ROSTER:
                _write_roster(project, parsed)
            elif kind == ImportKind.LABOUR:
                _write_labour(project, parsed)
            else:
                _write_monthly(project, parsed)
        if parsed.errors:  # leaving the block by the exception undoes every row written
            raise ValidationFailed(
                gettext("文件有 %(count)s 处错误，未导入任何数据") % {"count": len(parsed.errors)},
                code="import_errors",
                detail={"errors": parsed.errors},
            )
        batch = ImportBatch.objects.create(
            project=project,
            kind=kind,
            sha256=digest,
            filename=filename[:200],
            rows=len(parsed.rows),
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="wages.import",
            obj=project,
            area_path=project.area_path,
            after={
                "kind": kind,
                "rows": len(parsed.rows),
                "file": filename[:200],
                "sha256": digest,
            },
        )
    warnings_run(today=today or timezone.localdate(), project_ids=[project.pk], propose=True)
    return batch, True


# -- personal data ---------------------------------------------------------------------------------


def roster_reveal(*, actor: Any, project: Project) -> list[dict[str, str]]:
    """The project's roster unmasked (ID numbers, cards, phones), one audit record."""
    rows = RosterEntry.objects.filter(project=project).select_related("worker").order_by("id")
    return reveal(
        actor=actor,
        obj=project,
        rows=[
            {
                "name": r.worker.name,
                "id_number": r.worker.id_number,
                "bank_account": r.worker.bank_account,
                "phone": r.worker.phone,
            }
            for r in rows
        ],
        what="实名制花名册",
    )


# -- the rules (edited by the city) ----------------------------------------------------------------


@transaction.atomic
def rule_update(
    *,
    actor: Any,
    rule: WageRule,
    severity: str,
    threshold: Any,
    red_above: Any = None,
    reason: str,
    enabled: bool,
) -> WageRule:
    if not can(actor, "change", WageRule, root_path()):
        raise PermissionDenied(gettext("只有市级管理员可以修改预警规则"))
    if severity not in Severity.values:
        raise ValidationFailed(gettext("预警等级无效"), code="invalid_severity")
    before = snapshot(rule, ["severity", "threshold", "red_above", "reason", "enabled"])
    rule.severity = severity
    rule.threshold = _decimal(threshold, gettext("阈值"))
    rule.red_above = None if red_above in (None, "") else _decimal(red_above, gettext("红色阈值"))
    rule.reason = clean_text(reason, gettext("预警理由"), limit=300)
    rule.enabled = bool(enabled)
    rule.save()
    rule.refresh_from_db()
    after = snapshot(rule, ["severity", "threshold", "red_above", "reason", "enabled"])
    audit_record(actor=actor, action="wages.rule.change", obj=rule, before=before, after=after)
    return rule


# -- the local minimum wage (edited by the city) --------------------------------------------------

MINIMUM_FIELDS = ["area_code", "monthly", "effective_from", "tier", "source"]


@transaction.atomic
def minimum_wage_set(
    *,
    actor: Any,
    area: Area | None,
    monthly: Any,
    effective_from: dt.date,
    source: str,
    tier: str = "",
) -> MinimumWage:
    """The monthly minimum wage of a district (or the whole city) from a date: a new notice is a
    new row; the same area and date corrects the row. The below-minimum rule uses the row of the
    project's deepest area in force on the day it runs."""
    if not can(actor, "change", MinimumWage, root_path()):
        raise PermissionDenied("只有市级管理员可以修改最低工资标准")
    if (
        area is None
        or not area.is_current
        or area.level
        not in (
            AreaLevel.CITY,
            AreaLevel.DISTRICT,
        )
    ):
        raise ValidationFailed(
            gettext("最低工资标准按全市或区县设定，请填写现行的区县代码"), code="place"
        )
    value = _decimal(monthly, "月最低工资", low=Decimal(1), high=Decimal(100000))
    text = clean_text(source, "依据（文件名称与文号）", limit=200)
    label = clean_text(tier, "档次", limit=40, required=False)
    row = (
        MinimumWage.objects.select_for_update()
        .filter(area_path=area.path, effective_from=effective_from)
        .first()
    )
    before = snapshot(row, MINIMUM_FIELDS) if row else None
    if row is None:
        row = MinimumWage(area_code=area.code, area_path=area.path, effective_from=effective_from)
    row.monthly, row.source, row.tier = value, text, label
    row.save()
    row.refresh_from_db()
    if before:
        audit_record(
            actor=actor,
            action="wages.minimum.change",
            obj=row,
            before=before,
            after=snapshot(row, MINIMUM_FIELDS),
        )
    else:
        audit_record(
            actor=actor,
            action="wages.minimum.add",
            obj=row,
            before=before,
            after=snapshot(row, MINIMUM_FIELDS),
        )
    return row


# -- the run: findings -> warnings -> risks --------------------------------------------------------


def _key(f: rules.Finding) -> str:
    return f"{f.project_id}:{f.rule}:{f.period:%Y-%m}"


@transaction.atomic
def warnings_run(
    *, today: dt.date, project_ids: list[int] | None = None, propose: bool = True
) -> list[Warning]:
    """Evaluate the rules and queue what they find: a new finding is a new warning (with its
    ``raise`` event); a known one is refreshed (last seen, figures, severity raised to red, never
    lowered); a closed one stays closed. Red warnings propose risks. Returns the new warnings."""
    from zhili.core.system import system_user

    complaints_autolink(today=today, project_ids=project_ids)
    found = rules.evaluate(today=today, project_ids=project_ids)
    by_key = {_key(f): f for f in found}
    known = {w.key: w for w in Warning.objects.filter(key__in=list(by_key))}
    reasons = dict(WageRule.objects.values_list("code", "reason"))
    paths = dict(
        Project.objects.filter(pk__in={f.project_id for f in found}).values_list("pk", "area_path")
    )
    now = timezone.now()
    fresh = [
        Warning(
            project_id=f.project_id,
            rule=f.rule,
            period=f.period,
            key=k,
            severity=f.severity,
            reason=reasons.get(f.rule, "")[:300],
            evidence={"summary": f.summary, **f.evidence},
            area_path=paths[f.project_id],
            raised_at=now,
            last_seen=today,
        )
        for k, f in by_key.items()
        if k not in known
    ]
    Warning.objects.bulk_create(fresh, batch_size=2000)
    fresh = list(Warning.objects.filter(key__in=[w.key for w in fresh]))
    actor = system_user()
    WarningEvent.objects.bulk_create(
        [
            WarningEvent(
                warning=w,
                action="raise",
                from_status="",
                to_status=w.status,
                actor=actor,
                actor_name=actor.username,
                at=now,
                data={"summary": w.evidence["summary"]},
            )
            for w in fresh
        ],
        batch_size=2000,
    )
    refreshed = []
    for k, w in known.items():
        if w.status == WarningStatus.CLOSED:
            continue
        f = by_key[k]
        w.last_seen = today
        w.evidence = {"summary": f.summary, **f.evidence}
        if f.severity == Severity.RED:
            w.severity = Severity.RED
        refreshed.append(w)
    Warning.objects.bulk_update(refreshed, ["last_seen", "evidence", "severity"], batch_size=2000)
    audit_record(
        actor=actor,
        action="wages.run",
        object_type="wages.warning",
        object_repr="欠薪预警规则",
        after={"warnings": len(fresh), "projects": len(project_ids) if project_ids else None},
    )
    if propose:
        risks_propose(
            warnings=[
                w for w in [*fresh, *refreshed] if w.severity == Severity.RED and not w.candidate_id
            ]
        )
    return fresh


def _rule_name(w: Warning) -> str:
    """The rule's name as stored in the risk register: Chinese whatever the request's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(w.get_rule_display())


def _risk_description(w: Warning) -> str:
    return (
        f"{w.project.name}（{w.project.number}）触发欠薪预警“{_rule_name(w)}”。\n"
        f"预警理由：{w.reason}\n依据：{w.evidence.get('summary', '')}\n"
        f"施工总承包单位：{w.project.contractor.name}；建设单位：{w.project.builder.name}"
    )


def _evidence_line(w: Warning) -> str:
    return f"{_rule_name(w)}（{w.period:%Y-%m}）：{w.evidence.get('summary', '')}"


def _open_complaints(project_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for pid, mid in (
        ProjectComplaint.objects.filter(project_id__in=project_ids)
        .exclude(matter__status__in=rules.MATTER_DONE)
        .values_list("project_id", "matter_id")
    ):
        found.setdefault(pid, []).append(mid)
    return found


def _candidate_evidence(w: Warning, more: list[str]) -> dict[str, Any]:
    """What the register needs to judge the candidate, and the form's fields filled from the
    project: the labour manager is the person (见人), the rule and its figures the matter (见事),
    the project's street and address the place (见地点)."""
    p = w.project
    return {
        "summary": f"{p.name}（{p.number}）{_evidence_line(w)}",
        "items": more,
        "project": p.number,
        "rule": w.rule,
        "period": f"{w.period:%Y-%m}",
        "reason": w.reason,
        "figures": {k: v for k, v in w.evidence.items() if k != "summary"},
        "links": [{"label": f"欠薪预警 #{w.pk}", "url": f"/wages/warnings/{w.pk}/"}],
        "prefill": {
            "title": f"欠薪预警：{p.name}"[:120],
            "description": _risk_description(w),
            "category": "labour",
            "source": "wage",
            "area_code": p.area.code,
            "address": p.address,
            "person_name": p.labour_manager,
            "person_phone": p.labour_manager_phone,
            "organisation": p.contractor.name,
            "place": p.name,
        },
    }


def risks_propose(*, warnings: list[Warning]) -> list[Any]:
    """A red warning proposes a risk (source 欠薪预警) as a candidate in the risk register's
    candidates queue (``risks.services.candidate_propose``), with the warning's evidence and the
    project's open wage complaints attached; an officer of the project's district or street
    registers it (the form filled from the evidence) or dismisses it — nothing is registered
    silently. One candidate per project while it waits or its risk is open: later red warnings of
    the project join it as more evidence. A handful of queries per project, not per warning.
    Returns the new candidates."""
    from zhili.core.system import system_user
    from zhili.risks.models import CandidateKind, CandidateStatus, RiskCandidate
    from zhili.risks.models import Status as RiskStatus
    from zhili.risks.services import candidate_evidence_add, candidate_propose

    if not warnings:
        return []
    by_project: dict[int, list[Warning]] = {}
    for w in (
        Warning.objects.filter(pk__in=[w.pk for w in warnings])
        .select_related("project__area", "project__contractor", "project__builder")
        .order_by("pk")
    ):
        by_project.setdefault(w.project_id, []).append(w)
    pending = dict(
        Warning.objects.filter(project_id__in=list(by_project), candidate__isnull=False)
        .filter(
            Q(candidate__status=CandidateStatus.PROPOSED)
            | Q(
                candidate__status=CandidateStatus.REGISTERED,
                candidate__risk__status=RiskStatus.OPEN,
            )
        )
        .values_list("project_id", "candidate_id")
    )
    waiting = RiskCandidate.objects.in_bulk(list(pending.values()))
    complaints = _open_complaints(list(by_project))
    actor, now = system_user(), timezone.now()
    made, events = [], []
    for pid, ws in by_project.items():
        lines = [_evidence_line(w) for w in ws]
        if pid in pending:
            cand = candidate_evidence_add(
                candidate=waiting[pending[pid]], items=lines, matter_ids=complaints.get(pid)
            )
        else:
            first = ws[0]
            cand, created = candidate_propose(
                key=f"wage:{pid}:{first.pk}",
                kind=CandidateKind.WAGE_WARNING,
                area=first.project.area,
                title=f"{first.project.name}：{_rule_name(first)}（{first.period:%Y-%m}）",
                evidence=_candidate_evidence(first, lines[1:]),
                matter_ids=complaints.get(pid),
            )
            if created:
                made.append(cand)
        Warning.objects.filter(pk__in=[w.pk for w in ws]).update(candidate=cand)
        events += [
            WarningEvent(
                warning=w,
                action="propose_risk",
                from_status=w.status,
                to_status=w.status,
                actor=actor,
                actor_name=actor.username,
                at=now,
                data={"candidate": cand.title},
            )
            for w in ws
        ]
    WarningEvent.objects.bulk_create(events, batch_size=2000)
    return made


# -- the queue ----------------------------------------------------------------------------------------


@transaction.atomic
def warning_assign(
    *, actor: Any, warning: Warning, assignee: Any, version: int | None = None
) -> Warning:
    def apply(w: Warning, now: dt.datetime) -> None:
        if not assignee or not can(assignee, "view", Warning, w.area_path):
            raise ValidationFailed(
                gettext("处置人须能查看该预警（本区县或本街道的工作人员）"), code="invalid_assignee"
            )
        w.assignee = assignee

    name = getattr(assignee, "display_name", "") or getattr(assignee, "username", "")
    return WORKFLOW.transition(
        actor=actor,
        obj=warning,
        action="assign",
        apply=apply,
        version=version,
        data={"assignee": getattr(assignee, "pk", None), "assignee_name": name},
    )


@transaction.atomic
def warning_close(
    *, actor: Any, warning: Warning, note: str, version: int | None = None
) -> Warning:
    text = clean_text(note, gettext("办结情况"), limit=2000)

    def apply(w: Warning, now: dt.datetime) -> None:
        w.closed_at = now

    return WORKFLOW.transition(
        actor=actor, obj=warning, action="close", apply=apply, version=version, note=text
    )


@transaction.atomic
def warning_reopen(
    *, actor: Any, warning: Warning, note: str, version: int | None = None
) -> Warning:
    text = clean_text(note, gettext("重新打开理由"), limit=2000)

    def apply(w: Warning, now: dt.datetime) -> None:
        w.closed_at = None

    return WORKFLOW.transition(
        actor=actor, obj=warning, action="reopen", apply=apply, version=version, note=text
    )


# -- interviews and the blacklist --------------------------------------------------------------------


@transaction.atomic
def interview_record(
    *,
    actor: Any,
    area: Area | None,
    held_on: dt.date,
    interviewees: str,
    record: str,
    firm: Firm | None = None,
    project: Project | None = None,
) -> Interview:
    """约谈: officials of a place (or a firm's managers) summoned over arrears, with the record."""
    if area is None:
        raise ValidationFailed(gettext("请选择被约谈地区"), code="place_required")
    require_at(actor, "add", Interview, area.path, noun=gettext("约谈记录"))
    if project is not None:
        require(actor, "view", project, noun=gettext("在建项目"))
    row = Interview.objects.create(
        area=area,
        area_path=area.path,
        firm=firm,
        project=project,
        held_on=held_on,
        interviewees=clean_text(interviewees, gettext("被约谈人"), limit=200),
        record=clean_text(record, gettext("约谈记录"), limit=10000),
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="wages.interview.add",
        obj=row,
        area_path=area.path,
        after={"firm": firm.name if firm else ""},
    )
    return row


def add_years(day: dt.date, n: int) -> dt.date:
    try:
        return day.replace(year=day.year + n)
    except ValueError:  # 29 February
        return day.replace(year=day.year + n, day=28)


@transaction.atomic
def blacklist_add(
    *,
    actor: Any,
    firm: Firm,
    area: Area | None,
    reason: str,
    arrears: Any,
    listed_on: dt.date,
    project: Project | None = None,
) -> BlacklistEntry:
    """Listed for three years (Art. 48)."""
    if area is None:
        raise ValidationFailed(gettext("请选择作出决定的地区"), code="place_required")
    if not can(actor, "add", BlacklistEntry, area.path):
        raise PermissionDenied(gettext("没有在该地区列入失信名单的权限"))
    if BlacklistEntry.objects.filter(
        firm=firm, removed_on__isnull=True, expires_on__gt=listed_on
    ).exists():
        raise Conflict(gettext("该企业已在失信名单中"), code="already_listed")
    entry = BlacklistEntry.objects.create(
        firm=firm,
        project=project,
        area=area,
        area_path=area.path,
        reason=clean_text(reason, gettext("列入事由"), limit=300),
        arrears=_decimal(arrears, gettext("拖欠金额")),
        listed_on=listed_on,
        expires_on=add_years(listed_on, BLACKLIST_YEARS),
        actor=actor,
    )
    audit_record(
        actor=actor,
        action="wages.blacklist.add",
        obj=entry,
        area_path=area.path,
        after={"firm": firm.name, "reason": entry.reason},
    )
    return entry


def early_removal_refusal(
    entry: BlacklistEntry, *, rectified_on: dt.date | None, committed: bool, today: dt.date
) -> str | None:
    """Why the entry may not leave the list early yet (None: it may)."""
    if rectified_on is None:
        return gettext("拖欠的农民工工资尚未全部清偿，不能提前移出")
    if not committed:
        return gettext("须作出不再拖欠农民工工资的书面信用承诺")
    first = rules.add_months(rules.month_start(rectified_on), EARLY_REMOVAL_MONTHS)
    earliest = first.replace(day=min(rectified_on.day, rules.month_end(first).day))
    if today < earliest:
        return gettext("自改正之日起满 %(months)s 个月（%(earliest)s 起）方可申请提前移出") % {
            "months": EARLY_REMOVAL_MONTHS,
            "earliest": earliest,
        }
    return None


@transaction.atomic
def blacklist_remove_early(
    *,
    actor: Any,
    entry: BlacklistEntry,
    rectified_on: dt.date | None,
    committed: bool,
    today: dt.date | None = None,
) -> BlacklistEntry:
    today = today or timezone.localdate()
    if not can(actor, "change", BlacklistEntry, entry.area_path):
        raise PermissionDenied(gettext("只有作出列入决定的地区可以移出"))
    entry = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.removed_on or entry.expires_on <= today:
        raise Conflict(gettext("该企业已不在失信名单中"), code="not_listed")
    refusal = early_removal_refusal(
        entry, rectified_on=rectified_on, committed=committed, today=today
    )
    if refusal:
        raise ValidationFailed(refusal, code="early_removal_refused")
    entry.rectified_on, entry.removed_on = rectified_on, today
    entry.removal_reason = "已改正拖欠行为并作出信用承诺，提前移出"
    entry.save()
    audit_record(
        actor=actor,
        action="wages.blacklist.remove",
        obj=entry,
        area_path=entry.area_path,
        after={"reason": entry.removal_reason},
    )
    return entry


def firm_by_code(code: str) -> Firm:
    firm = Firm.objects.filter(credit_code=(code or "").strip().upper()).first()
    if firm is None:
        raise NotFound(gettext("未找到该统一社会信用代码的企业"), code="firm_not_found")
    return firm

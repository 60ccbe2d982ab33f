"""Every write of 四议两公开 and 一事一议 (DOMAIN.md §7).

A step of either is a ``transition`` of its rules table (``workflow.py``): lock, 404 out of scope,
409 on a stale version or a wrong state, 403 without the right or when a guard refuses (a legal
review still due), 422 when the meeting's counts fail the quorum or majority rules
(``check_input``), then the step row, the event and the audit record, in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhili.areas.models import Area
from zhili.areas.models import Level as AreaLevel
from zhili.core.errors import ValidationFailed
from zhili.core.scoping import require_at
from zhili.core.validation import clean_text, next_in_sequence
from zhili.core.workdays import add_workdays
from zhili.deliberation import rules
from zhili.deliberation.models import (
    Assembly,
    Cap,
    Contribution,
    Deliberation,
    DeliberationCounter,
    LedgerEntry,
    LedgerKind,
    Project,
    ProjectCounter,
    Proposer,
    Purpose,
    Stage,
    Step,
    cap_for,
)
from zhili.deliberation.workflow import PROJECTS, STAGE_OF, WORKFLOW

# Assumed defaults (configurable by settings; docs/deliberation.md says where they come from).
PUBLICITY_MIN_DAYS = int(getattr(settings, "ZHILI_PUBLICITY_MIN_DAYS", 7))
NOTICE_MIN_DAYS = int(getattr(settings, "ZHILI_YISHI_NOTICE_MIN_DAYS", 7))
REPLY_WORKDAYS = 7
MAX_SIGNATURE_BYTES = int(getattr(settings, "ZHILI_SIGNATURE_MAX_BYTES", 10 * 1024 * 1024))
MEETINGS = {Stage.PARTY, Stage.DECISION}
PUBLICITY = {Stage.RESOLUTION, Stage.RESULT}


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def _community(area: Area | None) -> Area:
    if area is None or not area.is_current or area.level != AreaLevel.COMMUNITY:
        raise ValidationFailed(gettext("请选择村或社区"), code="community_required")
    return area


def _number(counter: Any, prefix: str, now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    return f"{prefix}{year}{next_in_sequence(counter, year=year):06d}"


def _signatures(upload: Upload | None) -> tuple[ContentFile | None, str]:
    """A scanned signature sheet: PDF or an image, judged by its bytes."""
    from zhili.matters.attachments import EXTENSIONS, sniff

    if upload is None or not upload.data:
        return None, ""
    if len(upload.data) > MAX_SIGNATURE_BYTES:
        raise ValidationFailed(
            gettext("签字材料不能超过 %(mb)s MB") % {"mb": MAX_SIGNATURE_BYTES // (1024 * 1024)},
            code="too_large",
        )
    kind = sniff(upload.data)
    if kind is None:
        raise ValidationFailed(gettext("签字材料须为 PDF 或 JPG、PNG、WebP 图片"), code="bad_file")
    digest = hashlib.sha256(upload.data).hexdigest()
    return ContentFile(upload.data, name=f"{digest}.{EXTENSIONS[kind]}"), upload.name[:200]


# 四议两公开 ------------------------------------------------------------------------------------


@transaction.atomic
def deliberation_create(
    *,
    actor: Any,
    area: Area | None,
    title: str,
    content: str,
    merged_posts: bool = False,
    review_before: str = "",
) -> Deliberation:
    area = _community(area)
    require_at(actor, "add", Deliberation, area.path, noun=gettext("四议两公开事项"))
    if review_before and review_before not in Stage.values:
        raise ValidationFailed(gettext("法律审查的步骤无效"), code="invalid_stage")
    now = timezone.now()
    d = Deliberation.objects.create(
        number=_number(DeliberationCounter, "SY", now),
        title=clean_text(title, gettext("事项名称"), limit=200),
        content=clean_text(content, gettext("事项内容"), limit=8000),
        area=area,
        area_path=area.path,
        merged_posts=bool(merged_posts),
        review_before=review_before or "",
        created_by=actor,
    )
    WORKFLOW.record(actor=actor, obj=d, action="create", before="", at=now)
    return d


@dataclass(frozen=True)
class StepInput:
    """What the secretary records for a step (counts only for the meetings)."""

    held_on: dt.date
    text: str
    due: int = 0
    present: int = 0
    votes_for: int = 0
    votes_against: int = 0
    abstain: int = 0
    households_due: int = 0
    households_present: int = 0
    assembly: str = ""
    witness: Any = None
    public_from: dt.date | None = None
    public_until: dt.date | None = None
    signatures: Upload | None = None

    @property
    def tally(self) -> rules.Tally:
        return rules.Tally(
            due=self.due,
            present=self.present,
            votes_for=self.votes_for,
            votes_against=self.votes_against,
            abstain=self.abstain,
            households_due=self.households_due,
            households_present=self.households_present,
        )


def _publicity_window(i: StepInput) -> None:
    if i.public_from is None or i.public_until is None:
        raise ValidationFailed(gettext("请填写公开起止日期"), code="window_required")
    if i.public_until < i.public_from:
        raise ValidationFailed(gettext("公开结束日期不能早于开始日期"), code="window_reversed")
    if (i.public_until - i.public_from).days + 1 < PUBLICITY_MIN_DAYS:
        raise ValidationFailed(
            gettext("公开期不少于 %(days)s 天") % {"days": PUBLICITY_MIN_DAYS},
            code="window_short",
        )


@transaction.atomic
def step_record(
    *,
    actor: Any,
    deliberation: Deliberation,
    action: str,
    step: StepInput,
    version: int | None = None,
) -> Deliberation:
    """Record one step; it passes only if its meeting meets the rules (the workflow's check)."""
    if action not in STAGE_OF:
        raise ValidationFailed(
            gettext("未知的步骤 %(action)s") % {"action": action}, code="unknown_action"
        )
    stage = STAGE_OF[action]
    text = clean_text(step.text, gettext("内容"), limit=8000)
    if step.held_on > timezone.localdate():
        raise ValidationFailed(gettext("日期不能晚于今天"), code="future")
    last = deliberation.steps.order_by("-held_on").values_list("held_on", flat=True).first()
    if last is not None and step.held_on < last:  # the steps are held in their order
        raise ValidationFailed(
            gettext("日期不能早于上一步的日期（%(day)s）") % {"day": last.isoformat()},
            code="before_previous_step",
        )
    if stage in PUBLICITY:
        _publicity_window(step)
    facts: Any = None
    if stage == Stage.PARTY:
        facts = step.tally
    elif stage == Stage.DECISION:
        facts = (step.tally, step.assembly, step.witness)
    elif stage not in PUBLICITY:
        wrong = rules.consistent(step.tally, voting=True) if step.due else None
        if wrong:
            raise ValidationFailed(wrong, code="inconsistent")
    if stage in MEETINGS and not (step.signatures and step.signatures.data):
        raise ValidationFailed(
            gettext("请上传签到和表决签字材料扫描件"), code="signatures_required"
        )
    stored, original = _signatures(step.signatures)

    def apply(d: Deliberation, now: dt.datetime) -> None:
        row = Step(
            deliberation=d,
            area_path=d.area_path,
            stage=stage,
            assembly=step.assembly if stage == Stage.DECISION else "",
            held_on=step.held_on,
            due=step.due,
            present=step.present,
            households_due=step.households_due,
            households_present=step.households_present,
            votes_for=step.votes_for,
            votes_against=step.votes_against,
            abstain=step.abstain,
            text=text,
            witness=step.witness if stage == Stage.DECISION else None,
            public_from=step.public_from if stage in PUBLICITY else None,
            public_until=step.public_until if stage in PUBLICITY else None,
            signatures_name=original,
            recorded_by=actor,
        )
        if stored is not None:
            row.signatures.save(stored.name or "signatures", stored, save=False)
        row.save()

    data: dict[str, Any] = {"held_on": step.held_on.isoformat()}
    if stage in MEETINGS or step.due:
        data.update(
            due=step.due,
            present=step.present,
            votes_for=step.votes_for,
            votes_against=step.votes_against,
            abstain=step.abstain,
        )
    if stage == Stage.DECISION:
        data["assembly"] = step.assembly
        data["witness_name"] = getattr(step.witness, "display_name", "") or ""
    if stage in PUBLICITY:
        data.update(public_from=str(step.public_from), public_until=str(step.public_until))
    return WORKFLOW.transition(
        actor=actor,
        obj=deliberation,
        action=action,
        apply=apply,
        data=data,
        version=version,
        facts=facts,
    )


@transaction.atomic
def deliberation_withdraw(
    *, actor: Any, deliberation: Deliberation, reason: str, version: int | None = None
) -> Deliberation:
    note = clean_text(reason, gettext("终止原因"), limit=500)
    return WORKFLOW.transition(
        actor=actor, obj=deliberation, action="withdraw", note=note, version=version
    )


@transaction.atomic
def deliberation_request_review(*, actor: Any, deliberation: Deliberation, question: str) -> Any:
    """送法律顾问审查 (the village's adviser, ``zhili.legal``)."""
    from zhili.core.scoping import require
    from zhili.legal.services import review_request

    require(actor, "record", deliberation, noun=gettext("四议两公开事项"))
    return review_request(
        actor=actor,
        subject=deliberation,
        area=deliberation.area,
        title=deliberation.title,
        question=question,
    )


# 一事一议 ---------------------------------------------------------------------------------------


def _decimal(value: Any, label: str) -> Decimal:
    try:
        out = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation as exc:
        raise ValidationFailed(
            gettext("%(label)s须为数字") % {"label": label}, code="invalid_number"
        ) from exc
    if out < 0 or not out.is_finite():
        raise ValidationFailed(
            gettext("%(label)s不能为负数") % {"label": label}, code="invalid_number"
        )
    return out


def _cap(project: Project) -> Any:
    cap = cap_for(project)
    if cap is None:
        raise ValidationFailed(
            gettext("%(year)s 年的筹资筹劳上限尚未设置，请市、区县先录入上限")
            % {"year": project.year},
            code="cap_missing",
        )
    return cap


@transaction.atomic
def project_create(
    *,
    actor: Any,
    area: Area | None,
    title: str,
    purpose: str,
    description: str,
    proposer: str,
    villagers: int,
    budget: Any,
    money_per_person: Any = 0,
    labour_per_person: Any = 0,
    signers: int = 0,
    representatives: int = 0,
    year: int | None = None,
) -> Project:
    area = _community(area)
    require_at(actor, "add", Project, area.path, noun=gettext("一事一议项目"))
    if purpose not in Purpose.values:
        raise ValidationFailed(gettext("项目类别无效"), code="invalid_purpose")
    if proposer not in Proposer.values:
        raise ValidationFailed(gettext("提议方式无效"), code="invalid_proposer")
    if villagers <= 0:
        raise ValidationFailed(gettext("请填写村民总数"), code="villagers_required")
    total = representatives if proposer == Proposer.REPRESENTATIVES else villagers
    refused = rules.proposal_threshold(proposer, signers, total)
    if refused:
        raise ValidationFailed(refused, code="threshold")
    now = timezone.now()
    p = Project(
        number="",
        title=clean_text(title, gettext("项目名称"), limit=200),
        purpose=purpose,
        description=clean_text(description, gettext("建设内容"), limit=8000),
        area=area,
        area_path=area.path,
        year=year or timezone.localdate().year,
        proposer=proposer,
        signers=signers if proposer != Proposer.COMMITTEE else 0,
        villagers=villagers,
        representatives=representatives,
        budget=_decimal(budget, gettext("项目预算")),
        money_per_person=_decimal(money_per_person, gettext("每人筹资")),
        labour_per_person=_decimal(labour_per_person, gettext("每人筹劳")),
        created_by=actor,
    )
    cap = _cap(p)
    if p.money_per_person > cap.money:
        raise ValidationFailed(
            gettext("每人筹资 %(money_per_person)s 元超过上限 %(money)s 元")
            % {"money_per_person": p.money_per_person, "money": cap.money},
            code="over_cap",
        )
    if p.labour_per_person > cap.labour_days:
        raise ValidationFailed(
            gettext("每人筹劳 %(labour_per_person)s 个工日超过上限 %(labour_days)s 个工日")
            % {"labour_per_person": p.labour_per_person, "labour_days": cap.labour_days},
            code="over_cap",
        )
    p.number = _number(ProjectCounter, "YS", now)
    p.save()
    PROJECTS.record(
        actor=actor,
        obj=p,
        action="create",
        before="",
        at=now,
        data={"proposer": proposer, "signers": p.signers},
    )
    return p


@transaction.atomic
def project_notice(
    *,
    actor: Any,
    project: Project,
    notice_from: dt.date,
    notice_until: dt.date,
    version: int | None = None,
) -> Project:
    if (notice_until - notice_from).days + 1 < NOTICE_MIN_DAYS:
        raise ValidationFailed(
            gettext("公告期不少于 %(days)s 天") % {"days": NOTICE_MIN_DAYS},
            code="window_short",
        )

    def apply(p: Project, now: dt.datetime) -> None:
        p.notice_from, p.notice_until = notice_from, notice_until

    return PROJECTS.transition(
        actor=actor,
        obj=project,
        action="notice",
        apply=apply,
        version=version,
        data={"public_from": str(notice_from), "public_until": str(notice_until)},
    )


@transaction.atomic
def project_canvass(
    *,
    actor: Any,
    project: Project,
    households: int,
    canvassed: int,
    agree: int,
    version: int | None = None,
) -> Project:
    if not 0 <= agree <= canvassed <= households or households <= 0:
        raise ValidationFailed(
            gettext("户数不合理：同意户数 ≤ 征求户数 ≤ 总户数，总户数须大于 0"), code="inconsistent"
        )

    def apply(p: Project, now: dt.datetime) -> None:
        p.households, p.households_canvassed, p.households_agree = households, canvassed, agree

    return PROJECTS.transition(
        actor=actor,
        obj=project,
        action="canvass",
        apply=apply,
        version=version,
        data={"households": households, "canvassed": canvassed, "agree": agree},
    )


@transaction.atomic
def project_vote(
    *,
    actor: Any,
    project: Project,
    assembly: str,
    tally: rules.Tally,
    held_on: dt.date,
    note: str = "",
    version: int | None = None,
) -> Project:
    if assembly not in Assembly.values:
        raise ValidationFailed(gettext("请选择村民会议或村民代表会议"), code="assembly_required")
    return PROJECTS.transition(
        actor=actor,
        obj=project,
        action="vote",
        version=version,
        facts=(tally, assembly),
        note=note,
        data={
            "held_on": held_on.isoformat(),
            "assembly": assembly,
            "due": tally.due,
            "present": tally.present,
            "votes_for": tally.votes_for,
            "votes_against": tally.votes_against,
            "abstain": tally.abstain,
        },
    )


@transaction.atomic
def project_township(
    *,
    actor: Any,
    project: Project,
    approve: bool,
    note: str = "",
    at: dt.datetime | None = None,
    version: int | None = None,
) -> Project:
    """乡镇审核: approved, it goes to the county, which replies within 7 working days."""
    now = at or timezone.now()
    if approve:
        due = add_workdays(now, REPLY_WORKDAYS)

        def apply(p: Project, _now: dt.datetime) -> None:
            p.submitted_at, p.reply_due = now, due

        return PROJECTS.transition(
            actor=actor,
            obj=project,
            action="approve_township",
            apply=apply,
            note=note,
            version=version,
            at=now,
            data={"reply_due": due.isoformat()},
        )
    return PROJECTS.transition(
        actor=actor,
        obj=project,
        action="return_township",
        note=clean_text(note, gettext("退回理由"), limit=500),
        version=version,
        at=now,
    )


@transaction.atomic
def project_reply(
    *,
    actor: Any,
    project: Project,
    approved: bool,
    note: str = "",
    at: dt.datetime | None = None,
    version: int | None = None,
) -> Project:
    now = at or timezone.now()

    def apply(p: Project, _now: dt.datetime) -> str:
        p.replied_at = now
        return "approved" if approved else "rejected"

    late = bool(project.reply_due and now > project.reply_due)
    return PROJECTS.transition(
        actor=actor,
        obj=project,
        action="reply",
        apply=apply,
        note=note,
        version=version,
        at=now,
        data={"approved": approved, "late": late},
    )


@transaction.atomic
def contribution_add(
    *,
    actor: Any,
    project: Project,
    household: str,
    persons: int,
    on: dt.date,
    money: Any = 0,
    labour_days: Any = 0,
    exempt_reason: str = "",
    phone: str = "",
    version: int | None = None,
) -> Contribution:
    """One household's money or labour (or its exemption), within the cap per person."""
    name = clean_text(household, gettext("户主姓名"), limit=50)
    if "*" in name or "*" in (phone or ""):
        raise ValidationFailed(
            gettext("姓名或电话含“*”，像是打码显示的值：请填写完整"), code="masked_value"
        )
    if persons <= 0:
        raise ValidationFailed(gettext("应筹人数须大于 0"), code="persons_required")
    amount, days = _decimal(money, gettext("筹资金额")), _decimal(labour_days, gettext("筹劳工日"))
    reason = (exempt_reason or "").strip()[:100]
    if reason and (amount or days):
        raise ValidationFailed(gettext("减免的户不筹资筹劳"), code="exempt_contributes")
    if not reason and not (amount or days):
        raise ValidationFailed(gettext("请填写筹资金额或筹劳工日，或减免原因"), code="empty")
    cap = _cap(project)
    earlier = Contribution.objects.filter(project=project, household=name)
    total_money = amount + sum((c.money for c in earlier), Decimal(0))
    total_days = days + sum((c.labour_days for c in earlier), Decimal(0))
    if total_money > cap.money * persons:
        raise ValidationFailed(
            gettext(
                "%(name)s户 %(persons)s 人，筹资合计 %(total_money)s 元超过上限（每人 %(money)s 元，共 %(cap)s 元）"
            )
            % {
                "name": name,
                "persons": persons,
                "total_money": total_money,
                "money": cap.money,
                "cap": cap.money * persons,
            },
            code="over_cap",
        )
    if total_days > cap.labour_days * persons:
        raise ValidationFailed(
            gettext(
                "%(name)s户 %(persons)s 人，筹劳合计 %(total_days)s 个工日超过上限（每人 %(labour_days)s 个工日，共 %(cap)s 个工日）"
            )
            % {
                "name": name,
                "persons": persons,
                "total_days": total_days,
                "labour_days": cap.labour_days,
                "cap": cap.labour_days * persons,
            },
            code="over_cap",
        )
    made: list[Contribution] = []

    def apply(p: Project, now: dt.datetime) -> None:
        made.append(
            Contribution.objects.create(
                project=p,
                area_path=p.area_path,
                household=name,
                phone=(phone or "").strip()[:32],
                persons=persons,
                money=amount,
                labour_days=days,
                exempt_reason=reason,
                on=on,
                recorded_by=actor,
            )
        )

    PROJECTS.transition(
        actor=actor,
        obj=project,
        action="contribute",
        apply=apply,
        version=version,
        data={
            "households": 1,
            "money": str(amount),
            "labour_days": str(days),
            "exempt": bool(reason),
        },
    )
    return made[0]


@transaction.atomic
def ledger_add(
    *,
    actor: Any,
    project: Project,
    kind: str,
    amount: Any,
    on: dt.date,
    note: str,
    version: int | None = None,
) -> LedgerEntry:
    """One line of the book; spending and grants are positive, a correction is signed."""
    if kind not in LedgerKind.values:
        raise ValidationFailed(gettext("收支类别无效"), code="invalid_kind")
    try:
        value = Decimal(str(amount))
    except InvalidOperation as exc:
        raise ValidationFailed(gettext("金额须为数字"), code="invalid_number") from exc
    if not value.is_finite() or value == 0 or (kind != LedgerKind.CORRECTION and value < 0):
        raise ValidationFailed(gettext("金额须为正数（冲正可为负数）"), code="invalid_number")
    text = clean_text(note, gettext("摘要"), limit=200)
    made: list[LedgerEntry] = []

    def apply(p: Project, now: dt.datetime) -> None:
        made.append(
            LedgerEntry.objects.create(
                project=p,
                area_path=p.area_path,
                kind=kind,
                amount=value,
                on=on,
                note=text,
                recorded_by=actor,
            )
        )

    PROJECTS.transition(
        actor=actor,
        obj=project,
        action="book",
        apply=apply,
        version=version,
        data={"kind": kind, "kind_label": str(LedgerKind(kind).label), "amount": str(value)},
    )
    return made[0]


@transaction.atomic
def contributions_reveal(*, actor: Any, project: Project) -> list[dict[str, str]]:
    """The households' names and phones unmasked, for a holder of ``view_personal`` (404 out of
    scope, 403 without the right); one audit record per reveal (``core.privacy``)."""
    from zhili.core import privacy

    rows = [
        {"id": str(c.pk), "household": c.household, "phone": c.phone}
        for c in Contribution.objects.filter(project=project).order_by("id")
    ]
    return privacy.reveal(actor=actor, obj=project, rows=rows, what="一事一议筹资筹劳户")


@transaction.atomic
def cap_set(
    *,
    actor: Any,
    area: Area | None,
    year: int | None,
    money: Any,
    labour_days: Any,
    note: str = "",
) -> Cap:
    """Set the per-person cap for an area (None: city-wide) and a year (None: every year).
    Needs ``deliberation.project.change`` over the area (the city's root for a city-wide cap)."""
    from zhili.core.audit import audit_record, root_path

    path = area.path if area is not None else root_path()
    require_at(actor, "change", Project, path, noun=gettext("一事一议上限"))
    row, _created = Cap.objects.update_or_create(
        area_path=area.path if area is not None else "",
        year=year,
        defaults={
            "area": area,
            "money": _decimal(money, gettext("筹资上限")),
            "labour_days": _decimal(labour_days, gettext("筹劳上限")),
            "note": (note or "").strip()[:200],
        },
    )
    audit_record(
        actor=actor,
        action="deliberation.cap.set",
        obj=row,
        area_path=path,
        after={"year": year, "money": row.money, "labour_days": row.labour_days},
    )
    return row


@transaction.atomic
def project_finish(
    *, actor: Any, project: Project, note: str = "", version: int | None = None
) -> Project:
    return PROJECTS.transition(
        actor=actor, obj=project, action="finish", note=note, version=version
    )

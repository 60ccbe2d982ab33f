"""Deliberation API (/api/v1/deliberation/): 四议两公开 records and their steps (multipart, with
the scanned signatures), 一事一议 projects and their actions, current publicity. Thin."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from zhili.areas.selectors import area_by_code
from zhili.core.errors import ValidationFailed
from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut
from zhili.deliberation import presenters, selectors, services
from zhili.deliberation.publicity import current_publicity
from zhili.deliberation.rules import Tally
from zhili.deliberation.schemas import (
    DelibCapIn,
    DelibCapOut,
    DelibHouseholdOut,
    DelibProjectActionIn,
    DelibProjectDetailOut,
    DelibProjectIn,
    DelibProjectPage,
    DelibPublicityOut,
    DelibReasonIn,
    DelibRecordDetailOut,
    DelibRecordIn,
    DelibRecordPage,
    DelibReviewRequestIn,
    DelibReviewRequestOut,
    DelibStepIn,
)
from zhili.deliberation.services import StepInput, Upload
from zhili.deliberation.workflow import PROJECT_RULES, STEP_ACTIONS

router = Router(tags=["deliberation"])
ERRORS: dict[int, Any] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 422)}


def _area(code: str) -> Any:
    area = area_by_code(code)
    if area is None:
        raise ValidationFailed(
            gettext("区域 %(code)s 不存在") % {"code": code}, code="community_required"
        )
    return area


@router.get(
    "/records", response={200: DelibRecordPage, **ERRORS}, summary="四议两公开事项（按管辖范围）"
)
def list_records(
    request: HttpRequest, status: str = "", cursor: str | None = None, limit: int = 50
) -> Any:
    page = keyset_page(
        selectors.deliberation_list(request.user, status=status),
        order=("-id",),
        cursor=cursor,
        limit=limit,
    )
    return {"items": [presenters.record_out(d) for d in page.items], "next": page.next}


@router.post(
    "/records", response={201: DelibRecordDetailOut, **ERRORS}, summary="登记四议两公开事项"
)
def create_record(request: HttpRequest, payload: DelibRecordIn) -> Any:
    d = services.deliberation_create(
        actor=request.user,
        area=_area(payload.area),
        title=payload.title,
        content=payload.content,
        merged_posts=payload.merged_posts,
        review_before=payload.review_before,
    )
    return Status(201, presenters.record_detail(request.user, d))


@router.get(
    "/records/{number}",
    response={200: DelibRecordDetailOut, **ERRORS},
    summary="一件四议两公开事项",
)
def get_record(request: HttpRequest, number: str) -> Any:
    return presenters.record_detail(request.user, selectors.deliberation_get(request.user, number))


@router.post(
    "/records/{number}/steps/{action}",
    response={200: DelibRecordDetailOut, **ERRORS},
    summary="记录一步：propose、propose_merged、discuss、review、decide、publish_resolution、publish_result（multipart，签字材料为 signatures 文件）",
)
def record_step(
    request: HttpRequest,
    number: str,
    action: str,
    step: Form[DelibStepIn],
    signatures: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Any:
    from zhili.org.selectors import user_list

    user = request.user
    d = selectors.deliberation_get(user, number)
    if action not in STEP_ACTIONS:
        raise ValidationFailed(
            gettext("未知的步骤 %(action)s") % {"action": action},
            code="unknown_action",
            detail={"allowed": list(STEP_ACTIONS)},
        )
    witness = user_list(user).filter(username=step.witness).first() if step.witness else None
    if step.witness and witness is None:
        raise ValidationFailed(
            gettext("见证人账号 %(witness)s 不存在或不在您的管辖范围内")
            % {"witness": step.witness},
            code="witness",
        )
    services.step_record(
        actor=user,
        deliberation=d,
        action=action,
        version=step.version,
        step=StepInput(
            held_on=step.held_on,
            text=step.text,
            due=step.due,
            present=step.present,
            votes_for=step.votes_for,
            votes_against=step.votes_against,
            abstain=step.abstain,
            households_due=step.households_due,
            households_present=step.households_present,
            assembly=step.assembly,
            witness=witness,
            public_from=step.public_from,
            public_until=step.public_until,
            signatures=Upload(signatures.name or "", signatures.read()) if signatures else None,
        ),
    )
    return presenters.record_detail(user, selectors.deliberation_get(user, number))


@router.post(
    "/records/{number}/withdraw", response={200: DelibRecordDetailOut, **ERRORS}, summary="终止事项"
)
def withdraw(request: HttpRequest, number: str, payload: DelibReasonIn) -> Any:
    d = selectors.deliberation_get(request.user, number)
    services.deliberation_withdraw(
        actor=request.user, deliberation=d, reason=payload.reason, version=payload.version
    )
    return presenters.record_detail(request.user, selectors.deliberation_get(request.user, number))


@router.post(
    "/records/{number}/legal-review",
    response={201: DelibReviewRequestOut, **ERRORS},
    summary="送法律顾问审查",
)
def request_review(request: HttpRequest, number: str, payload: DelibReviewRequestIn) -> Any:
    d = selectors.deliberation_get(request.user, number)
    r = services.deliberation_request_review(
        actor=request.user, deliberation=d, question=payload.question
    )
    return Status(201, {"id": r.pk, "adviser": r.adviser.name, "status": r.status})


@router.get(
    "/publicity",
    response={200: list[DelibPublicityOut], **ERRORS},
    summary="正在公开的决议、结果和一事一议公告",
)
def publicity(request: HttpRequest, area: str = "") -> Any:
    under = _area(area).path if area else ""
    return [vars(p) for p in current_publicity(under=under)]


@router.get(
    "/projects", response={200: DelibProjectPage, **ERRORS}, summary="一事一议项目（按管辖范围）"
)
def list_projects(
    request: HttpRequest, status: str = "", cursor: str | None = None, limit: int = 50
) -> Any:
    page = keyset_page(
        selectors.project_list(request.user, status=status),
        order=("-id",),
        cursor=cursor,
        limit=limit,
    )
    return {"items": [presenters.project_out(p) for p in page.items], "next": page.next}


@router.post(
    "/projects", response={201: DelibProjectDetailOut, **ERRORS}, summary="提议一事一议项目"
)
def create_project(request: HttpRequest, payload: DelibProjectIn) -> Any:
    p = services.project_create(
        actor=request.user,
        area=_area(payload.area),
        title=payload.title,
        purpose=payload.purpose,
        description=payload.description,
        proposer=payload.proposer,
        villagers=payload.villagers,
        budget=payload.budget,
        signers=payload.signers,
        representatives=payload.representatives,
        money_per_person=payload.money_per_person,
        labour_per_person=payload.labour_per_person,
        year=payload.year,
    )
    return Status(201, presenters.project_detail(request.user, p))


@router.get(
    "/projects/{number}",
    response={200: DelibProjectDetailOut, **ERRORS},
    summary="一个一事一议项目（含收支和奖补条件）",
)
def get_project(request: HttpRequest, number: str) -> Any:
    return presenters.project_detail(request.user, selectors.project_get(request.user, number))


@router.get(
    "/projects/{number}/personal",
    response={200: list[DelibHouseholdOut], **ERRORS},
    summary="筹资筹劳户的完整姓名和电话（需权限，每次查看都记入审计）",
)
def project_personal(request: HttpRequest, number: str) -> Any:
    p = selectors.project_get(request.user, number)
    return services.contributions_reveal(actor=request.user, project=p)


@router.post(
    "/caps", response={200: DelibCapOut, **ERRORS}, summary="设置一事一议每人每年筹资筹劳上限"
)
def cap_set(request: HttpRequest, payload: DelibCapIn) -> Any:
    row = services.cap_set(
        actor=request.user,
        area=_area(payload.area) if payload.area else None,
        year=payload.year,
        money=payload.money,
        labour_days=payload.labour_days,
        note=payload.note,
    )
    return {
        "area": payload.area,
        "year": row.year,
        "money": row.money,
        "labour_days": row.labour_days,
        "note": row.note,
    }


def _need(value: Any, name: str) -> Any:
    if value is None:
        raise ValidationFailed(
            gettext("缺少 %(name)s") % {"name": name}, code="missing_field", detail={"field": name}
        )
    return value


@router.post(
    "/projects/{number}/actions/{action}",
    response={200: DelibProjectDetailOut, **ERRORS},
    summary="项目动作：notice、canvass、vote、approve_township、return_township、reply、contribute、book、finish",
)
def project_action(request: HttpRequest, number: str, action: str, a: DelibProjectActionIn) -> Any:
    user = request.user
    p = selectors.project_get(user, number)
    if action not in PROJECT_RULES:
        raise ValidationFailed(
            gettext("未知的动作 %(action)s") % {"action": action},
            code="unknown_action",
            detail={"allowed": list(PROJECT_RULES)},
        )
    v: dict[str, Any] = {"actor": user, "project": p, "version": a.version}
    if action == "notice":
        services.project_notice(
            **v,
            notice_from=_need(a.notice_from, "notice_from"),
            notice_until=_need(a.notice_until, "notice_until"),
        )
    elif action == "canvass":
        services.project_canvass(**v, households=a.households, canvassed=a.canvassed, agree=a.agree)
    elif action == "vote":
        tally = Tally(
            due=a.due,
            present=a.present,
            votes_for=a.votes_for,
            votes_against=a.votes_against,
            abstain=a.abstain,
            households_due=a.households_due,
            households_present=a.households_present,
        )
        services.project_vote(
            **v, assembly=a.assembly, tally=tally, held_on=_need(a.held_on, "held_on"), note=a.note
        )
    elif action in ("approve_township", "return_township"):
        services.project_township(**v, approve=action == "approve_township", note=a.note)
    elif action == "reply":
        services.project_reply(**v, approved=a.approve, note=a.note)
    elif action == "contribute":
        services.contribution_add(
            **v,
            household=a.household,
            phone=a.phone,
            persons=a.persons,
            on=_need(a.on, "on"),
            money=a.money,
            labour_days=a.labour_days,
            exempt_reason=a.exempt_reason,
        )
    elif action == "book":
        services.ledger_add(**v, kind=a.kind, amount=a.amount, on=_need(a.on, "on"), note=a.note)
    elif action == "finish":
        services.project_finish(**v, note=a.note)
    return presenters.project_detail(user, selectors.project_get(user, number))

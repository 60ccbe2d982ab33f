"""Legal API (/api/v1/legal/): advisers, villages served, duty slots, the consultations log
(personal fields masked), the yearly accounts with warnings, and the reviews. Thin."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Router, Status

from zhili.areas.selectors import area_by_code
from zhili.core.errors import PermissionDenied, ValidationFailed
from zhili.core.privacy import mask
from zhili.core.schemas import ErrorOut, Year
from zhili.legal import selectors, services
from zhili.legal.schemas import (
    LegalAccountOut,
    LegalAdviserIn,
    LegalAdviserOut,
    LegalConsultationIn,
    LegalConsultationOut,
    LegalCoverageIn,
    LegalCoverageOut,
    LegalDecideIn,
    LegalDutyIn,
    LegalDutyOut,
    LegalPersonOut,
    LegalReviewOut,
    LegalTargetIn,
    LegalTargetOut,
)
from zhili.legal.workflow import REVIEWS

router = Router(tags=["legal"])
ERRORS: dict[int, Any] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 422)}


def _area(code: str) -> Any:
    area = area_by_code(code)
    if area is None:
        raise ValidationFailed(
            gettext("区域 %(code)s 不存在") % {"code": code}, code="area_required"
        )
    return area


def _adviser_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "firm": a.firm,
        "license_no": a.license_no,
        "phone": mask("phone", a.phone),
        "area": a.area.code,
        "username": a.user.username if a.user else None,
        "active": a.active,
    }


@router.get("/advisers", response={200: list[LegalAdviserOut], **ERRORS}, summary="法律顾问")
def advisers(request: HttpRequest) -> Any:
    return [_adviser_out(a) for a in selectors.adviser_list(request.user)[:500]]


@router.post("/advisers", response={201: LegalAdviserOut, **ERRORS}, summary="新增法律顾问")
def adviser_create(request: HttpRequest, payload: LegalAdviserIn) -> Any:
    from zhili.org.selectors import user_list

    account = None
    if payload.username:
        account = user_list(request.user).filter(username=payload.username).first()
        if account is None:
            raise ValidationFailed(
                gettext("账号 %(username)s 不存在或不在您的管辖范围内")
                % {"username": payload.username}
            )
    a = services.adviser_create(
        actor=request.user,
        name=payload.name,
        firm=payload.firm,
        area=_area(payload.area),
        license_no=payload.license_no,
        phone=payload.phone,
        user=account,
    )
    return Status(201, _adviser_out(a))


@router.get(
    "/coverages", response={200: list[LegalCoverageOut], **ERRORS}, summary="各村（社区）的法律顾问"
)
def coverages(request: HttpRequest) -> Any:
    return [
        {"adviser": c.adviser.name, "area": c.area.code, "area_name": c.area.name, "since": c.since}
        for c in selectors.coverage_list(request.user)[:2000]
    ]


@router.post(
    "/coverages", response={201: LegalCoverageOut, **ERRORS}, summary="指定村（社区）法律顾问"
)
def coverage_add(request: HttpRequest, payload: LegalCoverageIn) -> Any:
    adviser = selectors.adviser_get(request.user, payload.adviser)
    c = services.coverage_add(
        actor=request.user, adviser=adviser, area=_area(payload.area), since=payload.since
    )
    return Status(
        201,
        {"adviser": adviser.name, "area": c.area.code, "area_name": c.area.name, "since": c.since},
    )


def _duty_out(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "adviser": d.adviser.name,
        "area": d.area.code,
        "on": d.on,
        "start": d.start,
        "end": d.end,
        "place": d.place,
    }


@router.get("/duties", response={200: list[LegalDutyOut], **ERRORS}, summary="值班安排（今天起）")
def duties(request: HttpRequest) -> Any:
    return [
        _duty_out(d) for d in selectors.duty_list(request.user, since=timezone.localdate())[:500]
    ]


@router.post("/duties", response={201: LegalDutyOut, **ERRORS}, summary="安排值班")
def duty_add(request: HttpRequest, payload: LegalDutyIn) -> Any:
    adviser = selectors.adviser_get(request.user, payload.adviser)
    d = services.duty_add(
        actor=request.user,
        adviser=adviser,
        area=_area(payload.area),
        on=payload.on,
        start=payload.start,
        end=payload.end,
        place=payload.place,
    )
    return Status(201, _duty_out(d))


@router.get(
    "/consultations",
    response={200: list[LegalConsultationOut], **ERRORS},
    summary="法律服务记录（咨询人脱敏）",
)
def consultations(request: HttpRequest, year: Year | None = None) -> Any:
    return [
        selectors.consultation_row(c)
        for c in selectors.consultation_list(request.user, year=year)[:500]
    ]


@router.post(
    "/consultations", response={201: LegalConsultationOut, **ERRORS}, summary="法律顾问登记一次服务"
)
def consultation_add(request: HttpRequest, payload: LegalConsultationIn) -> Any:
    adviser = getattr(request.user, "legal_adviser", None)
    if adviser is None:
        raise PermissionDenied(gettext("只有法律顾问本人可以登记法律服务"))
    c = services.consultation_log(
        actor=request.user,
        adviser=adviser,
        area=_area(payload.area),
        kind=payload.kind,
        on=payload.on,
        minutes=payload.minutes,
        topic=payload.topic,
        on_site=payload.on_site,
        person=payload.person,
        phone=payload.phone,
        answer=payload.answer,
    )
    return Status(201, selectors.consultation_row(c))


@router.get(
    "/consultations/{consultation_id}/personal",
    response={200: LegalPersonOut, **ERRORS},
    summary="咨询人的完整姓名和电话（需权限，每次查看都记入审计）",
)
def consultation_personal(request: HttpRequest, consultation_id: int) -> Any:
    c = selectors.consultation_get(request.user, consultation_id)
    return services.consultation_reveal(actor=request.user, consultation=c)


@router.post(
    "/targets", response={200: LegalTargetOut, **ERRORS}, summary="设置年度服务目标（全市）"
)
def target_set(request: HttpRequest, payload: LegalTargetIn) -> Any:
    t = services.target_set(
        actor=request.user,
        year=payload.year,
        hours=payload.hours,
        visits_per_month=payload.visits_per_month,
    )
    return {"year": t.year, "hours": t.hours, "visits_per_month": t.visits_per_month}


@router.get(
    "/accounts",
    response={200: list[LegalAccountOut], **ERRORS},
    summary="各村（社区）服务时长和到村次数对照目标，及预警",
)
def accounts(request: HttpRequest, year: Year | None = None) -> Any:
    rows = selectors.accounts(request.user, year=year or timezone.localdate().year)
    return [
        {
            "area": a.area,
            "area_code": a.area_code,
            "adviser": a.adviser,
            "minutes": a.minutes,
            "hours_text": a.hours_text,
            "target_hours": a.target_hours,
            "percent": a.percent,
            "months_missed": a.months_missed,
            "warnings": a.warnings,
        }
        for a in rows
    ]


@router.get("/reviews", response={200: list[LegalReviewOut], **ERRORS}, summary="法律审查")
def reviews(request: HttpRequest) -> Any:
    user = request.user
    return [
        LegalReviewOut.of(r, REVIEWS.allowed_actions(user, r), [])
        for r in selectors.review_list(user)[:200]
    ]


@router.get(
    "/reviews/{review_id}", response={200: LegalReviewOut, **ERRORS}, summary="一件法律审查"
)
def review(request: HttpRequest, review_id: int) -> Any:
    r = selectors.review_get(request.user, review_id)
    return LegalReviewOut.of(
        r, REVIEWS.allowed_actions(request.user, r), selectors.review_events(r)
    )


@router.post(
    "/reviews/{review_id}/decide",
    response={200: LegalReviewOut, **ERRORS},
    summary="法律顾问出具审查意见",
)
def decide(request: HttpRequest, review_id: int, payload: LegalDecideIn) -> Any:
    r = selectors.review_get(request.user, review_id)
    services.review_decide(
        actor=request.user,
        review=r,
        approve=payload.approve,
        opinion=payload.opinion,
        version=payload.version,
    )
    r = selectors.review_get(request.user, review_id)
    return LegalReviewOut.of(
        r, REVIEWS.allowed_actions(request.user, r), selectors.review_events(r)
    )

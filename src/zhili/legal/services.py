"""Every write of the legal module: advisers and their villages, duty slots, the consultations
log, and the legal review (requested by the village, decided by its adviser). ``review_refusal``
is what the 四议两公开 workflow asks before a step that needs the review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhili.areas.models import Area
from zhili.areas.models import Level as AreaLevel
from zhili.core.audit import audit_record
from zhili.core.errors import ValidationFailed
from zhili.core.privacy import personal_phone, personal_value
from zhili.core.scoping import require_at
from zhili.core.validation import clean_text
from zhili.legal.models import (
    Adviser,
    Consultation,
    Coverage,
    Duty,
    Review,
    ReviewStatus,
    ServiceKind,
    Target,
    subject_of,
)
from zhili.legal.workflow import REVIEWS


def _community(area: Area | None) -> Area:
    if area is None or not area.is_current or area.level != AreaLevel.COMMUNITY:
        raise ValidationFailed(gettext("请选择村或社区"), code="community_required")
    return area


@transaction.atomic
def adviser_create(
    *,
    actor: Any,
    name: str,
    firm: str,
    area: Area,
    license_no: str = "",
    phone: str = "",
    user: Any = None,
) -> Adviser:
    require_at(actor, "add", Adviser, area.path, noun=gettext("法律顾问"))
    adviser = Adviser.objects.create(
        name=clean_text(name, gettext("姓名"), limit=50),
        firm=clean_text(firm, gettext("执业机构"), limit=100),
        license_no=(license_no or "").strip()[:32],
        phone=personal_phone(phone, gettext("联系电话")),
        user=user,
        area=area,
        area_path=area.path,
    )
    audit_record(actor=actor, action="legal.adviser.add", obj=adviser, area_path=area.path)
    return adviser


@transaction.atomic
def coverage_add(*, actor: Any, adviser: Adviser, area: Area | None, since: dt.date) -> Coverage:
    """The adviser serves this village or community from ``since`` (ends its current adviser)."""
    area = _community(area)
    require_at(actor, "add", Coverage, area.path, noun=gettext("法律顾问服务村（社区）"))
    if not area.path.startswith(adviser.area_path):
        raise ValidationFailed(
            gettext("%(name)s不在%(adviser)s的登记区域内")
            % {"name": area.name, "adviser": adviser.name},
            code="outside",
        )
    current = Coverage.objects.select_for_update().filter(area=area, until__isnull=True).first()
    if current is not None:
        if current.adviser_id == adviser.pk:
            return current
        current.until = since
        current.save(update_fields=["until"])
    coverage = Coverage.objects.create(adviser=adviser, area=area, area_path=area.path, since=since)
    audit_record(
        actor=actor,
        action="legal.coverage.add",
        obj=coverage,
        area_path=area.path,
        after={"adviser": adviser.name, "area": area.name},
    )
    return coverage


def adviser_of(area: Area) -> Adviser | None:
    """The adviser currently serving a village or community."""
    found = Coverage.objects.filter(area=area, until__isnull=True).select_related("adviser").first()
    return found.adviser if found is not None else None


@transaction.atomic
def duty_add(
    *,
    actor: Any,
    adviser: Adviser,
    area: Area | None,
    on: dt.date,
    start: dt.time,
    end: dt.time,
    place: str = "",
) -> Duty:
    area = _community(area)
    require_at(actor, "add", Duty, area.path, noun=gettext("值班安排"))
    if end <= start:
        raise ValidationFailed(gettext("结束时间须晚于开始时间"), code="duty_order")
    duty = Duty.objects.create(
        adviser=adviser,
        area=area,
        area_path=area.path,
        on=on,
        start=start,
        end=end,
        place=(place or "").strip()[:100],
    )
    audit_record(actor=actor, action="legal.duty.add", obj=duty, area_path=area.path)
    return duty


@transaction.atomic
def consultation_log(
    *,
    actor: Any,
    adviser: Adviser,
    area: Area | None,
    kind: str,
    on: dt.date,
    minutes: int,
    topic: str,
    on_site: bool = True,
    person: str = "",
    phone: str = "",
    answer: str = "",
) -> Consultation:
    area = _community(area)
    require_at(actor, "add", Consultation, area.path, noun=gettext("法律服务记录"))
    if kind not in ServiceKind.values:
        raise ValidationFailed(gettext("服务类型无效"), code="invalid_kind")
    if not 0 < int(minutes) <= 24 * 60:
        raise ValidationFailed(gettext("时长须在 1 分钟到 24 小时之间"), code="invalid_minutes")
    if on > timezone.localdate():
        raise ValidationFailed(gettext("服务日期不能晚于今天"), code="future")
    c = Consultation.objects.create(
        adviser=adviser,
        area=area,
        area_path=area.path,
        kind=kind,
        on=on,
        minutes=int(minutes),
        on_site=bool(on_site),
        topic=clean_text(topic, gettext("事由"), limit=200),
        person=personal_value(person, gettext("咨询人"), 50),
        phone=personal_phone(phone, gettext("联系电话")),
        answer=(answer or "").strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="legal.consultation.add",
        obj=c,
        area_path=area.path,
        after={"kind": kind, "minutes": c.minutes, "on": on},
    )
    return c


@transaction.atomic
def target_set(*, actor: Any, year: int, hours: int, visits_per_month: int) -> Target:
    """The yearly service target (city-wide): ``legal.coverage.change`` at the city's root."""
    from zhili.core.audit import root_path

    require_at(actor, "change", Coverage, root_path(), noun=gettext("法律顾问服务目标"))
    if not (0 < hours <= 1000 and 0 <= visits_per_month <= 31):
        raise ValidationFailed(
            gettext("服务时长须在 1–1000 小时，到村次数须在 0–31 次"), code="invalid_target"
        )
    target, _created = Target.objects.update_or_create(
        year=year, defaults={"hours": hours, "visits_per_month": visits_per_month}
    )
    audit_record(
        actor=actor,
        action="legal.target.set",
        obj=target,
        area_path=root_path(),
        after={"year": year, "hours": hours, "visits_per_month": visits_per_month},
    )
    return target


@transaction.atomic
def consultation_reveal(*, actor: Any, consultation: Consultation) -> dict[str, str]:
    """The person's name and phone unmasked, for a holder of ``view_personal`` (audited)."""
    from zhili.core import privacy

    [row] = privacy.reveal(
        actor=actor,
        obj=consultation,
        rows=[{"person": consultation.person, "phone": consultation.phone}],
        what="法律服务记录的咨询人",
    )
    return row


# Legal review ---------------------------------------------------------------------------------


def latest_review(subject: Any) -> Review | None:
    return (
        Review.objects.filter(**subject_of(subject))
        .select_related("adviser")
        .order_by("-id")
        .first()
    )


def review_refusal(*, subject: Any, before: str = "") -> str | None:
    """None when the subject's latest review approved it; otherwise why the step must wait."""
    review = latest_review(subject)
    step = f"“{before}”" if before else gettext("这一步")
    if review is None:
        return gettext("%(step)s须先经法律顾问审查：请先送审") % {"step": step}
    if review.status == ReviewStatus.REQUESTED:
        return gettext("%(step)s须先经法律顾问审查：%(name)s 尚未出具审查意见") % {
            "step": step,
            "name": review.adviser.name,
        }
    if review.status == ReviewStatus.OBJECTED:
        return gettext("法律顾问对该事项提出了修改意见，请修改后重新送审，再进行%(step)s") % {
            "step": step
        }
    return None


@transaction.atomic
def review_request(*, actor: Any, subject: Any, area: Area, title: str, question: str) -> Review:
    """送审: to the adviser serving the subject's village or community."""
    require_at(actor, "request", Review, area.path, noun=gettext("法律审查"))
    adviser = adviser_of(area)
    if adviser is None:
        raise ValidationFailed(
            gettext("%(name)s尚未配备法律顾问，请先由乡镇（街道）指定") % {"name": area.name},
            code="no_adviser",
        )
    pending = latest_review(subject)
    if pending is not None and pending.status == ReviewStatus.REQUESTED:
        raise ValidationFailed(gettext("该事项已送审，正在等待审查意见"), code="review_pending")
    review = Review.objects.create(
        **subject_of(subject),
        subject_title=clean_text(title, gettext("事项名称"), limit=200),
        area=area,
        area_path=area.path,
        adviser=adviser,
        question=clean_text(question, gettext("送审内容")),
        requested_by=actor,
    )
    REVIEWS.record(
        actor=actor, obj=review, action="request", before="", data={"adviser": adviser.name}
    )
    return review


@transaction.atomic
def review_decide(
    *, actor: Any, review: Review, approve: bool, opinion: str, version: int | None = None
) -> Review:
    text = clean_text(opinion, gettext("审查意见"))

    def apply(r: Review, now: dt.datetime) -> None:
        r.opinion = text
        r.decided_at = now

    return REVIEWS.transition(
        actor=actor,
        obj=review,
        action="approve" if approve else "object",
        apply=apply,
        note=text,
        version=version,
    )

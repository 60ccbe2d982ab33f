"""Reminders of a dispute's time limits, sent by the worker (task ``disputes.tasks.dispute_reminders``,
hourly): the mediation limit passed, the parties' window to apply for judicial confirmation about to
close, the follow-up visit due. Each reminder goes once per deadline (the inbox's dedupe key holds
the deadline, so an extension earns a new one) to the assigned mediator and the officer who
registered the case. DOMAIN.md §6; the limits are 业务参数 (``disputes/tunables.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhili.core import tunables
from zhili.core.notify import notify
from zhili.disputes.models import Dispute, Status


def _warn_days(key: str) -> dt.timedelta:
    """How many days ahead to warn (业务参数 ``disputes.confirmation_warn_days`` /
    ``disputes.follow_up_warn_days``)."""
    return dt.timedelta(days=int(tunables.value(key)))


@dataclass
class ReminderResult:
    overdue: int = 0
    confirmation: int = 0
    follow_up: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _people(d: Dispute) -> list[Any]:
    return [u for u in (d.mediator, d.created_by) if u is not None and u.is_active]


def _url(d: Dispute) -> str:
    return f"/disputes/{d.number}/"


@transaction.atomic
def send_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    result = ReminderResult()
    base = Dispute.objects.select_related("mediator", "created_by")
    for d in base.filter(status__in=[Status.REGISTERED, Status.MEDIATING], due_at__lt=now):
        due = timezone.localtime(d.due_at)
        made = notify(
            recipients=_people(d),
            kind="dispute_overdue",
            title=f"【纠纷超期】{d.number} 已超过调解期限（{due:%m月%d日 %H:%M}）",
            body=f"“{d.subject}”尚未调解终结，请尽快办理或依法终止调解。",
            url=_url(d),
            obj=d,
            dedupe_key=f"dispute-overdue:{d.pk}:{int(d.due_at.timestamp())}",
        )
        result.overdue += bool(made)
    soon = today + _warn_days("disputes.confirmation_warn_days")
    for d in base.filter(
        status=Status.AGREED,
        confirmed_at__isnull=True,
        confirmation_due__gte=today,
        confirmation_due__lte=soon,
    ):
        made = notify(
            recipients=_people(d),
            kind="dispute_confirmation",
            title=f"【司法确认】{d.number} 的申请期限将于 {d.confirmation_due:%m月%d日} 届满",
            body=f"“{d.subject}”的调解协议如需司法确认，双方当事人须在期限内共同向法院申请。",
            url=_url(d),
            obj=d,
            dedupe_key=f"dispute-confirmation:{d.pk}:{d.confirmation_due}",
        )
        result.confirmation += bool(made)
    for d in base.filter(
        status__in=[Status.CLOSED, Status.FAILED],
        followed_up_at__isnull=True,
        follow_up_due__lte=today + _warn_days("disputes.follow_up_warn_days"),
    ):
        late = d.follow_up_due is not None and d.follow_up_due < today
        made = notify(
            recipients=_people(d),
            kind="dispute_follow_up",
            title=f"【回访{'超期' if late else '提醒'}】{d.number} 回访期限 {d.follow_up_due:%m月%d日}",
            body=f"请回访“{d.subject}”的当事人，了解协议履行和矛盾化解情况。",
            url=_url(d),
            obj=d,
            dedupe_key=f"dispute-follow-up:{d.pk}:{d.follow_up_due}:{int(late)}",
        )
        result.follow_up += bool(made)
    return result.as_dict()

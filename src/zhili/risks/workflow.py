"""The risk register's rules table: which action may start from which state, under which right.

Every state change of a risk is a ``WORKFLOW.transition`` in ``services.py`` (lock, 404 out of
scope, 409 on a stale version or a wrong state, 403 without the right, step, event, audit); the
system's own steps (escalation during an assessment) are appended with ``WORKFLOW.record`` after
the transition saved the risk. The page's buttons are ``WORKFLOW.allowed_actions``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.core.workflow import Rule, Workflow
from zhili.risks.models import (
    STABILITY_TESTS,
    AssessmentKind,
    Category,
    Level,
    Risk,
    RiskEvent,
    Source,
    Status,
)

S = Status


def red_is_not_acceptable(actor: Any, risk: Risk) -> str | None:
    if risk.level == Level.RED:
        return "红色（重大）风险不能接受，须处置"
    return None


def failed_stability_tests(risk: Risk) -> list[str]:
    """The 四性 tests (合法性、合理性、可行性、可控性) a project risk's latest assessment failed
    (an unassessed test counts as not passed); empty for other categories."""
    if risk.category != Category.PROJECT:
        return []
    latest = risk.assessments.order_by("-id").first()
    tests = latest.stability_tests if latest is not None else {}
    return [label for key, label in STABILITY_TESTS.items() if not tests.get(key)]


def acceptance_refusal(actor: Any, risk: Risk) -> str | None:
    """正式接受 is the approval of what the risk is about: never a red risk, never a project or
    decision that failed one of the four tests (社会稳定风险评估)."""
    if risk.level == Level.RED:
        return "红色（重大）风险不能接受，须处置"
    failed = failed_stability_tests(risk)
    if failed:
        return f"重大项目/决策四性审查未通过（{'、'.join(failed)}），不能批准接受"
    return None


RULES: dict[str, Rule] = {
    "assess": Rule(_("评估定级"), (S.OPEN,), "assess"),
    "assign": Rule(_("定人定责"), (S.OPEN,), "change"),
    "measure": Rule(_("增加措施"), (S.OPEN,), "change"),
    "measure_done": Rule(_("完成措施"), (S.OPEN,), "change"),
    "close": Rule(_("销号"), (S.OPEN,), "close", target=S.CLOSED),
    "accept": Rule(_("正式接受"), (S.OPEN,), "accept", target=S.ACCEPTED, guard=acceptance_refusal),
    "reopen": Rule(_("重新打开"), (S.CLOSED, S.ACCEPTED), "assess", target=S.OPEN),
    # The system's steps: never a button.
    "escalate": Rule(_("上报上级"), (S.OPEN,), "assess", system=True),
    "acceptance_expired": Rule(
        _("接受有效期届满"), (S.ACCEPTED,), "accept", target=S.OPEN, system=True
    ),
}
ACTIONS = tuple(RULES)

WORKFLOW = Workflow(
    model=Risk,
    event_model=RiskEvent,
    rules=RULES,
    noun=_("风险"),
    audit_prefix="risk",
    status_labels={s.value: s.label for s in Status},
    lock_related=("area",),
    extra_labels={"register": _("风险入库")},
)


# -- what an event's details say ---------------------------------------------------------------


def _choice(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "—")


def _area_name(code: str) -> str:
    from zhili.areas.selectors import area_by_code

    found = area_by_code(code) if code else None
    return found.name if found is not None else f"区域 {code}"


def _assess(d: dict[str, Any]) -> str:
    return (
        f"{_choice(AssessmentKind, d.get('kind'))}：可能性 {d.get('likelihood')} × "
        f"影响程度 {d.get('impact')}，定为{_choice(Level, d.get('level'))}"
    )


def _escalate(d: dict[str, Any]) -> str:
    to = d.get("to_name") or _area_name(str(d.get("to") or ""))
    why = f"（处置时限 {d['missed']} 已过）" if d.get("missed") else ""
    return f"{_choice(Level, d.get('level'))}风险上报至{to}{why}"


DESCRIBERS: dict[str, Any] = {
    "register": lambda d: f"编号 {d.get('number')}，来源：{_choice(Source, d.get('source'))}",
    "assess": _assess,
    "assign": lambda d: (
        f"责任人 {d.get('person_name') or d.get('person')}，责任单位 {d.get('unit')}"
    ),
    "measure": lambda d: (
        f"措施“{d.get('text')}”，负责人 {d.get('owner_name') or d.get('owner')}，"
        f"完成时限 {d.get('due')}"
    ),
    "measure_done": lambda d: f"措施“{d.get('text')}”已完成",
    "close": lambda d: f"销号时等级：{_choice(Level, d.get('final_rating'))}",
    "accept": lambda d: f"接受有效期至 {d.get('expires')}",
    "escalate": _escalate,
    "acceptance_expired": lambda d: (
        f"接受有效期（至 {d['expired']}）已过" if d.get("expired") else ""
    ),
}


def describe(event: RiskEvent) -> str:
    """An event's ``data`` as a Chinese sentence (never ``key=value``)."""
    describer = DESCRIBERS.get(event.action)
    return describer(event.data or {}) if describer and event.data else ""


labels.register_describer(WORKFLOW.kind, describe)
labels.register_audit(
    {
        "risk.matrix_save": _("风险 · 保存风险矩阵"),
        "risk.policy_update": _("风险 · 修改分级管控规则"),
        "risk.candidate_dismiss": _("风险 · 排除风险线索"),
        "risk.candidate_propose": _("风险 · 提出风险线索"),
        "risk.view_personal": _("风险 · 查看个人信息"),  # before privacy.reveal: old records
    }
)

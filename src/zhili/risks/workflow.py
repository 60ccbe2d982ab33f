"""The risk register's rules table: which action may start from which state, under which right.

Every state change of a risk is a ``WORKFLOW.transition`` in ``services.py`` (lock, 404 out of
scope, 409 on a stale version or a wrong state, 403 without the right, step, event, audit); the
system's own steps (escalation during an assessment) are appended with ``WORKFLOW.record`` after
the transition saved the risk. The page's buttons are ``WORKFLOW.allowed_actions``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
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
        return gettext("红色（重大）风险不能接受，须处置")
    return None


def failed_stability_tests(risk: Risk) -> list[str]:
    """The 四性 tests (合法性、合理性、可行性、可控性) a project risk's latest assessment failed
    (an unassessed test counts as not passed); empty for other categories."""
    if risk.category != Category.PROJECT:
        return []
    latest = risk.assessments.order_by("-id").first()
    tests = latest.stability_tests if latest is not None else {}
    return [str(label) for key, label in STABILITY_TESTS.items() if not tests.get(key)]


def acceptance_refusal(actor: Any, risk: Risk) -> str | None:
    """正式接受 is the approval of what the risk is about: never a red risk, never a project or
    decision that failed one of the four tests (社会稳定风险评估)."""
    if risk.level == Level.RED:
        return gettext("红色（重大）风险不能接受，须处置")
    failed = failed_stability_tests(risk)
    if failed:
        return gettext("重大项目/决策四性审查未通过（%(failed)s），不能批准接受") % {
            "failed": gettext("、").join(str(f) for f in failed)
        }
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
    return found.name if found is not None else gettext("区域 %(code)s") % {"code": code}


def _assess(d: dict[str, Any]) -> str:
    return gettext("%(kind)s：可能性 %(likelihood)s × 影响程度 %(impact)s，定为%(level)s") % {
        "kind": _choice(AssessmentKind, d.get("kind")),
        "likelihood": d.get("likelihood"),
        "impact": d.get("impact"),
        "level": _choice(Level, d.get("level")),
    }


def _escalate(d: dict[str, Any]) -> str:
    to = d.get("to_name") or _area_name(str(d.get("to") or ""))
    why = (
        gettext("（处置时限 %(missed)s 已过）") % {"missed": d["missed"]} if d.get("missed") else ""
    )
    return gettext("%(level)s风险上报至%(to)s%(why)s") % {
        "level": _choice(Level, d.get("level")),
        "to": to,
        "why": why,
    }


DESCRIBERS: dict[str, Any] = {
    "register": lambda d: (
        gettext("编号 %(number)s，来源：%(source)s")
        % {"number": d.get("number"), "source": _choice(Source, d.get("source"))}
    ),
    "assess": _assess,
    "assign": lambda d: (
        gettext("责任人 %(person_name)s，责任单位 %(unit)s")
        % {"person_name": d.get("person_name") or d.get("person"), "unit": d.get("unit")}
    ),
    "measure": lambda d: (
        gettext("措施“%(text)s”，负责人 %(owner_name)s，完成时限 %(due)s")
        % {
            "text": d.get("text"),
            "owner_name": d.get("owner_name") or d.get("owner"),
            "due": d.get("due"),
        }
    ),
    "measure_done": lambda d: gettext("措施“%(text)s”已完成") % {"text": d.get("text")},
    "close": lambda d: (
        gettext("销号时等级：%(final_rating)s")
        % {"final_rating": _choice(Level, d.get("final_rating"))}
    ),
    "accept": lambda d: gettext("接受有效期至 %(expires)s") % {"expires": d.get("expires")},
    "escalate": _escalate,
    "acceptance_expired": lambda d: (
        gettext("接受有效期（至 %(expired)s）已过") % {"expired": d["expired"]}
        if d.get("expired")
        else ""
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

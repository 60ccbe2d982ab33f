"""The rules tables of 四议两公开 and 一事一议 on the core workflow.

四议两公开: each step is an action from the state that waits for it; the meeting steps carry a
``check_input`` that applies the quorum and majority rules (``deliberation.rules``) to the
step's counts, so a meeting that fails them cannot pass and the refusal says why. Where one
person is both party secretary and committee director (``merged_posts``), ``propose_merged``
records steps 1 and 2 as one. A record marked ``review_before`` a step cannot take that step
before the legal adviser approved it (a guard reading ``zhili.legal.services``).

一事一议: proposal thresholds are checked when the project is created (services); the vote uses
the same meeting rules; the township reviews (``review``), the county replies (``reply``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.core.scoping import holds_at
from zhili.core.workflow import Rule, Workflow
from zhili.deliberation import rules
from zhili.deliberation.models import (
    Assembly,
    Deliberation,
    DeliberationEvent,
    LedgerKind,
    Project,
    ProjectEvent,
    ProjectStatus,
    Stage,
    Status,
)

S = Status
P = ProjectStatus

# The action recording each stage, and the stage each action records.
STAGE_OF = {
    "propose": Stage.PROPOSAL,
    "propose_merged": Stage.MERGED,
    "discuss": Stage.COMMITTEES,
    "review": Stage.PARTY,
    "decide": Stage.DECISION,
    "publish_resolution": Stage.RESOLUTION,
    "publish_result": Stage.RESULT,
}


def _legal_review(action: str) -> Any:
    """A guard: the record asks for the adviser's review before this step."""
    stage = STAGE_OF[action]
    covers = {Stage.PROPOSAL, Stage.COMMITTEES, Stage.MERGED} if stage == Stage.MERGED else {stage}

    def guard(actor: Any, d: Deliberation) -> str | None:
        if d.review_before not in covers:
            return None
        from zhili.legal.services import review_refusal

        return review_refusal(subject=d, before=str(Stage(d.review_before).label))

    return guard


def _merged_only(actor: Any, d: Deliberation) -> str | None:
    if not d.merged_posts:
        return gettext("仅在党组织书记兼任村（居）委会主任（一肩挑）时，提议和商议可以合并为一步")
    return _legal_review("propose_merged")(actor, d)


def _separate_only(actor: Any, d: Deliberation) -> str | None:
    return _legal_review("propose")(actor, d)


def party_check(actor: Any, d: Any, facts: Any) -> str | None:
    return rules.party_meeting(facts)


def assembly_check(actor: Any, d: Any, facts: Any) -> str | None:
    """The decision meeting: villagers' or representatives' rules, by ``facts.assembly``."""
    tally, assembly = facts
    if assembly == Assembly.VILLAGERS:
        return rules.villagers_meeting(tally)
    if assembly == Assembly.REPRESENTATIVES:
        return rules.representatives_meeting(tally)
    return gettext("请选择村（居）民会议或村（居）民代表会议")


WITNESS = "deliberation.deliberation.witness"


def township_path(area_path: str) -> str:
    """The path of the township (乡镇/街道) a village or community lies in."""
    return "/".join([c for c in area_path.split("/") if c][:3]) + "/"


def witness_check(witness: Any, area_path: str) -> str | None:
    """A township officer witnesses the decision: a user holding ``witness`` through a grant on
    the village's township itself (a district or city officer holds it above, and is not one)."""
    if witness is None:
        return gettext("村（居）民会议或代表会议须有乡镇（街道）干部见证，请选择见证人")
    if not holds_at(witness, WITNESS, township_path(area_path)):
        return gettext("%(witness)s 不是该村（社区）所属乡镇（街道）的见证人") % {
            "witness": getattr(witness, "display_name", witness)
        }
    return None


def decision_check(actor: Any, d: Any, facts: Any) -> str | None:
    tally, assembly, witness = facts
    return assembly_check(actor, d, (tally, assembly)) or witness_check(witness, d.area_path)


def _step(label: Any, source: str, target: str, **kw: Any) -> Rule:
    return Rule(label, (source,), "record", target=target, **kw)


RULES: dict[str, Rule] = {
    "propose": _step(_("党组织提议"), S.PROPOSAL, S.COMMITTEES, guard=_separate_only),
    "propose_merged": _step(_("党组织提议并两委会商议"), S.PROPOSAL, S.PARTY, guard=_merged_only),
    "discuss": _step(_("两委会商议"), S.COMMITTEES, S.PARTY, guard=_legal_review("discuss")),
    "review": _step(
        _("党员大会审议"),
        S.PARTY,
        S.DECISION,
        guard=_legal_review("review"),
        check_input=party_check,
    ),
    "decide": _step(
        _("村（居）民会议决议"),
        S.DECISION,
        S.RESOLUTION,
        guard=_legal_review("decide"),
        check_input=decision_check,
    ),
    "publish_resolution": _step(
        _("决议公开"), S.RESOLUTION, S.IMPLEMENTING, guard=_legal_review("publish_resolution")
    ),
    "publish_result": _step(
        _("实施结果公开"), S.IMPLEMENTING, S.DONE, guard=_legal_review("publish_result")
    ),
    "withdraw": Rule(
        _("终止"),
        (S.PROPOSAL, S.COMMITTEES, S.PARTY, S.DECISION, S.RESOLUTION),
        "change",
        target=S.WITHDRAWN,
    ),
}
STEP_ACTIONS = tuple(STAGE_OF)

WORKFLOW = Workflow(
    model=Deliberation,
    event_model=DeliberationEvent,
    rules=RULES,
    noun=_("四议两公开事项"),
    audit_prefix="deliberation",
    status_labels=dict(Status.choices),
    lock_related=("area",),
    extra_labels={"create": _("登记事项")},
)


def vote_check(actor: Any, p: Any, facts: Any) -> str | None:
    return assembly_check(actor, p, facts)


PROJECT_RULES: dict[str, Rule] = {
    "notice": Rule(pgettext_lazy("action", "公告"), (P.PROPOSED,), "record", target=P.NOTICED),
    "canvass": Rule(_("入户征求意见"), (P.NOTICED,), "record", target=P.CANVASSED),
    "vote": Rule(_("会议表决"), (P.CANVASSED,), "record", target=P.VOTED, check_input=vote_check),
    "approve_township": Rule(_("乡镇审核通过并报县"), (P.VOTED,), "review", target=P.SUBMITTED),
    "return_township": Rule(_("乡镇退回"), (P.VOTED,), "review", target=P.CANVASSED),
    "reply": Rule(_("县级批复"), (P.SUBMITTED,), "reply"),
    "contribute": Rule(_("登记筹资筹劳"), (P.APPROVED,), "record"),
    "book": Rule(_("记收支账"), (P.APPROVED,), "record"),
    "finish": Rule(_("项目完成"), (P.APPROVED,), "record", target=P.DONE),
}

PROJECTS = Workflow(
    model=Project,
    event_model=ProjectEvent,
    rules=PROJECT_RULES,
    noun=_("一事一议项目"),
    audit_prefix="project",
    status_labels=dict(ProjectStatus.choices),
    lock_related=("area",),
    extra_labels={"create": _("提议")},
)


def _describe_step(event: Any) -> str:
    d = event.data or {}
    parts = []
    if d.get("held_on"):
        parts.append(gettext("日期 %(held_on)s") % {"held_on": d["held_on"]})
    if d.get("due"):
        parts.append(
            gettext("应到 %(due)s 人，实到 %(present)s 人")
            % {"due": d["due"], "present": d.get("present", 0)}
        )
    if d.get("votes_for") is not None and d.get("due"):
        parts.append(
            gettext("赞成 %(votes_for)s，反对 %(votes_against)s，弃权 %(abstain)s")
            % {
                "votes_for": d["votes_for"],
                "votes_against": d.get("votes_against", 0),
                "abstain": d.get("abstain", 0),
            }
        )
    if d.get("assembly"):
        parts.append(str(dict(Assembly.choices).get(d["assembly"], "")))
    if d.get("public_until"):
        parts.append(
            gettext("公开期 %(public_from)s 至 %(public_until)s")
            % {"public_from": d.get("public_from"), "public_until": d["public_until"]}
        )
    if d.get("witness_name"):
        parts.append(gettext("见证人 %(witness_name)s") % {"witness_name": d["witness_name"]})
    return gettext("；").join(p for p in parts if p)


def _describe_project(event: Any) -> str:
    d = event.data or {}
    if event.action == "reply":
        verdict = gettext("批准") if d.get("approved") else gettext("不予批准")
        late = gettext("（逾期）") if d.get("late") else ""
        return gettext("县级%(verdict)s%(late)s") % {"verdict": verdict, "late": late}
    if event.action == "approve_township" and d.get("reply_due"):
        return gettext("县级应于 %(reply_due)s 前批复（7 个工作日）") % {
            "reply_due": str(d["reply_due"])[:10]
        }
    if event.action == "contribute":
        return gettext("%(households)s 户") % {"households": d.get("households", 0)}
    if event.action == "book":
        kind = d.get(
            "kind"
        )  # the label of the kind in the reader's language (the stored one as fallback)
        label = LedgerKind(kind).label if kind in LedgerKind.values else d.get("kind_label", "")
        return gettext("%(kind_label)s %(amount)s 元") % {
            "kind_label": label,
            "amount": d.get("amount", ""),
        }
    return _describe_step(event)


labels.register_describer(WORKFLOW.kind, _describe_step)
labels.register_describer(PROJECTS.kind, _describe_project)

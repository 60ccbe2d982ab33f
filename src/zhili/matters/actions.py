"""Each action of the closed loop, declared once.

An ``Action`` says what the action is called, from which states it starts, which right it needs
(and whether the lead unit's staff may take it without that right), what it takes — the API's
request body (``schemas``) and the page's form (``forms``), which both produce the service's
keyword arguments —, its button, and how those arguments become the step's arguments
(``matters.steps``) and the event's note and data. From these specs come the rules table
(``workflow.RULES``), the page's forms and buttons (``views``), one API route per action with its own
request body in the OpenAPI (``api``), the services' common run (``services._act``) and the bench's
bulk writer (``bench.machine``), which therefore record the same events as the services by
construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core.i18n import Label
from zhili.core.workflow import Rule
from zhili.matters import forms, schemas, steps
from zhili.matters.models import Matter, MatterUnit, Status
from zhili.matters.triage import big_guard

S = Status
Inputs = Mapping[str, Any]


def is_unit_staff(actor: Any, matter: Matter) -> bool:
    """Staff of the matter's lead unit (首接负责): they sign and handle it wherever it lies."""
    unit_id = getattr(actor, "unit_id", None)
    return bool(unit_id) and unit_id == matter.lead_unit_id


def is_co_unit_staff(actor: Any, matter: Matter) -> bool:
    """Staff of one of the matter's co-units (协办单位): they report their own part, nothing else
    (the lead unit reports the whole and the centre closes)."""
    unit_id = getattr(actor, "unit_id", None)
    if not unit_id or unit_id == matter.lead_unit_id:
        return False
    known = getattr(matter, "_co_unit_ids", None)  # read with the page (selectors.matter_co_units)
    if known is not None:
        return unit_id in known
    return MatterUnit.objects.filter(matter_id=matter.pk, unit_id=unit_id).exists()


@dataclass(frozen=True)
class Resident:
    """The resident who reported a matter, proven by its number and their phone's last four
    digits on the public lookup page (no account): may rate their own closed matter."""

    matter_id: int
    username: str = "群众"  # stored as the events' actor_name
    pk: None = None
    unit_id: None = None
    is_authenticated: bool = False
    is_superuser: bool = False


def is_its_resident(actor: Any, matter: Matter) -> bool:
    return isinstance(actor, Resident) and actor.matter_id == matter.pk


def _none(kw: Inputs) -> dict[str, Any]:
    return {}


def _take(*names: str) -> Callable[[Inputs], dict[str, Any]]:
    """The inputs ``names`` as they are."""
    return lambda kw: {n: kw[n] for n in names}


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    sources: tuple[str, ...]
    permission: str  # "matters.matter.<permission>" over the matter's area
    body: type[schemas.MatterActionIn]  # the API's request body
    form: type[forms.ActionForm]  # the page's form
    button: Label
    style: str = "btn-primary"
    primary: bool = False  # shown open on the page (the usual next step)
    by_unit: bool = False  # the lead unit's staff may act without the area right
    note: str = "note"  # the input recorded as the event's note
    unit: str = ""  # the input recorded as the event's unit (else the actor's unit)
    data: Callable[[Inputs], dict[str, Any]] = _none  # the event's data, from the inputs
    step_kwargs: Callable[[Inputs], dict[str, Any]] = _none  # steps.<name>'s arguments
    also: Callable[[Any, Matter], bool] | None = None  # who else may act (besides the right)
    only_also: bool = False  # only those ``also`` names may act (the area right is not enough)
    guard: Callable[[Any, Matter], str | None] | None = None  # a refusal despite the right
    # States in which the action repeats a step already taken (派遣 of a dispatched matter is
    # 改派): the page shows it folded, under ``again_label``, and not as the usual next step.
    again: tuple[str, ...] = ()
    again_label: Label = ""

    @property
    def rule(self) -> Rule:
        also = self.also or (is_unit_staff if self.by_unit else None)
        return Rule(
            self.label,
            self.sources,
            self.permission,
            also=also,
            only_also=self.only_also,
            guard=self.guard,
        )

    def step(self, m: Matter, now: dt.datetime, inputs: Inputs) -> str | None:
        """The step on the (locked or in-memory) matter; its new status, or None."""
        run = getattr(steps, "return_" if self.name == "return" else self.name)
        result: str | None = run(m, now, **self.step_kwargs(inputs))
        return result

    def event_unit(self, inputs: Inputs) -> Any:
        return inputs.get(self.unit) if self.unit else None

    def make_form(
        self, *, user: Any, matter: Matter, data: Any = None, files: Any = None
    ) -> forms.ActionForm:
        return self.form(
            data,
            files,
            user=user,
            matter=matter,
            prefix=self.name,
            initial={"version": matter.version},
        )


def _dispatch_data(kw: Inputs) -> dict[str, Any]:
    unit = kw["unit"]
    co_units = [u.pk for u in kw.get("co_units") or ()]
    return {"unit": unit.pk, "unit_name": unit.name, "co_units": co_units}


SPECS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("accept", _("立案"), (S.SUBMITTED,), "accept", schemas.MatterNoteIn, forms.NoteForm,
               gettext_lazy("立案"), primary=True),
        Action("reject", _("不予立案"), (S.SUBMITTED,), "accept", schemas.MatterReasonIn,
               forms.ReasonForm, gettext_lazy("不予立案"), "btn-outline-danger", note="reason"),
        Action("triage", _("三事分流"), (S.SUBMITTED, S.ACCEPTED, S.RETURNED), "triage",
               schemas.MatterTriageIn, forms.TriageForm, gettext_lazy("确定分流"), "btn-secondary", note="reason",
               data=lambda kw: {"triage": kw["triage"], "mode": kw.get("mode", ""),
                                "from_mode": kw.get("from_mode", "")},
               step_kwargs=lambda kw: {"result": kw["triage"], "reason": kw["reason"]}),
        Action("mode", _("调整办理方式"), (S.SUBMITTED, S.ACCEPTED, S.RETURNED, S.DISPATCHED,
               S.HANDLING), "dispatch", schemas.MatterModeIn, forms.ModeForm, gettext_lazy("调整"),
               "btn-outline-secondary", note="reason",
               data=lambda kw: {"mode": kw["mode"], "from_mode": kw.get("from_mode", "")},
               step_kwargs=_take("mode")),
        Action("dispatch", _("派遣"), (S.ACCEPTED, S.RETURNED, S.DISPATCHED), "dispatch", schemas.MatterDispatchIn,
               forms.DispatchForm, gettext_lazy("派遣"), primary=True, unit="unit", data=_dispatch_data,
               step_kwargs=_take("unit"), guard=big_guard, again=(S.DISPATCHED,),
               again_label=gettext_lazy("改派")),
        Action("sign", _("签收"), (S.DISPATCHED,), "handle", schemas.MatterSignIn, forms.SignForm,
               gettext_lazy("签收"), primary=True, by_unit=True, data=_take("contacted"),
               step_kwargs=_take("contacted")),
        Action("return", _("退单"), (S.DISPATCHED,), "handle", schemas.MatterReasonIn,
               forms.ReasonForm, gettext_lazy("退单"), "btn-outline-danger", by_unit=True, note="reason"),
        Action("report", _("处置反馈"), (S.HANDLING,), "handle", schemas.MatterReportIn,
               forms.ReportForm, gettext_lazy("提交处置反馈"), primary=True, by_unit=True, note="result",
               step_kwargs=_take("contacted")),
        Action("verify", _("核查"), (S.REPORTED,), "verify", schemas.MatterVerifyIn, forms.VerifyForm,
               gettext_lazy("提交核查结果"), primary=True, data=_take("passed"), step_kwargs=_take("passed")),
        Action("close", _("结案"), (S.VERIFIED,), "close", schemas.MatterNoteIn, forms.NoteForm,
               gettext_lazy("结案"), primary=True),
        Action("rate", _("回访评价"), (S.CLOSED,), "rate", schemas.MatterRateIn, forms.RateForm,
               gettext_lazy("保存回访"), primary=True,
               data=lambda kw: {"solved": kw["solved"], "satisfied": kw["satisfied"],
                                **({"by": "resident"} if kw.get("by_resident") else {})},
               step_kwargs=_take("solved", "satisfied"), also=is_its_resident),
        Action("reopen", _("重新办理"), (S.CLOSED, S.RATED), "reopen", schemas.MatterReasonIn,
               forms.ReasonForm, gettext_lazy("重新办理"), "btn-outline-warning", note="reason"),
        Action("extend", _("申请延期"), (S.DISPATCHED, S.HANDLING), "handle", schemas.MatterExtendIn,
               forms.ExtendForm, gettext_lazy("申请延期"), "btn-secondary", by_unit=True, note="reason",
               data=lambda kw: {"days": int(kw["days"])},
               step_kwargs=lambda kw: {"days": kw["days"], "reason": kw["reason"]}),
        Action("approve_extension", _("审批延期"), (S.DISPATCHED, S.HANDLING), "approve",
               schemas.MatterApproveExtensionIn, forms.ApproveExtensionForm, gettext_lazy("提交审批"), primary=True,
               data=_take("approved"), step_kwargs=_take("approved")),
        Action("suspend", _("挂起"), (S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.HANDLING),
               "suspend", schemas.MatterReasonIn, forms.ReasonForm, gettext_lazy("挂起"), "btn-outline-secondary",
               note="reason"),
        Action("resume", _("恢复办理"), (S.SUSPENDED,), "suspend", schemas.MatterNoteIn,
               forms.NoteForm, gettext_lazy("恢复办理"), primary=True),
        Action("place", _("定位"), (S.SUBMITTED, S.ACCEPTED, S.RETURNED), "dispatch",
               schemas.MatterPlaceIn, forms.PlaceForm, gettext_lazy("定位到街道/社区"), "btn-outline-primary",
               data=lambda kw: {"from": kw["from_path"], "to": kw["area"].path,
                                "from_name": kw["from_name"], "to_name": kw["area"].name},
               step_kwargs=_take("area", "suggested_unit")),
        Action("merge", _("并单"), (S.SUBMITTED, S.ACCEPTED), "merge", schemas.MatterMergeIn,
               forms.MergeForm, gettext_lazy("并单"), "btn-outline-secondary",
               data=lambda kw: {"into": kw["into"].number}, step_kwargs=_take("into")),
        Action("self_handle", _("自行处置"), (S.SUBMITTED,), "self_handle", schemas.MatterSelfHandleIn,
               forms.SelfHandleForm, gettext_lazy("自行处置并结案"), "btn-secondary", note="result",
               step_kwargs=_take("sampled")),
        Action("co_report", _("协办反馈"), (S.DISPATCHED, S.HANDLING), "handle",
               schemas.MatterCoReportIn, forms.CoReportForm, "提交协办反馈", "btn-secondary",
               note="result", also=is_co_unit_staff, only_also=True),
        Action("spot_check", _("抽查核实"), (S.CLOSED, S.RATED), "verify",
               schemas.MatterSpotCheckIn, forms.SpotCheckForm, "提交抽查结果", primary=True,
               data=_take("passed"), step_kwargs=_take("passed")),
    )
}  # fmt: skip

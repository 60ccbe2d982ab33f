"""Forms of the compounds pages. A meeting form has rows for parties (with their people and
cost share) and for follow-up tasks; empty rows are skipped."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.compounds.models import Coverage, MeetingKind, PartyRole
from zhili.core.forms import StyledForm, style_fields
from zhili.core.pickers import AreaField

PARTY_ROWS = 6
TASK_ROWS = 3
DATE = forms.DateInput(attrs={"type": "date"})


class CompoundForm(StyledForm):
    name = forms.CharField(label=_("小区名称"), max_length=120)
    area = AreaField(
        label=_("所属社区或网格"), permission="compounds.compound.add", levels=("community", "grid")
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    built_year = forms.IntegerField(label=_("建成年份"), required=False)
    households = forms.IntegerField(label=_("户数"), required=False, min_value=0)
    coverage = forms.ChoiceField(label=_("物业服务"), choices=Coverage.choices)
    property_company = forms.CharField(label=_("物业服务企业"), max_length=120, required=False)
    has_owners_committee = forms.BooleanField(label=_("已成立业委会"), required=False)
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MeetingForm(StyledForm):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("召开日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=120, required=False)
    topic = forms.CharField(label=_("议题"), max_length=200)
    agenda = forms.CharField(
        label=_("议程"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decisions = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 3}))
    total_cost = forms.DecimalField(
        label=_("费用合计（元）"), required=False, min_value=0, decimal_places=2, initial=0
    )
    matters = forms.CharField(
        label=_("解决的诉求编号（多个用空格分隔）"), required=False, max_length=500
    )

    def __init__(self, *args: Any, parties: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = [("", "—"), *PartyRole.choices]
        owners = [("", "—")] + [
            (str(i), gettext("第 %(n)s 方") % {"n": i + 1}) for i in range(PARTY_ROWS)
        ]
        for i in range(PARTY_ROWS):
            initial = (parties or [])[i] if i < len(parties or []) else ""
            self.fields[f"party_{i}_role"] = forms.ChoiceField(
                label=_("参会方"), choices=roles, required=False, initial=initial
            )
            self.fields[f"party_{i}_name"] = forms.CharField(
                label=_("单位名称"), max_length=120, required=False
            )
            self.fields[f"party_{i}_share"] = forms.DecimalField(
                label=_("分摊（元）"), required=False, decimal_places=2
            )
            self.fields[f"party_{i}_people"] = forms.CharField(
                label=_("参会人员（姓名 职务；多人用；分隔）"), max_length=300, required=False
            )
        for j in range(TASK_ROWS):
            self.fields[f"task_{j}_text"] = forms.CharField(
                label=_("会后任务"), max_length=300, required=False
            )
            self.fields[f"task_{j}_owner"] = forms.ChoiceField(
                label=_("责任方"), choices=owners, required=False
            )
            self.fields[f"task_{j}_due"] = forms.DateField(
                label=_("完成时限"), required=False, widget=DATE
            )
        style_fields(self)  # the rows added after the form's own fields

    def party_rows(self) -> list[list[Any]]:
        return [
            [self[f"party_{i}_{k}"] for k in ("role", "name", "share", "people")]
            for i in range(PARTY_ROWS)
        ]

    def task_rows(self) -> list[list[Any]]:
        return [[self[f"task_{j}_{k}"] for k in ("text", "owner", "due")] for j in range(TASK_ROWS)]

    def rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        """(parties, attendees, followups) as the service takes them; rows without a role are
        skipped, and the task owners renumbered to the kept parties."""
        d = self.cleaned_data
        parties: list[dict[str, Any]] = []
        attendees: list[dict[str, Any]] = []
        kept: dict[int, int] = {}
        for i in range(PARTY_ROWS):
            if not d.get(f"party_{i}_role"):
                continue
            kept[i] = len(parties)
            parties.append(
                {
                    "role": d[f"party_{i}_role"],
                    "name": d.get(f"party_{i}_name") or "",
                    "share": d.get(f"party_{i}_share") or 0,
                }
            )
            for person in (d.get(f"party_{i}_people") or "").replace(";", "；").split("；"):
                bits = person.split()
                if bits:
                    attendees.append(
                        {"party": kept[i], "name": bits[0], "post": " ".join(bits[1:])}
                    )
        tasks = []
        for j in range(TASK_ROWS):
            if not d.get(f"task_{j}_text"):
                continue
            owner = d.get(f"task_{j}_owner")
            tasks.append(
                {
                    "text": d[f"task_{j}_text"],
                    "owner": kept.get(int(owner)) if owner not in (None, "") else None,
                    "due": d.get(f"task_{j}_due"),
                }
            )
        return parties, attendees, tasks


class FollowUpForm(StyledForm):
    text = forms.CharField(label=_("任务"), max_length=300)
    owner = forms.ChoiceField(label=_("责任方"))
    due = forms.DateField(label=_("完成时限"), widget=DATE)

    def __init__(self, *args: Any, parties: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(str(p.pk), p.name) for p in parties]  # type: ignore[attr-defined]


class CompleteForm(StyledForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    result = forms.CharField(label=_("完成情况"), max_length=2000)


class LinkForm(StyledForm):
    matter = forms.CharField(
        label=_("诉求编号"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": _("诉求编号"), "aria-label": _("诉求编号")}),
    )

"""The risk register's forms. Action forms carry the risk's ``version``: a stale page answers with
a conflict instead of overwriting what someone else did."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core.forms import StyledForm
from zhili.core.pickers import AreaField, PersonField
from zhili.org.models import Unit
from zhili.risks.models import AssessmentKind, Category, Confidence, Level, Source


class ActionForm(StyledForm):
    """One action on a risk (the action's name is the form's ``action``)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RiskForm(StyledForm):
    title = forms.CharField(label=_("风险名称"), max_length=120)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, initial=Source.MANUAL)
    matter = forms.CharField(label=_("来源诉求编号"), max_length=20, required=False)
    description = forms.CharField(
        label=_("风险事项（见事）"), widget=forms.Textarea(attrs={"rows": 3})
    )
    area_code = AreaField(
        label=_("地点（见地点：街道、社区、网格或楼栋）"),
        permission="risks.risk.add",
        levels=("street", "community", "grid", "building"),
    )
    address = forms.CharField(label=_("详细地址"), max_length=200)
    person_name = forms.CharField(label=_("相关人员姓名（见人）"), max_length=100, required=False)
    person_id = forms.CharField(label=_("身份证号"), max_length=32, required=False)
    person_phone = forms.CharField(label=_("电话"), max_length=32, required=False)
    person2_name = forms.CharField(label=_("其他相关人员"), max_length=100, required=False)
    organisation = forms.CharField(label=_("涉及组织"), max_length=100, required=False)
    place = forms.CharField(label=_("涉及场所"), max_length=100, required=False)

    def hint_person(self, masked_name: str) -> None:
        """Name the matter's reporter as a hint only: masked, and never posted back as data."""
        if masked_name:
            self.fields["person_name"].widget.attrs["placeholder"] = gettext(
                "诉求人 %(masked_name)s（如登记此人，请核实后填写真实姓名）"
            ) % {"masked_name": masked_name}


class AssessForm(ActionForm):
    kind = forms.ChoiceField(
        label=_("评估类型"), choices=AssessmentKind.choices, initial=AssessmentKind.CURRENT
    )
    likelihood = forms.IntegerField(label=_("可能性（1-5）"))
    impact = forms.IntegerField(label=_("影响程度（1-5）"))
    confidence = forms.ChoiceField(
        label=_("评估把握"), choices=Confidence.choices, initial=Confidence.MEDIUM
    )
    legality = forms.BooleanField(label=_("合法性"), required=False)
    reasonableness = forms.BooleanField(label=_("合理性"), required=False)
    feasibility = forms.BooleanField(label=_("可行性"), required=False)
    controllability = forms.BooleanField(label=_("可控性"), required=False)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(ActionForm):
    person = PersonField(label=_("责任人"), kind="risks.responsible")
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("责任单位"), queryset=Unit.objects.none()
    )


class MeasureForm(ActionForm):
    text = forms.CharField(label=_("措施"), max_length=300)
    owner = PersonField(label=_("负责人"), kind="risks.measure_owner")
    due = forms.DateField(label=_("完成时限"), widget=forms.DateInput(attrs={"type": "date"}))


class CloseForm(ActionForm):
    final_rating = forms.ChoiceField(
        label=_("销号时等级"), choices=Level.choices, initial=Level.BLUE
    )
    note = forms.CharField(label=_("销号依据"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("佐证材料（图片或 PDF）"), required=False)


class AcceptForm(ActionForm):
    reason = forms.CharField(label=_("接受理由"), widget=forms.Textarea(attrs={"rows": 2}))
    expires = forms.DateField(label=_("有效期至"), widget=forms.DateInput(attrs={"type": "date"}))


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class MeasureDoneForm(ActionForm):
    measure = forms.IntegerField(widget=forms.HiddenInput)

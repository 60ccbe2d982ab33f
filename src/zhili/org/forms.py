from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core.forms import StyledForm
from zhili.core.pickers import AreaField, PersonField, bind_pickers
from zhili.org.models import Role, Unit, UnitType
from zhili.org.permissions import catalogue


class PickerForm(StyledForm):
    """A styled form for a signed-in user: its areas and people are picked within the user's
    scope (core.pickers); an area field cleans to the ``Area``, a person field to the ``User``."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        bind_pickers(self, user)


class UnitForm(PickerForm):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=120)
    type = forms.ChoiceField(label=gettext_lazy("类型"), choices=UnitType.choices)
    area_code = AreaField(
        label=_("所属区域"),
        permission="org.unit.view",
        help_text=_("如 渝中区 或 解放碑街道（也可填代码）"),
    )
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=32, required=False)


class UserCreateForm(PickerForm):
    username = forms.CharField(label=gettext_lazy("账号"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("姓名"), max_length=64)
    phone = forms.CharField(label=gettext_lazy("手机号"), max_length=32, required=False)
    area_code = AreaField(label=_("所属区域"), permission="org.user.view")
    unit = forms.ModelChoiceField(
        label=gettext_lazy("所属单位"), queryset=Unit.objects.none(), required=False
    )
    password = forms.CharField(
        label=gettext_lazy("初始密码"),
        widget=forms.PasswordInput,
        help_text=gettext_lazy("至少 10 位，不能全为数字"),
    )

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units


class UserEditForm(PickerForm):
    full_name = forms.CharField(label=gettext_lazy("姓名"), max_length=64)
    phone = forms.CharField(label=gettext_lazy("手机号"), max_length=32, required=False)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("所属单位"), queryset=Unit.objects.none(), required=False
    )
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units


class PasswordResetForm(PickerForm):
    password = forms.CharField(label=gettext_lazy("新密码"), widget=forms.PasswordInput)


class GrantForm(PickerForm):
    role = forms.ModelChoiceField(label=gettext_lazy("角色"), queryset=Role.objects.none())
    area_code = AreaField(label=_("区域"), permission="org.rolegrant.view")

    def set_roles(self, roles: Any) -> None:
        cast(forms.ModelChoiceField, self.fields["role"]).queryset = roles


class RoleForm(PickerForm):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=64)
    description = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    permissions = forms.MultipleChoiceField(
        label=gettext_lazy("权限"), required=False, widget=forms.CheckboxSelectMultiple
    )
    extra = forms.CharField(
        label=gettext_lazy("其他权限（通配，每行一条）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("如 areas.* 或 *"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["permissions"]).choices = catalogue()

    def all_permissions(self) -> list[str]:
        extra = [
            line.strip()
            for line in (self.cleaned_data.get("extra") or "").splitlines()
            if line.strip()
        ]
        return [*self.cleaned_data.get("permissions", []), *extra]


class LiaisonForm(PickerForm):
    area_code = AreaField(label=_("联系街道"), permission="org.liaison.view")
    leader = PersonField(label=_("联系领导"), kind="org.leader", required=False)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("联系单位"), queryset=Unit.objects.none(), required=False
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units


class OtpCodeForm(PickerForm):
    """A six-digit authenticator code, or a recovery code at verification."""

    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

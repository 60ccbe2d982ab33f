from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext, gettext_lazy

from zhili.core import throttle
from zhili.core.middleware import client_ip

CHOICE_INPUTS = forms.CheckboxInput | forms.RadioSelect  # RadioSelect: CheckboxSelectMultiple too


def style_fields(form: forms.BaseForm, *, large: bool = False) -> None:
    """The page's classes on every widget of ``form`` (core/_field.html draws them): a box for a
    checkbox or a radio, a select for a choice, a text field for the rest (``large``: the phone
    pages' bigger controls); hidden inputs are left alone and classes set already stay. A phone
    field opens the phone keypad."""
    size = " form-select-lg" if large else ""
    for name, f in form.fields.items():
        widget = f.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, CHOICE_INPUTS):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select" + size
        else:
            css = "form-control" + (" form-control-lg" if large else "")
        widget.attrs.setdefault("class", css)
        if name == "phone" or name.endswith("_phone"):  # the right keypad on a phone
            widget.attrs.setdefault("inputmode", "tel")
            widget.attrs.setdefault("autocomplete", "tel")


class StyledForm(forms.Form):
    """A form whose widgets carry the page's classes (``style_fields``); ``large`` for the
    phone pages' bigger controls."""

    large = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self, large=self.large)


class LoginForm(AuthenticationForm):
    """Django's login form plus throttling after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("账号或密码错误。"),
        "inactive": gettext_lazy("该账号已停用。"),
    }

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "") or ""
        ip = client_ip(self.request) if self.request else None
        if throttle.login_locked(username=username, ip=ip):
            raise forms.ValidationError(
                gettext("登录失败次数过多，请 %(lock_minutes)s 分钟后再试。")
                % {"lock_minutes": throttle.lock_minutes()},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            throttle.login_failed(username=username, ip=ip)
            raise
        throttle.login_succeeded(username=username)
        return cleaned


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("关键词"), required=False)
    # Any code prefix is accepted ("unit" for every unit action); the page offers the labels.
    action = forms.CharField(label=gettext_lazy("动作"), required=False, widget=forms.Select)
    actor = forms.CharField(label=gettext_lazy("操作人账号"), required=False)
    since = forms.DateField(
        label=gettext_lazy("起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=gettext_lazy("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from zhili.core.labels import audit_actions

        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        choices = sorted(audit_actions().items(), key=lambda pair: pair[1])
        chosen = self.data.get("action", "") if self.is_bound else ""
        if chosen and chosen not in dict(choices):  # a prefix typed into the address
            choices.insert(0, (chosen, gettext("（按代码筛选）")))
        self.fields["action"].widget.choices = [("", gettext("全部")), *choices]
        self.fields["action"].widget.attrs["class"] = "form-select"

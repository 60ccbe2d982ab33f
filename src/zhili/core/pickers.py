"""Pickers: choose an area or a person by name instead of typing a code or a username.

One mechanism for every form and list filter (docs/access.md "Pickers"):

- **Areas**: scoped by a permission (``"risks.risk.add"``): the picker offers the current areas
  under the paths where the user holds it (``scope_paths``), browsed as a tree from the roots of
  that scope or searched by name or code. ``resolve_area`` turns what was typed or picked into an
  ``Area`` — a code, a name, "上级 · 名称", or the picker's value "上级 · 名称（代码）" — or raises
  ``ValidationFailed`` with a Chinese message naming what is wrong.
- **People**: a *kind* an app registers in its ``pickers.py`` (``register_people``) says which right
  the person must hold over the place (``holders``) and, optionally, the unit type they belong to
  (a mediator: 人民调解委员会). The picker offers the holders the acting user may see
  (``User.objects.visible_to``), narrowed to a unit when the form has one; ``resolve_person``
  validates a typed username, "姓名（账号）" or a unique full name the same way.

The JSON endpoints (``/api/v1/pick/areas``, ``/api/v1/pick/people/{kind}``) and the widgets
(``AreaPickerInput``, ``PersonPickerInput``; behaviour in ``static/zhili/zhili.js``) sit on top of
these functions; without JavaScript the input is a plain text box and the same resolution runs on
submit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhili.core.errors import NotFound, ValidationFailed
from zhili.core.scoping import ScopedQuerySet, can, holders, paths_q, scope_paths

CODE_AT_END = re.compile(r"[（(]\s*([0-9A-Za-z_.@+-]+)\s*[)）]\s*$")
SEPARATOR = "·"
AREA_LIMIT = 30
CHILDREN_LIMIT = 300
PEOPLE_LIMIT = 50


def _area_model() -> Any:
    return apps.get_model("areas", "Area")


def scope_model(permission: str) -> tuple[Any, str]:
    """``"risks.risk.add"`` -> (Risk, "add"); 422 for anything that is not a scoped permission."""
    parts = permission.split(".")
    model = None
    if len(parts) == 3:
        try:
            model = apps.get_model(parts[0], parts[1])
        except (LookupError, ValueError):
            model = None
    qs_class = getattr(getattr(model, "_default_manager", None), "_queryset_class", None)
    if model is None or qs_class is None or not issubclass(qs_class, ScopedQuerySet):
        raise ValidationFailed(_("未知的权限范围 %(p)s") % {"p": permission}, code="invalid_scope")
    return model, parts[2]


def level_labels(levels: tuple[str, ...] | list[str]) -> str:
    names = dict(_area_model()._meta.get_field("level").choices)
    return "、".join(str(names.get(lv, lv)) for lv in levels)


def area_value(area: Any) -> str:
    """What the picker writes into the input: "上级 · 名称（代码）" (the code makes it unique)."""
    return f"{area_label(area)}（{area.code}）"


def area_label(area: Any) -> str:
    parent = getattr(area, "parent", None)
    if parent is not None and area.level not in ("city", "district"):
        return f"{parent.name} {SEPARATOR} {area.name}"
    return str(area.name)


def scoped_areas(user: Any, permission: str) -> QuerySet[Any]:
    """Current areas under the paths where ``user`` holds ``permission``."""
    model, action = scope_model(permission)
    paths = scope_paths(user, model, action)
    return _area_model().objects.current().filter(paths_q("path", paths))


def scope_roots(user: Any, permission: str) -> list[Any]:
    """The top areas of the user's scope for ``permission`` (the city's roots for superusers)."""
    model, action = scope_model(permission)
    paths = scope_paths(user, model, action)
    qs = _area_model().objects.current().select_related("parent")
    if paths is None:
        return list(qs.filter(parent__isnull=True).order_by("code"))
    return list(qs.filter(path__in=paths).order_by("path"))


def area_options(
    user: Any,
    permission: str,
    *,
    q: str = "",
    parent: str = "",
    levels: tuple[str, ...] = (),
) -> list[Any]:
    """What the area picker offers: the matches of ``q`` (name or code), the children of
    ``parent`` (within scope), or the roots of the scope. Searches keep only ``levels``."""
    q = (q or "").strip()
    if q:
        qs = scoped_areas(user, permission).select_related("parent")
        code = CODE_AT_END.search(q)
        if code or q.isdigit():
            qs = qs.filter(code__startswith=code.group(1) if code else q)
        else:
            name = q.split(SEPARATOR)[-1].strip()
            qs = qs.filter(name__contains=name)
        if levels:
            qs = qs.filter(level__in=levels)
        return list(qs.order_by("depth", "code")[:AREA_LIMIT])
    if parent:
        found = scoped_areas(user, permission).filter(code=parent).first()
        if found is None:
            raise NotFound(_("区域 %(c)s 不存在或不在您的管辖范围内") % {"c": parent})
        qs = scoped_areas(user, permission).filter(parent=found).select_related("parent")
        return list(qs.order_by("code")[:CHILDREN_LIMIT])
    return scope_roots(user, permission)


def _ended(user: Any, permission: str, code: str) -> Any:
    """An ended area with this code inside the user's scope (to say so, not "unknown")."""
    model, action = scope_model(permission)
    paths = scope_paths(user, model, action)
    qs = _area_model().objects.filter(code=code, valid_to__isnull=False)
    return qs.filter(paths_q("path", paths)).first()


def resolve_area(user: Any, text: str, *, permission: str, levels: tuple[str, ...] = ()) -> Any:
    """The area meant by ``text`` among those the picker would offer, or a Chinese error."""
    text = (text or "").strip()
    qs = scoped_areas(user, permission).select_related("parent")
    code_match = CODE_AT_END.search(text)
    if code_match or text.isdigit():
        code = code_match.group(1) if code_match else text
        found = list(qs.filter(code=code)[:1])
        ended = None if found else _ended(user, permission, code)
        if ended is not None:
            raise ValidationFailed(
                _("%(a)s 已撤销，请选择现行区域") % {"a": ended.name}, code="area_ended"
            )
        if not found:
            raise ValidationFailed(
                _("区域代码 %(c)s 不存在或不在您的管辖范围内，请从列表中选择") % {"c": code},
                code="area_not_found",
            )
    else:
        name = text.split(SEPARATOR)[-1].strip()
        found = list(qs.filter(name=name)[:20])
        if SEPARATOR in text and len(found) > 1:
            upper = text.split(SEPARATOR)[0].strip()
            found = [a for a in found if a.parent is not None and a.parent.name == upper]
        if levels and len(found) > 1:
            found = [a for a in found if a.level in levels] or found
        if not found:
            raise ValidationFailed(
                _("您的管辖范围内没有名为“%(n)s”的区域，请从列表中选择") % {"n": name},
                code="area_not_found",
            )
        if len(found) > 1:
            raise ValidationFailed(
                _("“%(n)s”有 %(k)s 个同名区域，请从列表中选择带上级名称的一项")
                % {"n": name, "k": len(found)},
                code="area_ambiguous",
            )
    area = found[0]
    if levels and area.level not in levels:
        raise ValidationFailed(
            _("%(a)s是%(l)s，这里须选择%(w)s")
            % {"a": area.name, "l": area.get_level_display(), "w": level_labels(levels)},
            code="area_level",
        )
    return area


# -- people -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeopleKind:
    """Who may be picked for a role in a form (a risk's 责任人, a dispute's 调解员)."""

    label: Any  # "责任人"
    # The right the person must hold over the place ("risks.risk.change"); "" for any active
    # staff member the acting user may see (a visit's cadre: whatever their role), no place.
    permission: str
    refusal: Any  # why someone else is refused: "没有处置本辖区风险的权限"
    unit_types: tuple[str, ...] = ()  # only members of units of these types

    @property
    def scope(self) -> str:
        """The permission whose scope the acting user must cover the place with (view)."""
        return self.permission.rsplit(".", 1)[0] + ".view"

    @property
    def needs_place(self) -> bool:
        return bool(self.permission)


PEOPLE: dict[str, PeopleKind] = {}


def register_people(name: str, kind: PeopleKind) -> None:
    PEOPLE[name] = kind


def people_kind(name: str) -> PeopleKind:
    kind = PEOPLE.get(name)
    if kind is None:
        raise NotFound(_("未知的人员类别 %(k)s") % {"k": name}, code="picker_not_found")
    return kind


def place_for(user: Any, kind: PeopleKind, code: str) -> Any:
    """The place people are picked for: a current area inside the user's scope of the kind."""
    model, _action = scope_model(kind.scope)
    area = _area_model().objects.filter(code=(code or "").strip()).first()
    if area is None or not can(user, "view", model, area.path):
        raise NotFound(
            _("区域 %(c)s 不存在或不在您的管辖范围内") % {"c": code}, code="area_not_found"
        )
    return area


def _people(user: Any, kind: PeopleKind, area: Any) -> QuerySet[Any]:
    user_model = apps.get_model("org", "User")
    if not kind.needs_place:
        return (
            user_model.objects.visible_to(user)
            .filter(is_active=True, is_superuser=False)
            .select_related("unit")
        )
    visible = user_model.objects.visible_to(user).values("pk")
    qs = holders(kind.permission, area).filter(pk__in=visible).select_related("unit")
    if kind.unit_types:
        qs = qs.filter(unit__type__in=kind.unit_types)
    return qs


def people_options(
    user: Any, kind: PeopleKind, *, area: Any, unit: str | int | None = None, q: str = ""
) -> list[Any]:
    qs = _people(user, kind, area)
    if unit:
        qs = qs.filter(unit_id=unit)
    q = (q or "").strip()
    if q:
        username = CODE_AT_END.search(q)
        q = username.group(1) if username else q
        qs = qs.filter(Q(username__contains=q) | Q(full_name__contains=q))
    return list(qs.order_by("unit__name", "username")[:PEOPLE_LIMIT])


def person_value(person: Any) -> str:
    return f"{person.display_name}（{person.username}）"


def resolve_person(user: Any, text: str, kind: PeopleKind, *, area: Any) -> Any:
    """The person meant by ``text`` ("账号", "姓名（账号）" or a unique full name) among those who
    may be picked, or a Chinese error saying why not."""
    text = (text or "").strip()
    match = CODE_AT_END.search(text)
    username = match.group(1) if match else text
    candidates = _people(user, kind, area)
    found = candidates.filter(username=username).first()
    if found is not None:
        return found
    if not match:
        named = list(candidates.filter(full_name=text)[:2])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise ValidationFailed(
                _("有多人名为“%(n)s”，请从列表中选择") % {"n": text}, code="person_ambiguous"
            )
    user_model = apps.get_model("org", "User")
    known = user_model.objects.visible_to(user).filter(username=username, is_active=True).first()
    if known is None:
        raise ValidationFailed(
            _("账号“%(u)s”不存在或不在您的管辖范围内，请从列表中选择") % {"u": username},
            code="person_not_found",
        )
    raise ValidationFailed(
        _("%(p)s%(why)s，不能担任%(role)s")
        % {"p": known.display_name, "why": kind.refusal, "role": kind.label},
        code="person_not_eligible",
    )


# -- form fields and widgets --------------------------------------------------------------------


PICKER_TEXTS = {
    "pick": gettext_lazy("选择"),
    "down": gettext_lazy("下级"),
    "up": gettext_lazy("返回上级"),
    "empty": gettext_lazy("没有找到，请换个名称或代码"),
    "failed": gettext_lazy("加载失败，可直接输入名称或代码"),
    "login": gettext_lazy("登录已过期，请重新登录"),
}


class PickerInput(forms.TextInput):
    """The script's texts travel with the input, in the page's language."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        texts = {key: str(text) for key, text in PICKER_TEXTS.items()}
        context["widget"]["attrs"]["data-picker-texts"] = json.dumps(texts, ensure_ascii=False)
        return context


class AreaPickerInput(PickerInput):
    """A text input the picker script turns into a searchable tree (plain text without it)."""

    def __init__(self, permission: str, levels: tuple[str, ...] = (), attrs: Any = None) -> None:
        base = {
            "data-picker": "area",
            "data-picker-for": permission,
            "data-picker-levels": ",".join(levels),
            "autocomplete": "off",
            "placeholder": gettext_lazy("输入名称或代码，或点“选择”逐级查找"),
        }
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if hasattr(value, "code"):
            return area_value(value)
        return super().format_value(value)


class PersonPickerInput(PickerInput):
    def __init__(self, kind: str, attrs: Any = None) -> None:
        base = {
            "data-picker": "people",
            "data-picker-kind": kind,
            "autocomplete": "off",
            "placeholder": gettext_lazy("输入姓名或账号，或点“选择”"),
        }
        super().__init__({**base, **(attrs or {})})


class AreaField(forms.CharField):
    """An area picked or typed; cleans to an ``Area`` once the form is bound to its user
    (``bind_pickers``)."""

    def __init__(self, *, permission: str, levels: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.permission, self.levels, self.actor = permission, levels, None
        kwargs.setdefault("max_length", 160)
        kwargs.setdefault("widget", AreaPickerInput(permission, levels))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        try:
            return resolve_area(self.actor, text, permission=self.permission, levels=self.levels)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


class PersonField(forms.CharField):
    """A person picked or typed for a registered kind, among the holders over ``area``."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind, self.actor, self.area = kind, None, None
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("widget", PersonPickerInput(kind))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        kind = people_kind(self.kind)
        if self.area is None and kind.needs_place:
            raise forms.ValidationError(_("请先确定地点，再选择人员"), code="place_required")
        try:
            return resolve_person(self.actor, text, kind, area=self.area)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


def bind_pickers(form: forms.Form, user: Any, *, area: Any = None, unit_field: str = "") -> None:
    """Give a form's picker fields their user (and, for people, the place and the unit field
    whose value narrows the list)."""
    for field in form.fields.values():
        if isinstance(field, AreaField):
            field.actor = user
        elif isinstance(field, PersonField):
            field.actor, field.area = user, area
            widget = field.widget
            if area is not None:
                widget.attrs["data-picker-area"] = area.code
            if unit_field:
                widget.attrs["data-picker-unit"] = form[unit_field].auto_id


def filter_area(user: Any, text: str, permission: str) -> tuple[str, str]:
    """A list filter's 区域 as typed or picked -> (the area's code, ""), or ("", the Chinese
    error to show above the list). Empty text: ("", "")."""
    text = (text or "").strip()
    if not text:
        return "", ""
    try:
        return resolve_area(user, text, permission=permission).code, ""
    except ValidationFailed as exc:
        return "", exc.message

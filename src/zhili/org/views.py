"""Scoped management pages for units, users, roles, grants and liaisons. Thin: services do the work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from zhili.core.errors import ZhiliError
from zhili.core.pagination import keyset_page
from zhili.core.scoping import has_any
from zhili.core.selectors import object_history
from zhili.org import selectors, services
from zhili.org.forms import (
    GrantForm,
    LiaisonForm,
    PasswordResetForm,
    RoleForm,
    UnitForm,
    UserCreateForm,
    UserEditForm,
)
from zhili.org.models import Liaison, RoleGrant, Unit, User


def _form_page(
    request: HttpRequest, form: Any, title: str, back: str, **extra: Any
) -> HttpResponse:
    return render(
        request, "core/form_page.html", {"form": form, "title": title, "back_url": back, **extra}
    )


def _submit(request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any]) -> Any:
    """Run a service on a valid form; a domain error goes back into the form, nothing is lost."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return action(form.cleaned_data) or True
    except ZhiliError as exc:
        form.add_error(None, exc.message)
        return None


# Units ----------------------------------------------------------------------------------------


@login_required
def units(request: HttpRequest) -> HttpResponse:
    qs = selectors.unit_list(request.user, query=request.GET.get("q", ""))
    page = keyset_page(qs, order=("id",), cursor=request.GET.get("cursor"), limit=50)
    return render(
        request,
        "org/units.html",
        {
            "page": page,
            "query": request.GET.get("q", ""),
            "can_add": has_any(request.user, Unit, "add"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.POST or None, user=request.user)
    done = _submit(
        request,
        form,
        lambda d: services.unit_create(
            actor=request.user,
            name=d["name"],
            type=d["type"],
            area=d["area_code"],
            phone=d["phone"],
        ),
    )
    if done:
        messages.success(request, gettext("已新建单位：%(name)s") % {"name": done.name})
        return redirect("org:units")
    return _form_page(request, form, gettext("新建单位"), reverse("org:units"))


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    initial = {
        "name": unit.name,
        "type": unit.type,
        "area_code": unit.area.code,
        "phone": unit.phone,
    }
    form = UnitForm(request.POST or None, user=request.user, initial=initial)
    done = _submit(
        request,
        form,
        lambda d: services.unit_update(
            actor=request.user,
            unit=unit,
            name=d["name"],
            type=d["type"],
            area=d["area_code"],
            phone=d["phone"],
        ),
    )
    if done:
        messages.success(request, gettext("已保存"))
        return redirect("org:units")
    return _form_page(
        request,
        form,
        gettext("编辑单位：%(name)s") % {"name": unit.name},
        reverse("org:units"),
        history=object_history(request.user, unit)[:20],
    )


# Users ----------------------------------------------------------------------------------------


@login_required
def users(request: HttpRequest) -> HttpResponse:
    qs = selectors.user_list(request.user, query=request.GET.get("q", ""))
    page = keyset_page(qs, order=("id",), cursor=request.GET.get("cursor"), limit=50)
    return render(
        request,
        "org/users.html",
        {
            "page": page,
            "query": request.GET.get("q", ""),
            "can_add": has_any(request.user, User, "add"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(
        request.POST or None, user=request.user, units=selectors.unit_list(request.user)
    )
    done = _submit(
        request,
        form,
        lambda d: services.user_create(
            actor=request.user,
            username=d["username"],
            password=d["password"],
            area=d["area_code"],
            full_name=d["full_name"],
            phone=d["phone"],
            unit=d["unit"],
        ),
    )
    if done:
        messages.success(request, gettext("已新建用户：%(username)s") % {"username": done.username})
        return redirect("org:user", pk=done.pk)
    return _form_page(request, form, gettext("新建用户"), reverse("org:users"))


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.user_get(request.user, pk)
    units_qs = selectors.unit_list(request.user)
    edit_form = UserEditForm(
        request.POST if request.POST.get("form") == "edit" else None,
        user=request.user,
        units=units_qs,
        initial={
            "full_name": target.full_name,
            "phone": target.phone,
            "unit": target.unit_id,
            "is_active": target.is_active,
        },
    )
    grant_form = GrantForm(
        request.POST if request.POST.get("form") == "grant" else None, user=request.user
    )
    grant_form.set_roles(selectors.role_list(request.user))
    pw_form = PasswordResetForm(
        request.POST if request.POST.get("form") == "password" else None, user=request.user
    )
    done = (
        _submit(
            request,
            edit_form,
            lambda d: services.user_update(
                actor=request.user,
                user=target,
                full_name=d["full_name"],
                phone=d["phone"],
                unit=d["unit"],
                is_active=d["is_active"],
            ),
        )
        or _submit(
            request,
            grant_form,
            lambda d: services.grant_create(
                actor=request.user, user=target, role=d["role"], area=d["area_code"]
            ),
        )
        or _submit(
            request,
            pw_form,
            lambda d: services.user_set_password(
                actor=request.user, user=target, password=d["password"]
            ),
        )
    )
    if done:
        messages.success(request, gettext("已保存"))
        return redirect("org:user", pk=target.pk)
    return render(
        request,
        "org/user_detail.html",
        {
            "target": target,
            "edit_form": edit_form,
            "grant_form": grant_form,
            "pw_form": pw_form,
            "grants": selectors.grant_list(request.user, for_user=target),
            "can_change": has_any(request.user, User, "change"),
            "can_grant": has_any(request.user, RoleGrant, "add"),
            "history": object_history(request.user, target)[:20],
        },
    )


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get(request.user, pk)
    services.grant_revoke(actor=request.user, grant=grant)
    messages.success(request, gettext("已撤销授权"))
    return redirect("org:user", pk=grant.user_id)


# Roles ----------------------------------------------------------------------------------------


@login_required
def roles(request: HttpRequest) -> HttpResponse:
    return render(request, "org/roles.html", {"roles": selectors.role_list(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = selectors.role_get(request.user, pk)
    form = RoleForm(
        request.POST or None,
        user=request.user,
        initial={
            "name": role.name,
            "description": role.description,
            "permissions": [p for p in role.permissions if "*" not in p],
            "extra": "\n".join(p for p in role.permissions if "*" in p),
        },
    )
    done = _submit(
        request,
        form,
        lambda d: services.role_update(
            actor=request.user,
            role=role,
            name=d["name"],
            description=d["description"],
            permissions=form.all_permissions(),
        ),
    )
    if done:
        messages.success(request, gettext("已保存角色"))
        return redirect("org:roles")
    return _form_page(
        request, form, gettext("角色：%(name)s") % {"name": role.label}, reverse("org:roles")
    )


# Liaisons -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def liaisons(request: HttpRequest) -> HttpResponse:
    form = LiaisonForm(
        request.POST or None, user=request.user, units=selectors.unit_list(request.user)
    )

    def create(d: dict[str, Any]) -> Liaison:
        return services.liaison_create(
            actor=request.user,
            area=d["area_code"],
            leader=d["leader"],  # picked or typed (core.pickers), or None
            unit=d["unit"],
            note=d["note"],
        )

    if _submit(request, form, create):
        messages.success(request, gettext("已新增包片联系"))
        return redirect("org:liaisons")
    return render(
        request,
        "org/liaisons.html",
        {
            "rows": selectors.liaison_list(request.user),
            "form": form,
            "can_add": has_any(request.user, Liaison, "add"),
        },
    )


@login_required
@require_POST
def liaison_delete(request: HttpRequest, pk: int) -> HttpResponse:
    services.liaison_delete(actor=request.user, liaison=selectors.liaison_get(request.user, pk))
    messages.success(request, gettext("已删除包片联系"))
    return redirect("org:liaisons")

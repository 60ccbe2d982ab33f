"""Writes about people and access: users, units, role grants, liaisons, tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhili.areas.models import Area
from zhili.core.audit import audit_record, root_path, snapshot
from zhili.core.errors import PermissionDenied, ValidationFailed
from zhili.core.i18n import Label
from zhili.core.scoping import Grant, can, forget_grants, require_at, user_grants
from zhili.org.models import (
    MEDIATION_COMMITTEE_SIZE,
    ApiToken,
    Liaison,
    Role,
    RoleGrant,
    Unit,
    UnitType,
    User,
)
from zhili.org.selectors import committee_members

TOKEN_PREFIX = "zl_"


def _require(actor: Any, action: str, model: type, path: str, what: str) -> None:
    require_at(actor, action, model, path, noun=what)


AREA_WORD = gettext_lazy("区域")


def _current_area(area: Area | None, what: Label = AREA_WORD) -> Area:
    if area is None:
        raise ValidationFailed(gettext("请选择%(what)s") % {"what": what})
    if not area.is_current:
        raise ValidationFailed(gettext("%(name)s 已撤销，请选择现行区域") % {"name": area.name})
    return area


def _check_committee_room(unit: Unit | None, user: User | None = None) -> None:
    """A mediation committee has at most nine members (``MEDIATION_COMMITTEE_SIZE``)."""
    if unit is None or unit.type != UnitType.MEDIATION_COMMITTEE:
        return
    if user is not None and user.unit_id == unit.pk and user.is_active:
        return  # already counted
    Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one member added at a time
    most = MEDIATION_COMMITTEE_SIZE[1]
    if committee_members(unit) >= most:
        raise ValidationFailed(
            gettext("人民调解委员会由委员三至九人组成，%(name)s 已有 %(n)s 人，不能再增加")
            % {"name": unit.name, "n": most},
            code="committee_full",
            detail={"unit": unit.pk, "maximum": most},
        )


# Units ----------------------------------------------------------------------------------------

UNIT_FIELDS = ["name", "type", "area_id", "parent_id", "phone", "is_active"]


@transaction.atomic
def unit_create(
    *, actor: Any, name: str, type: str, area: Area, parent: Unit | None = None, phone: str = ""
) -> Unit:
    area = _current_area(area)
    _require(actor, "add", Unit, area.path, gettext("单位"))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(gettext("单位名称不能为空"))
    if type not in UnitType.values:
        raise ValidationFailed(gettext("单位类型无效"))
    if Unit.objects.filter(area=area, name=name).exists():
        raise ValidationFailed(
            gettext("%(name)s 已有名为“%(name2)s”的单位") % {"name": area.name, "name2": name},
            code="duplicate",
        )
    unit = Unit.objects.create(name=name, type=type, area=area, parent=parent, phone=phone.strip())
    audit_record(
        actor=actor,
        action="unit.create",
        obj=unit,
        area_path=area.path,
        after=snapshot(unit, UNIT_FIELDS),
    )
    return unit


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, **changes: Any) -> Unit:
    unit = Unit.objects.select_for_update(of=("self",)).select_related("area").get(pk=unit.pk)
    _require(actor, "change", Unit, unit.area.path, gettext("单位"))
    if "area" in changes:
        new_area = _current_area(changes["area"])
        _require(actor, "change", Unit, new_area.path, gettext("单位"))
    if "name" in changes and not (changes["name"] or "").strip():
        raise ValidationFailed(gettext("单位名称不能为空"))
    if "type" in changes and changes["type"] not in UnitType.values:
        raise ValidationFailed(gettext("单位类型无效"))
    before = snapshot(unit, UNIT_FIELDS)
    for key, value in changes.items():
        setattr(unit, key, value.strip() if isinstance(value, str) else value)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        raise ValidationFailed(gettext("同一区域已有同名单位"), code="duplicate") from exc
    audit_record(
        actor=actor,
        action="unit.update",
        obj=unit,
        area_path=unit.area.path,
        before=before,
        after=snapshot(unit, UNIT_FIELDS),
    )
    return unit


# Users ----------------------------------------------------------------------------------------

USER_FIELDS = ["username", "full_name", "phone", "area_id", "unit_id", "is_active"]


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed("；".join(exc.messages), code="weak_password") from exc


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    area: Area,
    full_name: str = "",
    phone: str = "",
    unit: Unit | None = None,
    check_password: bool = True,
) -> User:
    area = _current_area(area, gettext("所属区域"))
    _require(actor, "add", User, area.path, gettext("用户"))
    username = (username or "").strip()
    if not username:
        raise ValidationFailed(gettext("账号不能为空"))
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(
            gettext("账号 %(username)s 已存在") % {"username": username}, code="duplicate"
        )
    if (
        unit is not None
        and not unit.area.path.startswith(area.path)
        and not area.path.startswith(unit.area.path)
    ):
        raise ValidationFailed(gettext("所属单位须在所属区域内"))
    _check_committee_room(unit)
    user = User(
        username=username, full_name=full_name.strip(), phone=phone.strip(), area=area, unit=unit
    )
    if check_password:
        _check_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        area_path=area.path,
        after=snapshot(user, USER_FIELDS),
    )
    return user


@transaction.atomic
def user_update(*, actor: Any, user: User, **changes: Any) -> User:
    # Lock only the user row: PostgreSQL refuses FOR UPDATE across the nullable area join.
    user = User.objects.select_for_update(of=("self",)).select_related("area").get(pk=user.pk)
    path = user.area.path if user.area else root_path()
    _require(actor, "change", User, path, gettext("用户"))
    _require_outranks(actor, user)
    allowed = {"full_name", "phone", "unit", "is_active", "area"}
    if set(changes) - allowed:
        raise ValidationFailed(gettext("不能修改这些字段"), detail=sorted(set(changes) - allowed))
    if "area" in changes:
        _require(actor, "change", User, _current_area(changes["area"]).path, gettext("用户"))
    if changes.get("is_active") is False and user.pk == getattr(actor, "pk", None):
        raise ValidationFailed(gettext("不能停用自己的账号"))
    joining = changes.get("unit", user.unit) if changes.get("is_active", user.is_active) else None
    if joining is not None and (joining.pk != user.unit_id or not user.is_active):
        _check_committee_room(joining)
    before = snapshot(user, USER_FIELDS)
    for key, value in changes.items():
        setattr(user, key, value.strip() if isinstance(value, str) else value)
    user.save()
    audit_record(
        actor=actor,
        action="user.update",
        obj=user,
        area_path=user.area.path if user.area else root_path(),
        before=before,
        after=snapshot(user, USER_FIELDS),
    )
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str) -> None:
    if actor.pk != user.pk:
        path = user.area.path if user.area else root_path()
        _require(actor, "change", User, path, gettext("用户"))
        _require_outranks(actor, user)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    # A new password ends every API token of the user (a leaked password may have made them).
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="user.password",
        obj=user,
        area_path=user.area.path if user.area else root_path(),
        after={"tokens_revoked": revoked} if revoked else None,
    )


# Grants ---------------------------------------------------------------------------------------


def _covers(actor: Any, permissions: Iterable[str], path: str) -> bool:
    """Whether the actor holds every permission (pattern) in ``permissions`` at ``path``."""
    if actor.is_superuser:
        return True
    held: list[Grant] = [g for g in user_grants(actor) if path.startswith(g.path)]
    # A pattern is itself matched as text: "areas.*" is covered by "areas.*" or "*", not by
    # "areas.area.view"; so nobody can hand out more than they hold.
    return all(any(g.allows(p) for g in held) for p in permissions)


def _actor_covers(actor: Any, role: Role, area: Area) -> bool:
    """An actor may grant (or revoke) a role only where they hold every permission it carries."""
    return _covers(actor, role.permissions, area.path)


def _require_outranks(actor: Any, user: User) -> None:
    """Managing another account (details, password, tokens) needs every right it holds:
    otherwise a district officer could take over a city-wide account homed in the district."""
    if getattr(actor, "pk", None) == user.pk:
        return
    for grant in RoleGrant.objects.filter(user=user).select_related("role", "area"):
        if not _actor_covers(actor, grant.role, grant.area):
            raise PermissionDenied(
                gettext("%(username)s 拥有您没有的权限（%(area)s·%(role)s），不能管理该账号")
                % {"username": user.username, "area": grant.area.name, "role": grant.role.label}
            )


@transaction.atomic
def grant_create(*, actor: Any, user: User, role: Role, area: Area) -> RoleGrant:
    area = _current_area(area)
    _require(actor, "add", RoleGrant, area.path, gettext("授权"))
    if not _actor_covers(actor, role, area):
        raise PermissionDenied(
            gettext("您在 %(name)s 没有“%(name2)s”所含的全部权限，不能授予")
            % {"name": area.name, "name2": role.label}
        )
    if RoleGrant.objects.filter(user=user, role=role, area=area).exists():
        raise ValidationFailed(
            gettext("%(username)s 已在 %(name)s 拥有“%(name2)s”")
            % {"username": user.username, "name": area.name, "name2": role.label},
            code="duplicate",
        )
    grant = RoleGrant.objects.create(user=user, role=role, area=area, granted_by=actor)
    forget_grants(user)
    audit_record(
        actor=actor,
        action="grant.create",
        obj=grant,
        area_path=area.path,
        after={"user": user.username, "role": role.slug, "area": area.code},
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor: Any, grant: RoleGrant) -> None:
    _require(actor, "delete", RoleGrant, grant.area.path, gettext("授权"))
    if not _actor_covers(actor, grant.role, grant.area):
        raise PermissionDenied(
            gettext("您在 %(name)s 没有“%(name2)s”所含的全部权限，不能撤销")
            % {"name": grant.area.name, "name2": grant.role.label}
        )
    audit_record(
        actor=actor,
        action="grant.revoke",
        obj=grant,
        area_path=grant.area.path,
        before={"user": grant.user.username, "role": grant.role.slug, "area": grant.area.code},
    )
    grant.delete()
    forget_grants(grant.user)


# Roles ----------------------------------------------------------------------------------------


@transaction.atomic
def role_update(
    *, actor: Any, role: Role, name: str, description: str, permissions: list[str]
) -> Role:
    if not can(actor, "change", Role, root_path()):
        raise PermissionDenied(gettext("角色由市级管理员维护"))
    added = sorted(set(permissions) - set(role.permissions))
    if not _covers(actor, added, root_path()):
        raise PermissionDenied(
            gettext("不能加入您自己没有的权限：%(value)s") % {"value": "、".join(added)}
        )
    if not (name or "").strip():
        raise ValidationFailed(gettext("角色名称不能为空"))
    before = snapshot(role, ["name", "description", "permissions"])
    role.name, role.description = name.strip(), description.strip()
    role.permissions = sorted(set(permissions))
    try:
        with transaction.atomic():
            role.save()
    except IntegrityError as exc:
        raise ValidationFailed(gettext("已有同名角色"), code="duplicate") from exc
    audit_record(
        actor=actor,
        action="role.update",
        obj=role,
        area_path=root_path(),
        before=before,
        after=snapshot(role, ["name", "description", "permissions"]),
    )
    return role


# Liaisons (包片联系) -----------------------------------------------------------------------------


@transaction.atomic
def liaison_create(
    *, actor: Any, area: Area, leader: User | None = None, unit: Unit | None = None, note: str = ""
) -> Liaison:
    area = _current_area(area, gettext("联系街道"))
    if area.level != "street":
        raise ValidationFailed(gettext("包片联系的对象须为街道（乡镇）"))
    if leader is None and unit is None:
        raise ValidationFailed(gettext("请选择联系领导或联系单位"))
    _require(actor, "add", Liaison, area.path, gettext("包片联系"))
    liaison = Liaison.objects.create(area=area, leader=leader, unit=unit, note=note.strip())
    audit_record(
        actor=actor,
        action="liaison.create",
        obj=liaison,
        area_path=area.path,
        after={
            "area": area.code,
            "leader": leader.username if leader else None,
            "unit": unit.name if unit else None,
        },
    )
    return liaison


@transaction.atomic
def liaison_delete(*, actor: Any, liaison: Liaison) -> None:
    _require(actor, "delete", Liaison, liaison.area.path, gettext("包片联系"))
    audit_record(
        actor=actor,
        action="liaison.delete",
        obj=liaison,
        area_path=liaison.area.path,
        before={"area": liaison.area.code},
    )
    liaison.delete()


# API tokens -----------------------------------------------------------------------------------


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor: Any, user: User, name: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and never stored. It expires after ``days``
    (default ZHILI_TOKEN_DAYS; 0: never)."""
    if actor is not None and actor.pk != user.pk:
        path = user.area.path if user.area else root_path()
        _require(actor, "change", User, path, gettext("用户"))
        _require_outranks(actor, user)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    if days is None:
        days = int(getattr(settings, "ZHILI_TOKEN_DAYS", 90))
    expires = timezone.now() + dt.timedelta(days=days) if days > 0 else None
    token = ApiToken.objects.create(
        user=user, name=name[:64], prefix=raw[:10], key_hash=token_hash(raw), expires_at=expires
    )
    audit_record(
        actor=actor,
        action="token.create",
        obj=token,
        area_path=user.area.path if user.area else root_path(),
        after={"user": user.username, "prefix": token.prefix},
    )
    return token, raw


def token_authenticate(raw: str) -> User | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    # key_hash is unique: a slice, not first(), which would order by id for nothing.
    found = ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw))[:1]
    token = next(iter(found), None)
    now = timezone.now()
    if token is None or token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> None:
    """``actor`` None: the operator at the command line."""
    if actor is not None and actor.pk != token.user_id:
        path = token.user.area.path if token.user.area else root_path()
        _require(actor, "change", User, path, gettext("用户"))
        _require_outranks(actor, token.user)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action="token.revoke",
        obj=token,
        area_path=token.user.area.path if token.user.area else root_path(),
    )

"""Business parameters an administrator changes without a deploy (业务参数).

Each app declares its parameters in ``<app>/tunables.py`` (``TUNABLES = [Tunable(...), ...]``);
core finds them the way it finds ``permissions.py``. A parameter's shipped default is the
Django setting it names (so ``zhili.env`` still sets the starting value) or its own ``default``;
an administrator's value is a ``core.TunableValue`` row, written by ``tunable_set`` with an audit
record (before/after and the reason). ``value(key)`` answers from a per-process cache that this
process clears at once on a write (and again when the write commits) and other processes reload
within ``CACHE_SECONDS``, as the working-day calendar's overrides do.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import time
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.core.audit import audit_record, root_path
from zhili.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhili.core.scoping import can
from zhili.core.validation import clean_text

CACHE_SECONDS = 60

labels.register_audit({"tunable.set": _("修改业务参数"), "tunable.reset": _("恢复业务参数默认值")})
labels.register_audit_fields("core.tunablevalue", {"key": _("参数"), "value": _("取值")})


@dataclass(frozen=True)
class Tunable:
    """One parameter: ``kind`` is "int" or "float"; ``unit`` is what a person reads after the
    number ("天", "个工作日", "小时", "%"...); ``setting`` names the Django setting of the
    shipped default."""

    key: str  # "<app>.<name>"
    label: Any
    group: Any
    default: float
    minimum: float
    maximum: float
    kind: str = "int"
    unit: Any = ""
    setting: str = ""
    help: Any = ""
    order: int = 0

    def shipped(self) -> float:
        raw = getattr(settings, self.setting, self.default) if self.setting else self.default
        return self.coerce(raw)

    def coerce(self, raw: Any) -> float:
        number = float(raw)
        return int(number) if self.kind == "int" else number


_registry: dict[str, Tunable] = {}
_discovered = False
_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def register(*tunables: Tunable) -> None:
    for t in tunables:
        if t.kind not in ("int", "float"):
            raise ValueError(f"{t.key}: kind must be int or float")
        _registry[t.key] = t


def registry() -> dict[str, Tunable]:
    """Every declared parameter (each installed app's ``tunables`` module, imported once)."""
    global _discovered
    if not _discovered:
        for config in apps.get_app_configs():
            name = f"{config.name}.tunables"
            if config.name != "zhili.core" and importlib.util.find_spec(name) is not None:
                module = importlib.import_module(name)
                register(*getattr(module, "TUNABLES", ()))
        _discovered = True
    return _registry


def definition(key: str) -> Tunable:
    found = registry().get(key)
    if found is None:
        raise NotFound(gettext("没有该业务参数"), code="tunable_not_found")
    return found


def _stored() -> dict[str, Any]:
    from zhili.core.models import TunableValue

    now = time.monotonic()
    hit = _cache.get("values")
    if hit is None or now - hit[0] > CACHE_SECONDS:
        hit = (now, dict(TunableValue.objects.values_list("key", "value")))
        _cache["values"] = hit
    return hit[1]


def forget() -> None:
    """Drop this process's cache (a write does; tests do between tests)."""
    _cache.clear()


def value(key: str) -> Any:
    """The parameter's value now: the administrator's, else the shipped default."""
    t = definition(key)
    stored = _stored().get(key)
    if stored is None:
        return t.shipped()
    try:
        return t.coerce(stored)
    except (TypeError, ValueError):
        return t.shipped()


@dataclass
class TunableRow:
    tunable: Tunable
    value: Any
    shipped: Any

    @property
    def changed(self) -> bool:
        return self.value != self.shipped


def tunable_rows() -> list[tuple[str, list[TunableRow]]]:
    """The parameters by group, for the page (order of declaration within a group)."""
    stored = _stored()
    groups: dict[str, list[TunableRow]] = {}
    for t in sorted(registry().values(), key=lambda t: (str(t.group), t.order, t.key)):
        shipped = t.shipped()
        current = t.coerce(stored[t.key]) if stored.get(t.key) is not None else shipped
        groups.setdefault(str(t.group), []).append(TunableRow(t, current, shipped))
    return list(groups.items())


def tunables_may_change(user: Any) -> bool:
    from zhili.core.models import TunableValue

    return can(user, "change", TunableValue, root_path())


def _parse(t: Tunable, raw: Any) -> float:
    try:
        number = float(str(raw).strip())
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            gettext("“%(label)s”须为数字") % {"label": t.label}, code="invalid_number"
        ) from exc
    if not math.isfinite(number):
        raise ValidationFailed(
            gettext("“%(label)s”须为数字") % {"label": t.label}, code="invalid_number"
        )
    if t.kind == "int" and number != int(number):
        raise ValidationFailed(
            gettext("“%(label)s”须为整数") % {"label": t.label}, code="invalid_number"
        )
    if not t.minimum <= number <= t.maximum:
        raise ValidationFailed(
            gettext("“%(label)s”须在 %(coerce)s 到 %(coerce2)s %(unit)s之间")
            % {
                "label": t.label,
                "coerce": t.coerce(t.minimum),
                "coerce2": t.coerce(t.maximum),
                "unit": t.unit,
            },
            code="out_of_range",
            detail={"minimum": t.minimum, "maximum": t.maximum},
        )
    return t.coerce(number)


@transaction.atomic
def tunable_set(*, actor: Any, key: str, value: Any, reason: str) -> Any:
    """Change one parameter (city administrators); ``value`` None or "" restores the default."""
    from zhili.core.models import TunableValue

    if not tunables_may_change(actor):
        raise PermissionDenied(gettext("业务参数由市级管理员维护"))
    t = definition(key)
    reason = clean_text(reason, gettext("修改理由"), limit=500)
    row = TunableValue.objects.select_for_update().filter(key=key).first()
    before = t.coerce(row.value) if row is not None else t.shipped()
    if value is None or str(value).strip() == "":
        if row is not None:
            row.delete()
        after, action = t.shipped(), "tunable.reset"
    else:
        after, action = _parse(t, value), "tunable.set"
        if row is None:
            row = TunableValue(key=key)
        row.value, row.updated_by = after, actor
        row.save()
    record: dict[str, Any] = {
        "actor": actor,
        "object_type": "core.tunablevalue",
        "object_id": key,
        "object_repr": str(t.label),
        "area_path": root_path(),
        "before": {"key": key, "value": before},
        "after": {"key": key, "value": after},
        "note": reason,
    }
    if action == "tunable.reset":  # the audit actions are literals (tests/test_audit_labels)
        audit_record(action="tunable.reset", **record)
    else:
        audit_record(action="tunable.set", **record)
    forget()
    transaction.on_commit(forget)
    return after

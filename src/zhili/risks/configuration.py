"""The register's configuration, kept by the city: risk matrices (frozen once used) and the
level policies (handling limit, review cadence, escalation)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from zhili.core.audit import audit_record
from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.core.scoping import can
from zhili.core.validation import clean_text
from zhili.risks.models import Level, LevelPolicy, RiskMatrix


def default_matrix() -> RiskMatrix:
    found = RiskMatrix.objects.filter(is_default=True).order_by("-id").first()
    if found is None:
        raise NotFound(gettext("没有默认风险矩阵"), code="no_matrix")
    return found


def matrix_cells_5x5() -> list[list[str]]:
    """Default 5 × 5: score = likelihood × impact; 1–4 蓝, 5–9 黄, 10–14 橙, 15–25 红."""

    def level(score: int) -> str:
        if score >= 15:
            return Level.RED
        if score >= 10:
            return Level.ORANGE
        if score >= 5:
            return Level.YELLOW
        return Level.BLUE

    return [[level(li * im) for im in range(1, 6)] for li in range(1, 6)]


@transaction.atomic
def matrix_save(
    *,
    actor: Any,
    name: str,
    cells: list[list[str]],
    likelihood_labels: list[str],
    impact_labels: list[str],
    matrix: RiskMatrix | None = None,
    make_default: bool = False,
) -> RiskMatrix:
    """Create a matrix, or change one that no assessment has used yet (used ones are frozen)."""
    if not can(actor, "change", RiskMatrix, f"{_root()}/") and not getattr(
        actor, "is_superuser", False
    ):
        raise PermissionDenied(gettext("风险矩阵由市级管理员维护"))
    if not cells or any(len(row) != len(cells[0]) for row in cells):
        raise ValidationFailed(gettext("矩阵须为规则的行列"), code="invalid_matrix")
    if any(c not in Level.values for row in cells for c in row):
        raise ValidationFailed(
            gettext("矩阵单元须为 red/orange/yellow/blue"), code="invalid_matrix"
        )
    if len(likelihood_labels) != len(cells) or len(impact_labels) != len(cells[0]):
        raise ValidationFailed(gettext("刻度数量须与矩阵大小一致"), code="invalid_matrix")
    if matrix is not None:
        matrix = RiskMatrix.objects.select_for_update().get(pk=matrix.pk)
        if matrix.frozen:
            raise Conflict(
                gettext("该矩阵已被评估使用，已冻结，不能修改；请另建新矩阵"), code="matrix_frozen"
            )
    else:
        matrix = RiskMatrix()
    matrix.name, matrix.cells = clean_text(name, gettext("矩阵名称"), limit=80), cells
    matrix.likelihood_labels, matrix.impact_labels = likelihood_labels, impact_labels
    if make_default:
        RiskMatrix.objects.update(is_default=False)
        matrix.is_default = True
    matrix.save()
    audit_record(
        actor=actor,
        action="risk.matrix_save",
        obj=matrix,
        area_path=f"{_root()}/",
        after={"name": matrix.name, "cells": cells},
    )
    return matrix


def _root() -> str:
    return str(settings.ZHILI_ROOT_CODE)


def policy_of(level: str) -> LevelPolicy:
    policy = LevelPolicy.objects.filter(level=level).first()
    if policy is None:
        raise NotFound(gettext("没有 %(level)s 级的管控规则") % {"level": level}, code="no_policy")
    return policy


@transaction.atomic
def policy_update(
    *, actor: Any, level: str, handle_days: int, review_days: int, escalate: bool
) -> LevelPolicy:
    """分级管控规则: handling limit, review cadence and automatic escalation for one level."""
    if not can(actor, "change", LevelPolicy, f"{_root()}/"):
        raise PermissionDenied(gettext("分级管控规则由市级管理员维护"))
    if not (1 <= handle_days <= 365 and 1 <= review_days <= 365):
        raise ValidationFailed(gettext("天数须在 1 到 365 之间"), code="out_of_range")
    policy = LevelPolicy.objects.select_for_update().filter(level=level).first()
    if policy is None:
        raise NotFound(gettext("没有该等级"), code="no_policy")
    before = {
        "handle_days": policy.handle_days,
        "review_days": policy.review_days,
        "escalate": policy.escalate,
    }
    policy.handle_days, policy.review_days, policy.escalate = handle_days, review_days, escalate
    policy.save()
    audit_record(
        actor=actor,
        action="risk.policy_update",
        obj=policy,
        area_path=f"{_root()}/",
        before=before,
        after={"handle_days": handle_days, "review_days": review_days, "escalate": escalate},
    )
    return policy

"""Reads of the screens app: the managed centres (scoped) and a kiosk's device by its token."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from zhili.core.scoping import one_visible
from zhili.screens.models import DutyShift, Notice, ScreenDevice, ServiceCentre
from zhili.screens.services import TOKEN_PREFIX, token_hash


def centre_list(user: Any) -> QuerySet[ServiceCentre]:
    return ServiceCentre.objects.visible_to(user).select_related("area")


def centre_get(user: Any, pk: int) -> ServiceCentre:
    return one_visible(centre_list(user).filter(pk=pk), noun=gettext("便民服务中心"))


def centre_devices(user: Any, centre: ServiceCentre) -> QuerySet[ScreenDevice]:
    return ScreenDevice.objects.visible_to(user).filter(centre=centre)


def centre_notices(user: Any, centre: ServiceCentre) -> QuerySet[Notice]:
    return Notice.objects.visible_to(user).filter(centre=centre)[:50]


def centre_duties(user: Any, centre: ServiceCentre) -> QuerySet[DutyShift]:
    return DutyShift.objects.visible_to(user).filter(centre=centre).order_by("-day")[:50]


def device_get(user: Any, pk: int) -> ScreenDevice:
    return one_visible(
        ScreenDevice.objects.visible_to(user).filter(pk=pk).select_related("centre"),
        noun=gettext("公示屏设备"),
    )


def notice_get(user: Any, pk: int) -> Notice:
    return one_visible(Notice.objects.visible_to(user).filter(pk=pk).select_related("centre"))


def device_for_token(token: str) -> ScreenDevice | None:
    """The active device holding ``token`` (None for an unknown or revoked one)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    return (
        ScreenDevice.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .select_related("centre", "centre__area")
        .first()
    )

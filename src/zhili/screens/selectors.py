"""Reads of the screens app: the managed centres, their staff and ratings (scoped), a kiosk's
device by its token and a centre by its public rating code."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from zhili.core.scoping import one_visible
from zhili.screens.models import (
    CentreStaff,
    DutyShift,
    Notice,
    ScreenDevice,
    ServiceCentre,
    StaffRating,
)
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


def centre_staff(user: Any, centre: ServiceCentre) -> QuerySet[CentreStaff]:
    return (
        CentreStaff.objects.visible_to(user)
        .filter(centre=centre)
        .select_related("user")
        .order_by("-active", "name", "id")
    )


def staff_get(user: Any, pk: int) -> CentreStaff:
    return one_visible(
        CentreStaff.objects.visible_to(user).filter(pk=pk).select_related("centre"),
        noun=gettext("服务人员"),
    )


def centre_ratings(user: Any, centre: ServiceCentre, *, staff: Any = None) -> QuerySet[StaffRating]:
    """The centre's ratings with their comments, newest first (for those who hold
    ``staffrating.view`` over the centre: an empty list for anyone else)."""
    qs = StaffRating.objects.visible_to(user).filter(centre=centre).select_related("staff")
    if staff is not None:
        qs = qs.filter(staff=staff)
    return qs


def rating_list(
    user: Any, *, centre_id: int | None = None, staff_id: int | None = None
) -> QuerySet[StaffRating]:
    """Every rating the user may read (any centre under their grants), optionally one centre's
    or one staff member's."""
    qs = StaffRating.objects.visible_to(user).select_related("staff")
    if centre_id is not None:
        qs = qs.filter(centre_id=centre_id)
    if staff_id is not None:
        qs = qs.filter(staff_id=staff_id)
    return qs


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


def centre_for_rating(code: str) -> ServiceCentre | None:
    """The centre whose public rating page ``code`` opens (anyone may: it is on the screen)."""
    code = (code or "").strip().lower()
    if not code or len(code) > 16:
        return None
    return ServiceCentre.objects.filter(rating_code=code).select_related("area").first()


def rating_choices(centre: ServiceCentre, today: Any) -> list[CentreStaff]:
    """The staff a resident may rate: the centre's active staff, today's duty first."""
    on_duty = set(
        DutyShift.objects.filter(centre=centre, day=today).values_list("staff_id", flat=True)
    )
    staff = list(CentreStaff.objects.filter(centre=centre, active=True).order_by("name", "id"))
    return sorted(staff, key=lambda s: s.pk not in on_duty)

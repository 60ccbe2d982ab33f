"""Coordinates as Chinese map SDKs and hotline systems send them, made WGS-84.

高德 and 腾讯 give GCJ-02, 百度 gives BD-09; both are offset by several hundred metres from the
WGS-84 the boundaries (and GPS) use. Every point is converted here before it is stored or located;
the conversion is the ``coordTransform`` package's (the published GCJ-02 formula; the inverse is
accurate to well under a metre in Chongqing).
"""

from __future__ import annotations

from typing import Literal

import coordTransform
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core.errors import ValidationFailed

CoordSystem = Literal["wgs84", "gcj02", "bd09"]

COORD_SYSTEMS = {
    "wgs84": _("WGS-84（GPS、天地图）"),
    "gcj02": _("GCJ-02（高德、腾讯）"),
    "bd09": _("BD-09（百度）"),
}


def to_wgs84(lat: float, lng: float, system: str = "wgs84") -> tuple[float, float]:
    """(lat, lng) in WGS-84 from a point in ``system``; rounded to 7 decimals (≈ 1 cm)."""
    system = (system or "wgs84").strip().lower().replace("-", "").replace("_", "")
    if system == "wgs84":
        return lat, lng
    if system == "gcj02":
        x, y = coordTransform.gcj02_to_wgs84(lng, lat)
    elif system == "bd09":
        x, y = coordTransform.bd09_to_wgs84(lng, lat)
    else:
        raise ValidationFailed(
            gettext("坐标系只能是 wgs84、gcj02 或 bd09"), code="invalid_coord_system"
        )
    return round(float(y), 7), round(float(x), 7)

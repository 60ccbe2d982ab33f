from django.apps import AppConfig
from django.utils.translation import gettext_lazy

from zhili.core.navigation import NavItem


class AreasConfig(AppConfig):
    name = "zhili.areas"
    label = "areas"
    verbose_name = gettext_lazy("区划与网格")
    nav = [
        NavItem(gettext_lazy("区划与网格"), "areas:tree", "areas.Area", order=10),
        NavItem(
            gettext_lazy("区域边界地图"),
            "areas:boundaries",
            "areas.Boundary",
            group=gettext_lazy("统计与地图"),
            order=40,
        ),
    ]

    def ready(self) -> None:
        from zhili.areas.models import Area
        from zhili.core import labels, lookups

        lookups.watch("areas", Area)  # area_by_code's memo (loader and changes call changed())
        labels.register_audit_reference("areas.area", _area_name)


def _area_name(pk: int) -> str | None:
    """An area as an audit record's reference reads: 七星岗街道（500103001）."""
    from zhili.areas.models import Area
    from zhili.areas.selectors import area_by_id

    try:
        area = area_by_id(pk)
    except Area.DoesNotExist:  # a row gone keeps its id
        return None
    return f"{area.name}（{area.code}）"

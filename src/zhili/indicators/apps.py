from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class IndicatorsConfig(AppConfig):
    name = "zhili.indicators"
    label = "indicators"
    verbose_name = _("平安指标")
    nav = [
        NavItem(
            _("平安指标"),
            "indicators:values",
            "indicators.IndicatorValue",
            group=_("统计与地图"),
            order=60,
        ),
        NavItem(
            _("安全感调查"),
            "indicators:survey",
            "indicators.SurveyWave",
            group=_("统计与地图"),
            order=61,
        ),
        NavItem(
            _("平安创建"),
            "indicators:creation",
            "indicators.CreationSheet",
            group=_("统计与地图"),
            order=62,
        ),
    ]

    def ready(self) -> None:
        from zhili.indicators import labels  # noqa: F401

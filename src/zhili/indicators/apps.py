from django.apps import AppConfig

from zhili.core.navigation import NavItem


class IndicatorsConfig(AppConfig):
    name = "zhili.indicators"
    label = "indicators"
    verbose_name = "平安指标"
    nav = [
        NavItem(
            "平安指标",
            "indicators:values",
            "indicators.IndicatorValue",
            group="统计与地图",
            order=60,
        ),
        NavItem(
            "安全感调查", "indicators:survey", "indicators.SurveyWave", group="统计与地图", order=61
        ),
        NavItem(
            "平安创建",
            "indicators:creation",
            "indicators.CreationSheet",
            group="统计与地图",
            order=62,
        ),
    ]

    def ready(self) -> None:
        from zhili.indicators import labels  # noqa: F401

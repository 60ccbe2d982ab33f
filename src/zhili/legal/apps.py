from django.apps import AppConfig

from zhili.core.navigation import NavItem


class LegalConfig(AppConfig):
    name = "zhili.legal"
    label = "legal"
    verbose_name = "一村（社区）一法律顾问"
    nav = [
        NavItem("法律顾问", "legal:home", "legal.Coverage", group="基层自治", order=52),
        NavItem("法律审查", "legal:reviews", "legal.Review", group="基层自治", order=53),
    ]

    def ready(self) -> None:
        from zhili.legal import labels, workflow  # noqa: F401  (registers the labels)

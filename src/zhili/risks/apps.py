from django.apps import AppConfig

from zhili.core.navigation import NavItem


class RisksConfig(AppConfig):
    name = "zhili.risks"
    label = "risks"
    verbose_name = "风险台账"
    nav = [
        NavItem("风险台账", "risks:register", "risks.Risk", order=30),
        NavItem("风险线索", "risks:candidates", "risks.RiskCandidate", order=31),
    ]

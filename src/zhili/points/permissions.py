"""Default grants of the points bank, and the roles it introduces (merged by
``org.permissions.default_roles``; ``city_admin`` holds every permission)."""

from django.utils.translation import gettext_lazy

ROLES = {
    "points_scorer": (
        gettext_lazy("积分评分员"),
        gettext_lazy("村（社区）评分员：为农户记录积分事项（附照片），查看本村积分"),
    ),
    "points_supervisor": (
        gettext_lazy("积分审核员"),
        gettext_lazy("村务监督委员会：审核评分员的记录（不能审核本人记录），处理异议和申诉"),
    ),
    "points_committee": (
        gettext_lazy("村积分管理"),
        gettext_lazy(
            "村（社区）两委：维护农户、积分规则和超市商品，发布规则版本，冲正流水，查看对账"
        ),
    ),
    "points_shopkeeper": (
        gettext_lazy("积分超市管理员"),
        gettext_lazy("积分超市：为农户下单兑换、登记领取、取消兑换"),
    ),
}

DEFAULT_GRANTS = {
    "points_scorer": [
        "points.household.view",
        "points.ruleversion.view",
        "points.record.view",
        "points.record.record",
        "points.account.view",
    ],
    "points_supervisor": [
        "points.household.view",
        "points.ruleversion.view",
        "points.record.view",
        "points.record.approve",
        "points.record.object",
        "points.record.resolve",
        "points.account.view",
    ],
    "points_committee": [
        "points.household.*",
        "points.ruleversion.*",
        "points.record.view",
        "points.record.object",
        "points.account.*",
        "points.transfer.view",
        "points.goods.*",
        "points.order.view",
        "points.villagepoints.*",
    ],
    "points_shopkeeper": [
        "points.household.view",
        "points.account.view",
        "points.goods.view",
        "points.goods.stock",
        "points.order.*",
    ],
    "district_officer": [
        "points.household.view",
        "points.ruleversion.*",
        "points.record.view",
        "points.account.view",
        "points.account.reconcile",
        "points.transfer.view",
        "points.order.view",
        "points.goods.view",
        "points.villagepoints.view",
    ],
    "street_worker": [
        "points.household.view",
        "points.ruleversion.view",
        "points.record.view",
        "points.account.view",
        "points.transfer.view",
        "points.order.view",
        "points.goods.view",
        "points.villagepoints.view",
    ],
}

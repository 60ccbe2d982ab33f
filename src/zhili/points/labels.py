"""Labels of the points bank's audit actions and notice kinds (its workflow actions are labelled
beside the rules tables in workflow.py)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels

labels.register_audit(
    {
        "points.reconcile_difference": _("积分对账差异"),
        "points.transfer_reverse": _("积分流水冲正"),
        "points.rules_publish": _("发布积分规则版本"),
        "points.household_create": _("新增农户"),
        "points.budget_allocate": _("积分预算拨付"),
        "points.goods_stock": _("商品入库"),
        "points.goods_create": _("新增超市商品"),
        "points.member_add": _("新增家庭成员"),
        "points.households_import": _("导入农户表"),
        "points.settings_update": _("修改村积分设置"),
        "points.cash_paid": _("收取现金补差"),
    }
)
labels.register_audit_fields("points.household", {"relation": _("与户主关系"), "number": _("户号")})
labels.register_audit_fields(
    "areas.area",
    {
        "households_created": _("新登记农户数"),
        "members_added": _("新增成员数"),
        "households_unchanged": _("已登记未改动的农户数"),
    },
)
labels.register_audit_fields(
    "points.goods", {"quantity": _("入库数量"), "cash_top_up": _("现金补差（元）")}
)
labels.register_audit_fields("points.ruleversion", {"items": _("规则条数")})
labels.register_audit_fields(
    "points.account",
    {
        "amount": _("积分"),
        "transfer": _("原流水"),
        "reversal": _("冲正流水"),
        "debits_posted": _("已入账借方"),
        "credits_posted": _("已入账贷方"),
        "debits_pending": _("冻结借方"),
        "credits_pending": _("冻结贷方"),
    },
)

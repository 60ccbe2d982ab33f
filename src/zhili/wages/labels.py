"""Labels of what the wages services record in the audit trail outside the warning workflow."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.wages.models import ImportKind, MatchedBy, Severity

labels.register_audit(
    {
        "wages.project.add": _("根治欠薪 · 登记在建项目"),
        "wages.project.change": _("根治欠薪 · 修改在建项目"),
        "wages.project.notice_board": _("根治欠薪 · 上传维权信息告示牌"),
        "wages.project.account": _("根治欠薪 · 登记工资专用账户"),
        "wages.project.deposit": _("根治欠薪 · 登记工资保证金"),
        "wages.project.progress": _("根治欠薪 · 填报工程进度"),
        "wages.project.complaint": _("根治欠薪 · 关联欠薪投诉"),
        "wages.project.complaint_auto": _("根治欠薪 · 自动关联欠薪投诉"),
        "wages.import": _("根治欠薪 · 导入数据"),
        "wages.rule.change": _("根治欠薪 · 修改预警规则"),
        "wages.minimum.add": _("根治欠薪 · 新增最低工资标准"),
        "wages.minimum.change": _("根治欠薪 · 修改最低工资标准"),
        "wages.run": _("根治欠薪 · 运行预警规则"),
        "wages.interview.add": _("根治欠薪 · 登记约谈"),
        "wages.blacklist.add": _("根治欠薪 · 列入失信名单"),
        "wages.blacklist.remove": _("根治欠薪 · 移出失信名单"),
        "wages.firm.add": _("根治欠薪 · 登记企业"),
    }
)
labels.register_audit_fields(
    "wages.project",
    {
        "kind": _("导入类型"),
        "rows": _("行数"),
        "file": _("文件名"),
        "sha256": _("文件校验码"),
        "bank": _("开户银行"),
        "matter": _("诉求编号"),
        "month": _("月份"),
        "percent": _("累计进度"),
        "amount": _("金额"),
        "matched_by": _("关联方式"),
    },
    choices={"kind": dict(ImportKind.choices), "matched_by": dict(MatchedBy.choices)},
)
labels.register_audit_fields(
    "wages.wagerule",
    {"severity": _("预警等级")},
    choices={"severity": dict(Severity.choices)},
)
labels.register_audit_fields(
    "",
    {
        "warnings": _("新增预警数"),
        "projects": _("项目数"),
        "assignee": _("处置人"),
        "assignee_name": _("处置人"),
        "number": _("编号"),
        "summary": _("概要"),
        "firm": _("企业"),
        "reason": _("理由"),
    },
)

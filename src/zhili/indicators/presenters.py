"""Plain data from the indicators' selectors, shared by the API, the pages and the cockpit."""

from __future__ import annotations

from typing import Any

from zhili.indicators.models import Indicator
from zhili.indicators.selectors import Figures, SurveyRow


def figures_out(f: Figures) -> dict[str, Any]:
    figures = []
    for ind in Indicator.objects.filter(active=True):
        prev = f.previous.get(ind.code)
        figures.append(
            {
                "indicator": ind.code,
                "name": ind.name,
                "unit_label": ind.unit_label,
                "total": float(f.totals.get(ind.code, 0)),
                "previous": float(prev) if prev is not None else None,
                "components": f.components.get(ind.code, {}),
                "children": {c: float(v.get(ind.code, 0)) for c, v in f.children.items()},
            }
        )
    return {"area": f.area.code, "year": f.year, "months": list(f.months), "figures": figures}


def survey_out(row: SurveyRow, year: int) -> dict[str, Any]:
    r = row.rate
    return {
        "area": row.area.code,
        "name": row.area.name,
        "year": year,
        "valid": r.valid,
        "invalid": r.invalid,
        "planned": row.planned,
        "rate": r.rate,
        "low": r.low,
        "high": r.high,
        "n_eff": round(r.n_eff, 2),
        "confidence": r.confidence,
        "previous_rate": row.previous.rate,
        "change_points": row.change,
    }

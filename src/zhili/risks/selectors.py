"""Reads of the risk register, scoped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from zhili.areas.models import Area
from zhili.core.errors import NotFound
from zhili.core.related import Link, Related, linked_by
from zhili.core.scoping import has_any, path_prefix_q
from zhili.risks.models import (
    PREFILL_FIELDS,
    Assessment,
    Level,
    Measure,
    Risk,
    RiskCandidate,
    RiskElement,
    RiskEvent,
    Status,
)


@dataclass
class RiskFilters:
    status: str = ""
    level: str = ""
    category: str = ""
    area: str = ""
    q: str = ""


def risk_visible(user: Any, action: str = "view") -> QuerySet[Risk]:
    return Risk.objects.visible_to(user, action)


def risk_list(user: Any, f: RiskFilters) -> QuerySet[Risk]:
    qs = risk_visible(user).select_related("area", "responsible_unit", "responsible_person")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.area:
        area = Area.objects.filter(code=f.area).first()
        if area is None:
            raise NotFound(
                gettext("区域 %(area)s 不存在") % {"area": f.area}, code="area_not_found"
            )
        qs = qs.filter(path_prefix_q("area_path", area.path))
    if f.q:
        qs = qs.filter(Q(title__contains=f.q) | Q(number=f.q.strip()))
    return qs


def risk_get(user: Any, number: str) -> Risk:
    risk = (
        risk_visible(user)
        .select_related(
            "area", "responsible_unit", "responsible_person", "escalated_to", "acceptance_by"
        )
        .filter(number=number)
        .first()
    )
    if risk is None:
        raise NotFound(
            gettext("风险 %(number)s 不存在或不在您的管辖范围内") % {"number": number},
            code="risk_not_found",
        )
    return risk


def candidate_list(user: Any, *, status: str = "proposed") -> QuerySet[RiskCandidate]:
    return (
        RiskCandidate.objects.visible_to(user)
        .filter(status=status)
        .select_related("area")
        .order_by("-id")
    )


@dataclass
class CandidateRow:
    """A candidate with the numbers of its matters, dispute and risk the user may see."""

    candidate: RiskCandidate
    matters: list[str]
    dispute: str | None
    risk: str | None


def candidate_page(user: Any, *, status: str = "proposed", limit: int = 200) -> list[CandidateRow]:
    """A page of candidates; what they link to is read through each app's scoping (three queries
    for the page), so a number the user could not open is not shown."""
    from zhili.disputes.selectors import dispute_visible
    from zhili.matters.selectors import matter_visible

    rows = list(candidate_list(user, status=status)[:limit])
    through: Any = RiskCandidate.matters.through
    pairs = list(
        through.objects.filter(riskcandidate_id__in=[c.pk for c in rows]).values_list(
            "riskcandidate_id", "matter_id"
        )
    )
    matters = dict(
        matter_visible(user).filter(pk__in={m for _c, m in pairs}).values_list("pk", "number")
    )
    disputes: dict[Any, str] = dict(
        dispute_visible(user)
        .filter(pk__in={c.dispute_id for c in rows if c.dispute_id})
        .values_list("pk", "number")
    )
    risks: dict[Any, str] = dict(
        risk_visible(user)
        .filter(pk__in={c.risk_id for c in rows if c.risk_id})
        .values_list("pk", "number")
    )
    return [
        CandidateRow(
            candidate=c,
            matters=sorted(matters[m] for cid, m in pairs if cid == c.pk and m in matters),
            dispute=disputes.get(c.dispute_id),
            risk=risks.get(c.risk_id),
        )
        for c in rows
    ]


def candidate_get(user: Any, pk: Any) -> RiskCandidate:
    found = (
        RiskCandidate.objects.visible_to(user)
        .filter(pk=_int_or_zero(pk))
        .select_related("area", "dispute")
        .first()
    )
    if found is None:
        raise NotFound(gettext("风险线索不存在或不在您的管辖范围内"))
    return found


def map_counts(user: Any) -> dict[str, dict[str, int]]:
    """Open red and orange risks per district in the user's scope, for the risk map."""
    rows = (
        risk_visible(user)
        .filter(status=Status.OPEN, level__in=[Level.RED, Level.ORANGE])
        .values_list("area_path", "level")
    )
    out: dict[str, dict[str, int]] = {}
    for path, level in rows:
        parts = [p for p in path.split("/") if p]
        district = parts[1] if len(parts) > 1 else parts[0]
        out.setdefault(district, {"red": 0, "orange": 0})[level] += 1
    return out


def level_counts(user: Any) -> dict[str, int]:
    rows = risk_visible(user).filter(status=Status.OPEN).values("level").annotate(n=Count("id"))
    return {r["level"] or "unrated": r["n"] for r in rows}


def risks_for_matter(user: Any, matter: Any) -> QuerySet[Risk]:
    return risk_visible(user).filter(matter=matter)


def risks_for_dispute(user: Any, dispute: Any) -> QuerySet[Risk]:
    """The risks registered from a dispute that the user may see (for the dispute's page)."""
    return risk_visible(user).filter(dispute=dispute).only("number", "title", "level", "status")


# -- one risk: its parts, and what it links to (read through the linking app's scoping) ---------


def risk_elements(risk: Risk) -> QuerySet[RiskElement]:
    return RiskElement.objects.filter(risk=risk).order_by("id")


def risk_assessments(risk: Risk) -> QuerySet[Assessment]:
    return Assessment.objects.filter(risk=risk).select_related("assessor").order_by("id")


def risk_measures(risk: Risk) -> QuerySet[Measure]:
    return Measure.objects.filter(risk=risk).select_related("owner")


def measure_get(risk: Risk, pk: Any) -> Measure:
    """A measure of a risk the caller already read through ``risk_get``."""
    found = risk_measures(risk).filter(pk=_int_or_zero(pk)).first()
    if found is None:
        raise NotFound(gettext("该措施不存在"), code="measure_not_found")
    return found


def risk_events(risk: Risk) -> QuerySet[RiskEvent]:
    return (
        RiskEvent.objects.filter(risk=risk)
        .select_related("actor")
        .prefetch_related("attachments")
        .order_by("id")
    )


def _int_or_zero(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@dataclass
class Links:
    """A risk's source matter and dispute and the disputes of its matter, each only if the user
    may see it (through ``matters.selectors`` / ``disputes.selectors``): a number the user could
    not open is not shown."""

    matter: Any = None
    dispute: Any = None
    disputes: list[Any] = field(default_factory=list)


def risk_links(user: Any, risk: Risk) -> Links:
    from zhili.disputes.selectors import dispute_visible
    from zhili.matters.selectors import matter_visible

    links = Links()
    if risk.matter_id:
        links.matter = (
            matter_visible(user).filter(pk=risk.matter_id).only("number", "title").first()
        )
        links.disputes = list(
            dispute_visible(user)
            .filter(matter_id=risk.matter_id)
            .only("number", "subject", "status")
            .order_by("id")
        )
    if risk.dispute_id:
        links.dispute = (
            dispute_visible(user).filter(pk=risk.dispute_id).only("number", "subject").first()
        )
    return links


def visible_sources(user: Any, risks: list[Risk]) -> tuple[dict[int, str], dict[int, str]]:
    """Numbers of the matters and disputes these risks came from, for those the user may see
    (id -> number; two queries for a page of risks)."""
    from zhili.disputes.selectors import dispute_visible
    from zhili.matters.selectors import matter_visible

    matter_ids = {r.matter_id for r in risks if r.matter_id}
    dispute_ids = {r.dispute_id for r in risks if r.dispute_id}
    matters: dict[int, str] = (
        dict(matter_visible(user).filter(pk__in=matter_ids).values_list("pk", "number"))
        if matter_ids
        else {}
    )
    disputes: dict[int, str] = (
        dict(dispute_visible(user).filter(pk__in=dispute_ids).values_list("pk", "number"))
        if dispute_ids
        else {}
    )
    return matters, disputes


def candidate_prefill(candidate: RiskCandidate) -> dict[str, Any]:
    """The register form's fields a proposing module filled in (only the form's own fields)."""
    prefill = (candidate.evidence or {}).get("prefill") or {}
    return {k: str(v) for k, v in prefill.items() if k in PREFILL_FIELDS}


def candidate_first_matter(user: Any, candidate: RiskCandidate) -> Any:
    """The earliest matter behind a hot-spot candidate that the user may see (for the prefill)."""
    from zhili.matters.selectors import matter_visible

    return (
        matter_visible(user)
        .filter(pk__in=candidate.matters.values("pk"))
        .select_related("area")
        .order_by("id")
        .first()
    )


def settings_data() -> dict[str, Any]:
    """Level policies and matrices (city-wide configuration, readable by any risk viewer)."""
    from zhili.risks.models import LevelPolicy, RiskMatrix

    return {
        "policies": list(LevelPolicy.objects.all()),
        "matrices": list(RiskMatrix.objects.order_by("-is_default", "-id")),
    }


def risks_from_matter(user: Any, matter: Any) -> QuerySet[Risk]:
    """The risks registered from a matter that the user may see."""
    return risk_visible(user).filter(matter=matter)


@linked_by(risks_from_matter)
def risks_of_matter(user: Any, matter: Any, *, linked: bool = True) -> Related | None:
    """A matter page's links to the risks registered from it (scoped), and "登记为风险" for
    those who may register one (core.related; declared in RisksConfig.related)."""
    risks = list(risks_from_matter(user, matter).only("number", "title")) if linked else []
    may_add = has_any(user, Risk, "add")
    if not risks and not may_add:
        return None
    return Related(
        items=[
            Link(
                gettext("风险 %(number)s · %(title)s") % {"number": r.number, "title": r.title},
                reverse("risks:detail", args=[r.number]),
            )
            for r in risks
        ],
        actions=[Link(gettext("登记为风险"), f"{reverse('risks:create')}?matter={matter.number}")]
        if may_add
        else [],
        order=10,
    )

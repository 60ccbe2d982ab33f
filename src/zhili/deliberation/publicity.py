"""What is on public display now: the resolutions and results of 四议两公开 and the notices of
一事一议 within their windows. Public data (no personal fields), read without a user: the public
page and, later, the notice screens call ``current_publicity``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhili.core.scoping import path_prefix_q
from zhili.deliberation.models import Project, ProjectStatus, Stage, Step


@dataclass(frozen=True)
class Publicity:
    kind: str  # "决议公开", "实施结果公开", "一事一议公告"
    title: str
    area: str
    area_code: str
    text: str
    public_from: dt.date
    public_until: dt.date
    url: str


def current_publicity(*, on: dt.date | None = None, under: str = "") -> list[Publicity]:
    """Everything whose window contains ``on`` (today), under an area path if given."""
    day = on or timezone.localdate()
    steps = Step.objects.filter(
        stage__in=[Stage.RESOLUTION, Stage.RESULT], public_from__lte=day, public_until__gte=day
    ).select_related("deliberation", "deliberation__area")
    projects = (
        Project.objects.filter(notice_from__lte=day, notice_until__gte=day)
        .exclude(status=ProjectStatus.REJECTED)
        .select_related("area")
    )
    if under:
        steps = steps.filter(path_prefix_q("area_path", under))
        projects = projects.filter(path_prefix_q("area_path", under))
    out = [
        Publicity(
            kind=str(Stage(s.stage).label),
            title=s.deliberation.title,
            area=s.deliberation.area.name,
            area_code=s.deliberation.area.code,
            text=s.text,
            public_from=s.public_from,  # type: ignore[arg-type]
            public_until=s.public_until,  # type: ignore[arg-type]
            url=reverse("deliberation_public:item", args=[s.deliberation.number]),
        )
        for s in steps.order_by("-public_from", "-id")
    ]
    out += [
        Publicity(
            kind=gettext("一事一议公告"),
            title=p.title,
            area=p.area.name,
            area_code=p.area.code,
            text=gettext(
                "%(description)s\n每人筹资 %(money_per_person)s 元，每人筹劳 %(labour_per_person)s 个工日；项目预算 %(budget)s 元。"
            )
            % {
                "description": p.description,
                "money_per_person": p.money_per_person,
                "labour_per_person": p.labour_per_person,
                "budget": p.budget,
            },
            public_from=p.notice_from,  # type: ignore[arg-type]
            public_until=p.notice_until,  # type: ignore[arg-type]
            url=reverse("deliberation_public:project", args=[p.number]),
        )
        for p in projects.order_by("-notice_from", "-id")
    ]
    return out

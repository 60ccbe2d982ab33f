from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.utils.translation import gettext
from ninja import Schema
from pydantic import Field

from zhili.core.schemas import TypedIn


class CategoryOut(Schema):
    code: str
    name: str
    group: str | None
    topic: str
    topic_label: str
    handling_mode: str
    handling_mode_label: str
    limits: dict[str, list[Any]]
    hint: str
    questions: list[dict[str, Any]]
    allow_anonymous: bool


class MatterIn(TypedIn):
    category: str = Field(max_length=64, description="分类代码")
    channel: str = Field(
        default="staff",
        max_length=32,
        description="staff/grid/building_day/hotline/web/referral（open311 仅由 Open311 接口设定）",
    )
    title: str = Field(default="", max_length=120)
    description: str = Field(min_length=1, max_length=4000)
    area: str | None = Field(default=None, max_length=32, description="区域代码（街道及以下）")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    coord_system: Literal["wgs84", "gcj02", "bd09"] = Field(
        default="wgs84",
        description="lat/lng 的坐标系：wgs84（GPS、天地图）、gcj02（高德、腾讯）、bd09（百度）；"
        "存储一律换算为 WGS-84",
    )
    address: str = Field(default="", max_length=200)
    reporter_name: str = Field(default="", max_length=64)
    reporter_phone: str = Field(default="", max_length=32)
    anonymous: bool = False
    answers: dict[str, Any] = Field(default_factory=dict, max_length=100)


class MatterBatchIn(TypedIn):
    items: list[Annotated[dict[str, Any], Field(max_length=50)]] = Field(
        min_length=1,
        max_length=500,
        description="1–500 件，每件的字段同 POST /matters（MatterIn）；不支持附件",
    )


class MatterBatchItemOut(Schema):
    number: str
    status: str


class MatterBatchOut(Schema):
    items: list[MatterBatchItemOut]


class MatterUnitRef(Schema):
    id: int
    name: str


class MatterOut(Schema):
    number: str
    title: str
    description: str
    category: str
    category_name: str
    channel: str
    status: str
    status_label: str
    triage: str
    area_code: str
    area_name: str
    address: str
    lat: float | None
    lng: float | None
    anonymous: bool
    reporter_name: str
    reporter_phone: str
    lead_unit: MatterUnitRef | None
    suggested_unit: MatterUnitRef | None
    created_at: dt.datetime
    due_at: dt.datetime | None
    handle_due: dt.datetime | None
    overdue: bool
    closed_at: dt.datetime | None
    solved: bool | None
    satisfied: bool | None
    merged_into: str | None
    version: int


class MatterActionOut(Schema):
    action: str
    label: str


class MatterCoUnitOut(Schema):
    id: int
    name: str
    reported_at: dt.datetime | None = Field(description="协办反馈时间（未反馈为 null）")
    report: str


class MatterDetailOut(MatterOut):
    actions: list[MatterActionOut] = Field(
        description="当前用户现在可以执行的动作（按状态和权限，与页面上的按钮相同）"
    )
    co_units: list[MatterCoUnitOut] = Field(
        default_factory=list, description="协办单位及其协办反馈（首接负责：主办单位办结）"
    )
    sampled: bool = Field(default=False, description="自行处置被抽中抽查核实")
    spot_check: str = Field(default="", description="抽查结果：passed、failed，未抽查为空")


class MatterPage(Schema):
    items: list[MatterOut]
    next: str | None


class MatterEventOut(Schema):
    action: str
    label: str = Field(description="动作的名称")
    summary: str = Field(description="详情的文字说明")
    from_status: str
    to_status: str
    from_label: str
    to_label: str
    actor: str
    actor_display: str
    unit: str | None
    at: dt.datetime
    note: str
    data: dict[str, Any]
    attachments: list[str]


# The actions' request bodies (one per action, named in matters/actions.py) -------------------------


class MatterActionIn(TypedIn):
    """What every action takes: the version of the matter the caller read (409 when stale)."""

    version: int | None = Field(
        default=None, description="调用方读到的版本号；已被他人更新时返回 409"
    )

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        """The service's keyword arguments (besides actor, matter and version)."""
        return {}


class MatterNoteIn(MatterActionIn):
    note: str = Field(default="", max_length=4000, description="说明")

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        return {"note": self.note}


class MatterReasonIn(MatterActionIn):
    reason: str = Field(default="", max_length=4000, description="理由（必填；也可写在 note）")
    note: str = Field(default="", max_length=4000, description="同 reason")

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        return {"reason": self.reason or self.note}


class MatterModeIn(MatterReasonIn):
    mode: str = Field(
        default="",
        max_length=16,
        description="四事四办：immediate（小事马上办）、timed（难事限时办）、consult（大事会商办）、"
        "urgent（急事特事特办）",
    )

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        return {"mode": self.mode, **super().inputs(user, matter)}


class MatterTriageIn(MatterReasonIn):
    triage: str = Field(
        default="",
        max_length=16,
        description="分流结果：big（大事）、small（小事）、private（私事）",
    )

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        return {"triage": self.triage, **super().inputs(user, matter)}


class MatterDispatchIn(MatterNoteIn):
    unit: int = Field(description="主办单位 id（可派遣的单位）")
    co_units: list[int] = Field(default_factory=list, max_length=50, description="协办单位 id")

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        from zhili.core.errors import ValidationFailed
        from zhili.matters.selectors import dispatch_units

        wanted = [self.unit, *self.co_units]
        units = {u.pk: u for u in dispatch_units(user, matter).filter(pk__in=wanted)}
        if self.unit not in units:
            raise ValidationFailed(
                gettext("主办单位不存在或不在您的管辖范围内"), code="unit_not_found"
            )
        return {
            "unit": units[self.unit],
            "co_units": [units[i] for i in self.co_units if i in units],
            "note": self.note,
        }


class MatterSignIn(MatterNoteIn):
    contacted: bool = Field(default=False, description="签收时已联系群众")

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        return {"contacted": self.contacted, "note": self.note}


class MatterResultIn(MatterActionIn):
    result: str = Field(default="", max_length=4000, description="处置情况（必填；也可写在 note）")
    note: str = Field(default="", max_length=4000, description="同 result")
    attachments: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=20, description="附件 sha256 列表"
    )

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        from zhili.matters.attachments import attachments_by_hash

        files = attachments_by_hash(self.attachments) if self.attachments else []
        return {"result": self.result or self.note, "attachments": files}


class MatterSelfHandleIn(MatterResultIn):
    """自行处置: what was done on the spot, with at least one photo (``attachments``)."""


class MatterCoReportIn(MatterResultIn):
    """协办反馈: what the co-unit did for its part (its staff only; the lead unit reports the whole)."""


class MatterSpotCheckIn(MatterNoteIn):
    passed: bool = Field(description="抽查核实是否合格（不合格时 note 写明情况）")

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        return {"passed": self.passed, "note": self.note}


class MatterReportIn(MatterResultIn):
    contacted: bool = Field(default=True, description="已联系群众")

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        return {**super().inputs(user, matter), "contacted": self.contacted}


class MatterVerifyIn(MatterNoteIn):
    passed: bool = Field(description="核查是否通过（不通过时 note 写明返工原因）")

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        return {"passed": self.passed, "note": self.note}


class MatterRateIn(MatterNoteIn):
    solved: bool = Field(description="问题是否解决")
    satisfied: bool = Field(description="群众是否满意")

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        return {"solved": self.solved, "satisfied": self.satisfied, "note": self.note}


class MatterExtendIn(MatterReasonIn):
    days: int = Field(description="延期的工作日数")

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        return {"days": self.days, **super().inputs(user, matter)}


class MatterApproveExtensionIn(MatterNoteIn):
    approved: bool = Field(description="是否批准延期")

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        return {"approved": self.approved, "note": self.note}


class MatterPlaceIn(MatterNoteIn):
    area: str = Field(
        min_length=1, max_length=32, description="定位到的区域代码（本区县内的街道、社区或网格）"
    )

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        from zhili.areas.selectors import area_by_code
        from zhili.core.errors import ValidationFailed

        area = area_by_code(self.area.strip())
        if area is None:
            raise ValidationFailed(
                gettext("区域 %(area)s 不存在") % {"area": self.area}, code="area_not_found"
            )
        return {"area": area, "note": self.note}


class MatterMergeIn(MatterNoteIn):
    into: str = Field(min_length=1, max_length=32, description="并入的诉求编号")

    def inputs(self, user: Any, matter: Any) -> dict[str, Any]:
        from zhili.core.errors import ValidationFailed
        from zhili.matters.selectors import matter_visible

        target = matter_visible(user).filter(number=self.into.strip().upper()).first()
        if target is None:
            raise ValidationFailed(
                gettext("目标诉求 %(into)s 不存在或不在您的管辖范围内") % {"into": self.into},
                code="merge_target",
            )
        return {"into": target, "note": self.note}

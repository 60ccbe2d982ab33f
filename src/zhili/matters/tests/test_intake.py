"""Intake intelligence: duplicate suggestions (category, place, time window, similar words) and
routing suggestions (routing rules plus a model learned from past dispatches)."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from zhili.core.errors import ValidationFailed
from zhili.matters import catalogue, routing
from zhili.matters import services as s
from zhili.matters.duplicates import candidate_rows, duplicate_candidates, tokenize
from zhili.matters.models import Category, Matter
from zhili.matters.questions import check_answers, validate_definitions
from zhili.org.models import Unit

GRID1, GRID2, GRID3 = "500103003013001", "500103003013002", "500103003013003"  # 民生路第1–3网格
LAT = 29.5550
LNG1, LNG2, LNG3 = 106.5712, 106.5718, 106.5745  # grid 1, 58 m east in grid 2, 320 m east in 3


@pytest.fixture
def report(users: Any, area: Any) -> Any:
    def make(
        description: str,
        *,
        grid: str = GRID1,
        lng: float | None = LNG1,
        category: str = "streetlight",
        days_ago: float = 0,
    ) -> Matter:
        return s.matter_create(
            actor=users["city_admin"],
            category=Category.objects.get(code=category),
            channel="hotline",
            description=description,
            area=area(grid),
            lat=LAT if lng is not None else None,
            lng=lng,
            reporter_phone="13800138000",
            at=timezone.now() - dt.timedelta(days=days_ago),
        )

    return make


# Duplicates ------------------------------------------------------------------------------------


def test_tokenizer_keeps_area_names_whole_and_drops_stop_words(db: Any) -> None:
    words = tokenize("解放碑街道民生路社区的路灯不亮了，请尽快处理！")
    assert "解放碑" in words and "民生路" in words and "路灯" in words
    assert "的" not in words and "了" not in words and "！" not in words and "请" not in words


def test_a_similar_report_in_the_same_grid_is_suggested(report: Any) -> None:
    first = report("民族路5号路灯不亮，晚上很黑")
    again = report("民族路5号附近路灯坏了好几天")
    found = duplicate_candidates(again)
    assert [m.pk for m, _ in found] == [first.pk]
    assert 0.3 <= found[0][1] <= 1


def test_nearby_in_another_grid_counts_far_away_does_not(report: Any, settings: Any) -> None:
    near = report("民族路5号路灯不亮", grid=GRID2, lng=LNG2)
    far = report("民族路5号路灯不亮", grid=GRID3, lng=LNG3)
    unplaced = report("民族路5号路灯不亮", grid=GRID2, lng=None)
    new = report("民族路5号路灯不亮，晚上很黑")
    assert [m.pk for m, _ in duplicate_candidates(new)] == [near.pk]
    settings.ZHILI_DUPLICATE_RADIUS_M = 500
    assert {m.pk for m, _ in duplicate_candidates(new)} == {near.pk, far.pk}
    assert unplaced.pk not in {m.pk for m, _ in duplicate_candidates(new)}


def test_other_category_old_closed_out_and_unrelated_reports_are_left_out(
    report: Any, users: Any, settings: Any
) -> None:
    admin = users["city_admin"]
    report("民族路5号路灯不亮", category="road-damage")
    old = report("民族路5号路灯不亮", days_ago=10)
    rejected = report("民族路5号路灯不亮")
    s.matter_reject(actor=admin, matter=rejected, reason="信息不全")
    target = report("民族路5号路灯不亮，已经三天")
    merged = report("民族路5号路灯不亮啦")
    s.matter_merge(actor=admin, matter=merged, into=target)
    report("小区电梯困人，物业不管")
    new = report("民族路5号路灯不亮，晚上很黑")
    assert [m.pk for m, _ in duplicate_candidates(new)] == [target.pk]
    settings.ZHILI_DUPLICATE_WINDOW_DAYS = 30
    assert {m.pk for m, _ in duplicate_candidates(new)} == {target.pk, old.pk}
    settings.ZHILI_DUPLICATE_MIN_SIMILARITY = 0.95
    assert duplicate_candidates(new) == []


def test_candidates_are_ranked_by_similarity_and_limited(report: Any) -> None:
    weaker = report("民族路路灯坏了，附近很黑")
    stronger = report("民族路5号路灯不亮，晚上很黑，老人走路摔倒")
    for _ in range(5):
        report("民族路5号路灯不亮，晚上黑")
    new = report("民族路5号路灯不亮，晚上很黑，老人走路摔倒了")
    found = duplicate_candidates(new, limit=3)
    assert len(found) == 3 and found[0][0].pk == stronger.pk
    assert [score for _, score in found] == sorted((sc for _, sc in found), reverse=True)
    assert weaker.pk not in [m.pk for m, _ in found]


def test_candidate_query_reads_the_duplicate_index(report: Any, area: Any) -> None:
    """With a realistic spread of matters (categories × streets × two months), the planner reads
    the (category, area_path, created_at) index."""
    streets = [area(c) for c in ("500103001", "500103003", "500103004", "500103005", "500101017")]
    categories = list(Category.objects.filter(parent__isnull=False)[:20])
    now = timezone.now()
    Matter.objects.bulk_create(
        Matter(
            number=f"T{i:08d}",
            title="x",
            description="x",
            category=categories[i % len(categories)],
            channel="staff",
            handling_mode="timed",
            area=streets[i % len(streets)],
            area_path=streets[i % len(streets)].path,
            district_code=streets[i % len(streets)].path.split("/")[1],
            created_at=now - dt.timedelta(hours=i % 1440),
        )
        for i in range(4000)
    )
    new = report("民族路5号路灯不亮")
    sql, params = candidate_rows(new).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE matters_matter")
        explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
        cursor.execute(f"{explain} {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "matter_dup_idx" in plan, plan


def test_duplicates_api_lists_candidates_the_user_may_see(
    report: Any, client: Any, bearer: Any
) -> None:
    same_grid = report("民族路5号路灯不亮，晚上很黑")
    next_grid = report("民族路5号路灯不亮", grid=GRID2, lng=LNG2)
    new = report("民族路5号路灯坏了，晚上很黑")
    url = f"/api/v1/matters/{new.number}/duplicates"
    body = client.get(url, headers=bearer("city_admin")).json()
    assert [d["number"] for d in body][:1] == [same_grid.number]
    assert {d["number"] for d in body} == {same_grid.number, next_grid.number}
    near = next(d for d in body if d["number"] == next_grid.number)
    assert 40 < near["distance_m"] < 80 and near["score"] >= 0.3 and near["area_name"]
    # The grid worker's grant covers 民生路第1网格 only: the neighbour grid's report stays hidden.
    mine = client.get(url, headers=bearer("grid_jfb_01")).json()
    assert [d["number"] for d in mine] == [same_grid.number]
    assert client.get(url, headers=bearer("wanzhou")).status_code == 404


# Routing ---------------------------------------------------------------------------------------

VOCABULARY = {
    "渝中区住房城乡建委": [
        "电梯故障停运",
        "外墙瓷砖脱落",
        "楼顶漏水渗水",
        "化粪池外溢",
        "下水道堵塞",
        "维修基金使用",
        "楼梯扶手损坏",
        "老旧小区改造进度",
    ],
    "解放碑派出所": [
        "深夜有人打架斗殴",
        "电动车被盗",
        "有人寻衅滋事",
        "可疑人员撬门盗窃",
        "酒后闹事砸东西",
        "车辆被人恶意划伤",
        "醉汉骚扰路人",
    ],
    "解放碑街道人民调解委员会": [
        "邻居装修吵架",
        "停车位争执",
        "宠物狗伤人赔偿争议",
        "子女不赡养老人",
        "楼道堆放杂物争吵",
        "婚姻家庭矛盾",
    ],
    "市公安局": [
        "冒充公检法诈骗电话",
        "网络刷单诈骗",
        "冒充客服退款诈骗",
        "虚假投资理财平台",
    ],
}
FILLER = ["希望尽快处理", "已经反映多次", "居民意见很大", "请相关部门关注", "情况比较急"]


def _history(users: Any, area: Any, per_unit: int = 13) -> dict[str, Unit]:
    """Dispatched matters with distinct words per unit, plus misrouted ones sent back."""
    admin = users["city_admin"]
    units = {name: Unit.objects.get(name=name) for name in VOCABULARY}
    rng = random.Random(7)
    categories = [
        Category.objects.get(code="property-service"),
        Category.objects.get(code="civility"),
    ]

    def dispatched(unit_name: str, i: int, words_of: str = "") -> Matter:
        words = rng.sample(VOCABULARY[words_of or unit_name], 2)
        m = s.matter_create(
            actor=admin,
            category=categories[i % 2],
            channel="staff",
            title=words[0],
            description=f"{words[0]}，{words[1]}，{rng.choice(FILLER)}",
            area=area(rng.choice([GRID1, GRID2, GRID3])),
        )
        m = s.matter_accept(actor=admin, matter=m)
        return s.matter_dispatch(actor=admin, matter=m, unit=units[unit_name])

    for name in VOCABULARY:
        for i in range(per_unit):
            dispatched(name, i)
    # Misrouted to the police station, returned, then dispatched to the right unit.
    for i in range(6):
        m = dispatched("解放碑派出所", i, words_of="渝中区住房城乡建委")
        m = s.matter_return(actor=admin, matter=m, reason="不属于本单位")
        s.matter_dispatch(actor=admin, matter=m, unit=units["渝中区住房城乡建委"])
    return units


def test_training_samples_leave_out_returned_dispatches(users: Any, area: Any) -> None:
    units = _history(users, area, per_unit=2)
    samples = routing.training_samples()
    assert len(samples) == 4 * 2 + 6
    returned = Matter.objects.filter(events__action="return").distinct()
    assert returned.count() == 6
    by_unit = [x.unit_id for x in samples]
    assert by_unit.count(units["渝中区住房城乡建委"].pk) == 2 + 6
    assert by_unit.count(units["解放碑派出所"].pk) == 2


def test_learned_router_suggests_the_unit_that_handles_such_matters(
    users: Any, area: Any, settings: Any, tmp_path: Any, report: Any
) -> None:
    settings.VAR_DIR = tmp_path
    units = _history(users, area)
    out = io.StringIO()
    call_command("train_router", stdout=out)
    printed = out.getvalue()
    assert "样本数：58（4 个单位）" in printed and "留出集准确率：" in printed
    assert (tmp_path / "models" / "router.joblib").exists()
    lift = report("小区电梯故障停运，老人下不了楼，外墙还有瓷砖脱落", category="property-service")
    found = routing.suggest(lift)
    assert found["learned_unit"] == units["渝中区住房城乡建委"]
    assert found["confidence"] > 0.5
    assert found["trained_at"] is not None and found["rule_unit"] is None
    theft = report("昨晚电动车被盗，还有可疑人员撬门", category="civility")
    assert routing.suggest(theft)["learned_unit"] == units["解放碑派出所"]
    # A unit the user cannot see is never suggested: 市公安局 is outside 渝中区's scope.
    fraud = report("接到冒充公检法的诈骗电话，网络刷单诈骗", category="civility")
    assert routing.suggest(fraud)["learned_unit"] == units["市公安局"]
    for_yuzhong = routing.suggest(fraud, user=users["yuzhong"])
    assert for_yuzhong["learned_unit"] != units["市公安局"]
    # Nor is an inactive one.
    units["渝中区住房城乡建委"].is_active = False
    units["渝中区住房城乡建委"].save()
    assert routing.suggest(lift)["learned_unit"] != units["渝中区住房城乡建委"]


def test_routing_api_shows_rule_and_learned_unit(
    users: Any, area: Any, settings: Any, tmp_path: Any, report: Any, client: Any, bearer: Any
) -> None:
    settings.VAR_DIR = tmp_path
    _history(users, area, per_unit=6)
    routing.train()
    catalogue.routing_rule_set(
        actor=users["city_admin"],
        category=Category.objects.get(code="property-service"),
        area=area("500103003"),
        unit=Unit.objects.get(name="解放碑街道综治中心"),
    )
    lift = report("电梯故障停运，楼顶漏水渗水", category="property-service")
    body = client.get(f"/api/v1/matters/{lift.number}/routing", headers=bearer("city_admin"))
    data = body.json()
    assert body.status_code == 200
    assert data["rule_unit"]["name"] == "解放碑街道综治中心"
    assert data["learned_unit"]["name"] == "渝中区住房城乡建委" and data["confidence"] > 0
    assert lift.suggested_unit.name == "解放碑街道综治中心"  # intake stored the rule's unit


def test_without_a_model_only_the_rule_is_suggested(
    users: Any, area: Any, settings: Any, tmp_path: Any, report: Any
) -> None:
    settings.VAR_DIR = tmp_path
    catalogue.routing_rule_set(
        actor=users["city_admin"],
        category=Category.objects.get(code="streetlight"),
        area=area("500103"),
        unit=Unit.objects.get(name="渝中区住房城乡建委"),
    )
    m = report("路灯不亮")
    assert routing.suggest(m) == {
        "rule_unit": Unit.objects.get(name="渝中区住房城乡建委"),
        "learned_unit": None,
        "confidence": None,
        "trained_at": None,
    }
    # A broken model file is ignored the same way.
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "router.joblib").write_bytes(b"not a model")
    assert routing.suggest(m)["learned_unit"] is None
    # The rule's unit is not suggested to someone who cannot see it, nor once it is inactive.
    assert routing.suggest(m, user=users["wanzhou"])["rule_unit"] is None
    from zhili.org.services import unit_update  # the service: its save empties the routing memo

    unit_update(
        actor=users["city_admin"], unit=Unit.objects.get(name="渝中区住房城乡建委"), is_active=False
    )
    assert routing.suggest(m)["rule_unit"] is None


def test_train_router_refuses_without_enough_history(db: Any, settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="可用的派遣记录不足"):
        call_command("train_router", stdout=io.StringIO())
    assert not (tmp_path / "models" / "router.joblib").exists()


# Extra questions -------------------------------------------------------------------------------

QUESTIONS = [
    {"key": "where", "label": "具体位置", "type": "text", "required": True},
    {"key": "people", "label": "涉及人数", "type": "number"},
    {"key": "since", "label": "开始日期", "type": "date"},
    {
        "key": "fire",
        "label": "是否有明火",
        "type": "single",
        "options": ["是", "否"],
        "block": {"values": ["是"], "message": "请立即拨打 119"},
    },
    {"key": "kinds", "label": "问题类型", "type": "multi", "options": ["噪声", "油烟", "占道"]},
]


def test_each_question_type_is_checked_and_normalised() -> None:
    c = Category(code="q", name="问", questions=validate_definitions(QUESTIONS))
    clean = check_answers(
        c,
        {
            "where": " 3 号楼 ",
            "people": "12",
            "since": "2026-11-28",
            "fire": "否",
            "kinds": "噪声, 占道",
        },
    )
    assert clean == {
        "where": "3 号楼",
        "people": 12.0,
        "since": "2026-11-28",
        "fire": "否",
        "kinds": ["噪声", "占道"],
    }
    assert check_answers(c, {"where": "x", "kinds": ["油烟"]}) == {"where": "x", "kinds": ["油烟"]}
    bad = [
        ({"where": "  "}, "answer_required", "请回答：具体位置"),
        ({"where": "x", "people": "十二"}, "invalid_answer", "“涉及人数”须为数字"),
        ({"where": "x", "people": "nan"}, "invalid_answer", "“涉及人数”须为数字"),
        (
            {"where": "x", "since": "28/11/2026"},
            "invalid_answer",
            "“开始日期”须为日期（如 2026-11-28）",
        ),
        ({"where": "x", "fire": "可能"}, "invalid_answer", "“是否有明火”须从选项中选择"),
        ({"where": "x", "kinds": ["噪声", "偷盗"]}, "invalid_answer", "“问题类型”须从选项中选择"),
        ({"where": "x", "fire": "是"}, "blocked", "请立即拨打 119"),
    ]
    for answers, code, message in bad:
        with pytest.raises(ValidationFailed) as caught:
            check_answers(c, answers)
        assert (caught.value.code, caught.value.message) == (code, message), answers


def test_question_definitions_are_checked() -> None:
    for broken, message in [
        ({"key": "a", "label": "A", "type": "colour"}, "类型须为"),
        ({"key": "a", "label": "A", "type": "single"}, "须有选项"),
        (
            {
                "key": "a",
                "label": "A",
                "type": "single",
                "options": ["是"],
                "block": {"values": ["否"], "message": "m"},
            },
            "拦截值须是它的选项之一",
        ),
        ({"key": "a", "label": "A", "type": "text", "block": {"values": ["x"]}}, "拦截规则须有"),
        ({"key": "a", "label": "A", "type": "text", "required": "yes"}, "required 须为"),
    ]:
        with pytest.raises(ValidationFailed, match=message):
            validate_definitions([broken])
    with pytest.raises(ValidationFailed, match="重复"):
        validate_definitions([QUESTIONS[0], QUESTIONS[0]])


def test_shipped_catalogue_questions_are_valid(db: Any) -> None:
    for c in Category.objects.exclude(questions=[]):
        assert validate_definitions(c.questions) == c.questions


def test_a_blocking_answer_stops_intake_with_the_configured_message(
    users: Any, area: Any, client: Any, bearer: Any
) -> None:
    hazard = Category.objects.get(code="safety-hazard")
    with pytest.raises(ValidationFailed) as caught:
        s.matter_create(
            actor=users["jiefangbei"],
            category=hazard,
            channel="staff",
            description="楼下配电箱冒烟起火",
            area=area(GRID1),
            answers={"danger": "是"},
        )
    assert caught.value.code == "blocked"
    assert caught.value.message == "请立即拨打 110、119 或 120"
    assert not Matter.objects.filter(description="楼下配电箱冒烟起火").exists()
    body = {"category": "safety-hazard", "description": "楼下配电箱冒烟起火", "area": GRID1}
    refused = client.post(
        "/api/v1/matters",
        {**body, "answers": {"danger": "是"}},
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert refused.status_code == 422
    assert refused.json() == {
        "code": "blocked",
        "message": "请立即拨打 110、119 或 120",
        "detail": {"key": "danger"},
    }
    missing = client.post(
        "/api/v1/matters", body, content_type="application/json", headers=bearer("jiefangbei")
    )
    assert missing.json()["code"] == "answer_required"
    ok = client.post(
        "/api/v1/matters",
        {**body, "answers": {"danger": "否"}},
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert ok.status_code == 201
    assert Matter.objects.get(number=ok.json()["number"]).answers == {"danger": "否"}

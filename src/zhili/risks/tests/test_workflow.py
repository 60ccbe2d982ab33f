"""The risk register on the kernel: one rules table, versioned transitions, immutable events with
Chinese labels, buttons from the allowed actions, personal data through core.privacy."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from zhili.core import labels
from zhili.core.audit import AuditEvent
from zhili.core.errors import Conflict, NotFound, PermissionDenied
from zhili.core.events import AppendOnlyError
from zhili.risks import services as rs
from zhili.risks.models import LevelPolicy, Risk, RiskEvent, Status
from zhili.risks.workflow import RULES, WORKFLOW

GRID = "500103003013001"
KIND = "risks.riskevent"


def register(users: Any, area_of: Any, **kw: Any) -> Risk:
    args: dict[str, Any] = {
        "actor": users["jiefangbei"],
        "title": "某小区业主聚集维权",
        "description": "开发商逾期交房，业主多次聚集",
        "category": "petition",
        "source": "inspection",
        "area": area_of(GRID),
        "address": "民生路 88 号",
        "persons": [{"name": "李四", "id_number": "500103199001011234", "phone": "13900001111"}],
    }
    args.update(kw)
    return rs.risk_register(**args)


def assess(users: Any, risk: Risk, likelihood: int, impact: int, **kw: Any) -> Any:
    return rs.risk_assess(
        actor=kw.pop("actor", users["jiefangbei"]),
        risk=risk,
        kind="current",
        likelihood=likelihood,
        impact=impact,
        confidence="high",
        **kw,
    )


def evidence() -> Any:
    from PIL import Image

    from zhili.matters.attachments import attachment_store

    buf = BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format="PNG")
    return attachment_store(data=buf.getvalue(), name="现场.png")


def full_history(users: Any, area: Any) -> Risk:
    """A risk through every step the register knows."""
    officer = users["jiefangbei"]
    risk = register(users, area)
    assess(users, risk, 5, 4)  # red: escalated in the same transaction
    rs.risk_assign(actor=officer, risk=risk, person=officer, unit=officer.unit)
    m = rs.measure_add(
        actor=officer,
        risk=risk,
        text="每日走访",
        owner=officer,
        due=timezone.localdate() + dt.timedelta(days=3),
    )
    rs.measure_done(actor=officer, measure=m)
    assess(users, risk, 1, 1)
    rs.risk_close(
        actor=officer, risk=risk, final_rating="blue", note="已化解", attachments=[evidence()]
    )
    rs.risk_reopen(actor=officer, risk=risk, reason="业主再次聚集")
    rs.risk_accept(
        actor=users["yuzhong"],
        risk=risk,
        reason="影响小，持续关注",
        expires=timezone.localdate() + dt.timedelta(days=10),
    )
    from zhili.risks.supervision import sweep

    sweep(now=timezone.now() + dt.timedelta(days=20))
    risk.refresh_from_db()
    return risk


# -- labels: no code reaches a page ---------------------------------------------------------------


def test_every_risk_event_label_is_readable() -> None:
    actions = labels.actions(KIND)
    assert set(RULES) | {"register"} <= set(actions)
    for action, label in actions.items():
        assert labels.is_readable(label), action
        assert labels.is_readable(labels.audit_label(f"risk.{action}")), action
    for status in Status.values:
        assert labels.is_readable(labels.status_label(KIND, status)), status
    for code in ("risk.matrix_save", "risk.policy_update", "risk.candidate_dismiss"):
        assert labels.is_readable(labels.audit_label(code)), code


def test_history_reads_as_chinese_sentences(login: Any, users: Any, area: Any) -> None:
    risk = full_history(users, area)
    events = list(RiskEvent.objects.filter(risk=risk).order_by("id"))
    assert {e.action for e in events} >= set(RULES) | {"register"}
    for e in events:
        assert labels.is_readable(e.label)
        if e.data:
            assert labels.is_readable(e.summary), (e.action, e.summary)
            assert "=" not in e.summary
    escalate = next(e for e in events if e.action == "escalate")
    assert escalate.summary == "红（重大）风险上报至渝中区"
    register_event = events[0]
    assert register_event.summary == f"编号 {risk.number}，来源：排查巡查"
    page = login("yuzhong").get(f"/risks/{risk.number}/").content.decode()
    history = page[page.index('id="risk-events"') :]
    history = history[: history.index("</ul>")]
    text = re.sub(r"<[^>]+>", " ", history.split(">", 1)[1])
    for code in [*RULES, "register", "inspection", "open", "closed", "accepted", "system"]:
        assert not re.search(rf"\b{code}\b", text), code
    assert "number=" not in page and "to=" not in page
    assert "上报上级" in text and "红（重大）风险上报至渝中区" in text and "系统" in text


def test_an_old_escalation_without_the_area_name_still_reads(users: Any, area: Any) -> None:
    risk = register(users, area)
    event = WORKFLOW.event_model(
        risk=risk, action="escalate", data={"to": "500103", "level": "red"}
    )
    assert event.summary == "红（重大）风险上报至渝中区"


# -- events are append-only, down to the database -----------------------------------------------


def test_risk_events_are_append_only(users: Any, area: Any) -> None:
    risk = register(users, area)
    event = RiskEvent.objects.get(risk=risk, action="register")
    assert (event.from_status, event.to_status) == ("", Status.OPEN)
    event.note = "改"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        RiskEvent.objects.filter(pk=event.pk).update(note="改")
    with pytest.raises(AppendOnlyError):
        RiskEvent.objects.filter(pk=event.pk).delete()
    table = RiskEvent._meta.db_table
    for sql in (
        f"UPDATE {table} SET note = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [event.pk])
    assert RiskEvent.objects.get(pk=event.pk).note == ""


# -- transitions: version, state, scope and right ----------------------------------------------


def test_a_stale_version_is_a_conflict_and_changes_nothing(users: Any, area: Any) -> None:
    risk = register(users, area)
    assert risk.version == 1
    assess(users, risk, 2, 2, version=1)
    risk.refresh_from_db()
    assert risk.version == 2
    with pytest.raises(Conflict) as exc:
        assess(users, risk, 5, 5, version=1)
    assert exc.value.code == "version_conflict"
    risk.refresh_from_db()
    assert risk.level == "blue" and risk.assessments.count() == 1 and risk.version == 2
    for call in (
        lambda: rs.risk_assign(
            actor=users["jiefangbei"],
            risk=risk,
            person=users["jiefangbei"],
            unit=users["jiefangbei"].unit,
            version=1,
        ),
        lambda: rs.risk_reopen(actor=users["jiefangbei"], risk=risk, reason="x", version=1),
        lambda: rs.risk_accept(
            actor=users["yuzhong"],
            risk=risk,
            reason="x",
            expires=timezone.localdate() + dt.timedelta(days=5),
            version=1,
        ),
    ):
        with pytest.raises(Conflict):
            call()


def test_state_scope_and_right_are_checked_in_that_order(users: Any, area: Any) -> None:
    risk = register(users, area)
    with pytest.raises(NotFound):
        assess(users, risk, 1, 1, actor=users["wanzhou"])
    with pytest.raises(PermissionDenied):
        assess(users, risk, 1, 1, actor=users["grid_jfb_01"])
    with pytest.raises(Conflict) as exc:
        rs.risk_reopen(actor=users["jiefangbei"], risk=risk, reason="x")
    assert exc.value.code == "illegal_transition"
    assess(users, risk, 5, 5)
    with pytest.raises(PermissionDenied) as refused:  # red is never accepted
        rs.risk_accept(
            actor=users["yuzhong"],
            risk=risk,
            reason="x",
            expires=timezone.localdate() + dt.timedelta(days=5),
        )
    assert "红色" in refused.value.message


def test_every_step_is_one_event_one_audit_and_one_version(users: Any, area: Any) -> None:
    risk = full_history(users, area)
    events = list(RiskEvent.objects.filter(risk=risk).order_by("id"))
    audits = AuditEvent.objects.filter(object_type="risks.risk", object_id=str(risk.pk))
    assert sorted(a.action for a in audits) == sorted(f"risk.{e.action}" for e in events)
    # register starts at 1; every transition adds one; the escalation rode on its assessment.
    transitions = [e for e in events if e.action not in ("register", "escalate")]
    assert risk.version == 1 + len(transitions)
    states = [(e.action, e.from_status, e.to_status) for e in events]
    assert ("close", "open", "closed") in states and ("reopen", "closed", "open") in states
    assert ("acceptance_expired", "accepted", "open") in states
    assert risk.status == Status.OPEN


def test_the_sweep_escalates_through_the_workflow(users: Any, area: Any) -> None:
    from zhili.risks.supervision import sweep

    risk = register(users, area)
    assess(users, risk, 3, 3)  # yellow: not escalated by default
    risk.refresh_from_db()
    assert risk.escalated_to is None
    LevelPolicy.objects.filter(level="yellow").update(escalate=True)
    assert sweep()["escalated"] == 1
    after = Risk.objects.get(pk=risk.pk)
    assert after.escalated_to.code == "500103" and after.version == risk.version + 1
    assert AuditEvent.objects.filter(action="risk.escalate", object_id=str(risk.pk)).exists()
    assert sweep()["escalated"] == 0


# -- the page: buttons from the allowed actions, the version in every form ---------------------


def _action_forms(page: str) -> set[str]:
    return set(re.findall(r'id="form-(\w+)"', page))


def test_buttons_are_the_allowed_actions(login: Any, users: Any, area: Any) -> None:
    risk = register(users, area)
    url = f"/risks/{risk.number}/"
    assert _action_forms(login("jiefangbei").get(url).content.decode()) == {
        "assess",
        "assign",
        "measure",
        "close",
    }
    assert "accept" in _action_forms(login("yuzhong").get(url).content.decode())
    assert _action_forms(login("grid_jfb_01").get(url).content.decode()) == set()
    assess(users, risk, 5, 5)
    assert "accept" not in _action_forms(login("yuzhong").get(url).content.decode())
    officer = users["jiefangbei"]
    rs.risk_assign(actor=officer, risk=risk, person=officer, unit=officer.unit)
    rs.measure_done(
        actor=officer,
        measure=rs.measure_add(
            actor=officer, risk=risk, text="走访", owner=officer, due=timezone.localdate()
        ),
    )
    rs.risk_close(
        actor=users["jiefangbei"],
        risk=risk,
        final_rating="blue",
        note="已化解",
        attachments=[evidence()],
    )
    risk.refresh_from_db()
    page = login("jiefangbei").get(url).content.decode()
    assert _action_forms(page) == {"reopen"}
    assert risk.version == 6 and 'name="version" value="6"' in page
    assert "Select an option" not in login("yuzhong").get(url).content.decode()


def test_a_stale_page_says_so_and_changes_nothing(login: Any, users: Any, area: Any) -> None:
    risk = register(users, area)
    client = login("jiefangbei")
    url = f"/risks/{risk.number}/"
    form = {"action": "assess", "kind": "current", "likelihood": "2", "impact": "2"}
    form |= {"confidence": "high", "version": "1"}
    assert client.post(url, form).status_code == 302
    stale = client.post(url, form | {"likelihood": "5", "impact": "5"})
    body = stale.content.decode()
    assert stale.status_code == 200 and "已被他人更新" in body
    assert 'name="version" value="2"' in body  # the form now carries the current version
    risk.refresh_from_db()
    assert risk.level == "blue" and risk.version == 2


def test_the_api_passes_the_version(client: Any, users: Any, area: Any, bearer: Any) -> None:
    risk = register(users, area)
    url = f"/api/v1/risks/{risk.number}"
    body = client.get(url, headers=bearer("jiefangbei")).json()
    assert body["version"] == 1 and "assess" in body["allowed_actions"]
    payload = {"likelihood": 2, "impact": 2, "version": 1}
    ok = client.post(
        f"{url}/assessments", payload, content_type="application/json", headers=bearer("jiefangbei")
    )
    assert ok.status_code == 201 and ok.json()["version"] == 2
    stale = client.post(
        f"{url}/assessments", payload, content_type="application/json", headers=bearer("jiefangbei")
    )
    assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
    reopen = client.post(
        f"{url}/reopen",
        {"reason": "x", "version": 2},
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert reopen.status_code == 409 and reopen.json()["code"] == "illegal_transition"
    events = client.get(url, headers=bearer("jiefangbei")).json()["events"]
    assert [e["label"] for e in events] == ["风险入库", "评估定级"]


# -- personal data: masked everywhere, one audited reveal --------------------------------------


def test_people_are_masked_and_revealed_only_with_the_right(
    login: Any, users: Any, area: Any, client: Any, bearer: Any
) -> None:
    risk = register(users, area)
    url = f"/risks/{risk.number}/"
    page = login("jiefangbei").get(url).content.decode()
    assert "5001**********1234" in page and "139****1111" in page
    assert "500103199001011234" not in page and "13900001111" not in page
    assert "显示完整个人信息" not in page  # the street worker has no view_personal on risks
    with pytest.raises(PermissionDenied):
        rs.risk_reveal_personal(actor=users["jiefangbei"], risk=risk)
    api = client.get(f"/api/v1/risks/{risk.number}", headers=bearer("yuzhong")).json()
    assert api["elements"][0]["phone"] == "139****1111" and api["can_see_personal"]
    before = AuditEvent.objects.filter(action="privacy.reveal").count()
    shown = login("yuzhong").post(url, {"action": "reveal"}).content.decode()
    assert "500103199001011234" in shown and "13900001111" in shown
    reveal = AuditEvent.objects.filter(action="privacy.reveal").order_by("-id")
    assert reveal.count() == before + 1
    assert reveal[0].object_type == "risks.risk" and reveal[0].object_id == str(risk.pk)


def test_candidates_read_in_words_with_scoped_links(login: Any, users: Any, area: Any) -> None:
    from zhili.matters import services as ms
    from zhili.matters.models import Category
    from zhili.risks import hotspots

    sanitation = Category.objects.get(code="sanitation")
    for i in range(3):
        ms.matter_create(
            actor=users["jiefangbei"],
            category=sanitation,
            channel="staff",
            description=f"院内垃圾无人清运 {i}",
            area=area(GRID),
            reporter_name="王五",
            reporter_phone="13700007777",
            address="较场口 21 号院",
            at=timezone.now() - dt.timedelta(days=1 + i),
        )
    assert {c.kind for c in hotspots.scan()} >= {"address", "person"}
    page = login("jiefangbei").get("/risks/candidates/").content.decode()
    assert "天内反映 3 次（较场口 21 号院）" in page and "137****7777" in page
    assert "13700007777" not in page
    text = re.sub(r"<[^>]+>", " ", page)
    assert not re.search(r"\b(count|days|value|baseline|window_days)=", text)
    assert login("wanzhou").get("/risks/candidates/").content.decode().count("天内反映") == 0

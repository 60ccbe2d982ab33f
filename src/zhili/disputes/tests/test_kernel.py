"""Disputes on the core kernel: the rules table gives the page its actions, every write checks the
caller's version, events are append-only and read in Chinese, parties' data is masked and revealed
only through the audited service."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from zhili.core import labels
from zhili.core.errors import Conflict, PermissionDenied
from zhili.core.events import AppendOnlyError
from zhili.core.models import AuditEvent
from zhili.disputes import services as ds
from zhili.disputes.models import DisputeEvent, Status
from zhili.disputes.tests.test_defects import assign, register, second_mediator
from zhili.disputes.workflow import RULES, WORKFLOW, allowed_actions

KIND = "disputes.disputeevent"
COURT = {"channel": "court_assigned", "referral_no": "（2026）渝0103民诉前调1号"}


def _text(html: str) -> str:
    """What a reader sees: the text between the tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</ul>", start)]


# -- labels ----------------------------------------------------------------------------------


def test_every_dispute_event_action_and_state_has_a_readable_label() -> None:
    actions = labels.actions(KIND)
    assert set(RULES) | {"register"} <= set(actions)
    for action, label in actions.items():
        assert labels.is_readable(label), action
        assert labels.is_readable(labels.audit_label(f"dispute.{action}")), action
    for status in Status.values:
        assert labels.is_readable(labels.status_label(KIND, status)), status


def test_the_case_file_shows_labels_and_sentences_never_codes(
    users: Any, area: Any, login: Any
) -> None:
    m = users["mediator_jfb"]
    d = assign(users, register(users, area, **COURT), m)
    ds.dispute_extend(actor=m, dispute=d, days=10, parties_request=True, note="双方申请")
    ds.session_add(actor=m, dispute=d, at=timezone.now(), notes="双方到场", place="调委会")
    d = ds.dispute_agree(actor=m, dispute=d, agreement="和解")
    d = ds.dispute_confirm(actor=m, dispute=d, confirmed_on=timezone.localdate())
    d = ds.dispute_close(actor=m, dispute=d)
    ds.dispute_follow_up(actor=m, dispute=d, note="已履行")
    html = login("jiefangbei").get(f"/disputes/{d.number}/").content.decode()
    timeline = _text(_section(html, "dispute-events"))
    for code in ("register", "assign", "session", "extend", "agree", "confirm", "close"):
        assert code not in timeline
    assert "follow_up" not in timeline and "mediator_jfb" not in timeline
    for words in ("登记", "指派调解员", "由解放碑街道人民调解委员会调解员 解放碑调解员 调解"):
        assert words in timeline
    assert "调解期限延长 10 天" in timeline and "达成协议" in timeline
    assert "已登记 → 调解中" in timeline
    events = login("jiefangbei").get(f"/api/v1/disputes/{d.number}").json()["events"]
    assert [e["label"] for e in events][:2] == ["登记", "指派调解员"]
    assert all(labels.is_readable(e["label"]) for e in events)


# -- append-only ----------------------------------------------------------------------------


def test_dispute_events_are_append_only(users: Any, area: Any) -> None:
    d = register(users, area)
    event = DisputeEvent.objects.get(dispute=d, action="register")
    event.note = "改写"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        DisputeEvent.objects.filter(dispute=d).update(note="改写")
    with pytest.raises(AppendOnlyError):
        DisputeEvent.objects.filter(dispute=d).delete()
    for sql in (
        "UPDATE disputes_disputeevent SET note = 'x' WHERE id = %s",
        "DELETE FROM disputes_disputeevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [event.pk])
    assert DisputeEvent.objects.get(pk=event.pk).note == ""


# -- versions -------------------------------------------------------------------------------


def test_a_stale_version_is_refused(users: Any, area: Any, login: Any, bearer: Any) -> None:
    m = users["mediator_jfb"]
    d = assign(users, register(users, area, **COURT), m)
    seen = d.version
    ds.dispute_extend(actor=m, dispute=d, days=5, parties_request=True, version=seen)
    with pytest.raises(Conflict) as exc:
        ds.dispute_fail(actor=m, dispute=d, reason="不愿调解", version=seen)
    assert exc.value.code == "version_conflict"
    from django.test import Client

    r = Client().post(
        f"/api/v1/disputes/{d.number}/actions/fail",
        {"reason": "不愿调解", "version": seen},
        content_type="application/json",
        headers=bearer("mediator_jfb"),
    )
    assert r.status_code == 409 and r.json()["code"] == "version_conflict"
    page = login("mediator_jfb").post(
        f"/disputes/{d.number}/", {"action": "fail", "reason": "不愿调解", "version": seen}
    )
    assert page.status_code == 409 and "已被他人更新" in page.content.decode()
    d.refresh_from_db()
    assert d.status == Status.MEDIATING
    current = login("mediator_jfb").get(f"/disputes/{d.number}/").content.decode()
    assert f'name="version" value="{d.version}"' in current
    ok = login("mediator_jfb").post(
        f"/disputes/{d.number}/", {"action": "fail", "reason": "不愿调解", "version": d.version}
    )
    assert ok.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.FAILED


# -- actions from the rules table -------------------------------------------------------------


def _forms(html: str) -> set[str]:
    return set(re.findall(r'id="form-([a-z_]+)"', html))


def test_the_page_offers_exactly_the_allowed_actions(users: Any, area: Any, login: Any) -> None:
    d = register(users, area, **COURT)
    assert _forms(login("jiefangbei").get(f"/disputes/{d.number}/").content.decode()) == {
        "assign",
        "extend",
        "fail",
        "escalation",
    }
    # The 30 + 30 days are 诉调对接's: a case the parties brought themselves is not extended.
    direct = register(users, area)
    assert _forms(login("jiefangbei").get(f"/disputes/{direct.number}/").content.decode()) == {
        "assign",
        "fail",
        "escalation",
    }
    d = assign(users, d, users["mediator_jfb"])
    # The street supervises the file; sessions and the agreement are the mediator's.
    street = _forms(login("jiefangbei").get(f"/disputes/{d.number}/").content.decode())
    assert street == {"assign", "extend", "fail", "escalation"}
    mediator = _forms(login("mediator_jfb").get(f"/disputes/{d.number}/").content.decode())
    assert mediator == {"session", "extend", "agree", "fail", "escalation"}
    assert set(allowed_actions(users["mediator_jfb"], d)) == mediator
    api = login("mediator_jfb").get(f"/api/v1/disputes/{d.number}").json()
    assert {a["action"] for a in api["actions"]} == mediator
    # A supervisor posting a mediator's action is refused with a message, not ignored.
    r = login("jiefangbei").post(
        f"/disputes/{d.number}/", {"action": "agree", "agreement": "代签", "version": d.version}
    )
    assert r.status_code == 403 and "您无权对该纠纷案件执行“达成协议”" in r.content.decode()


def test_a_mediator_lists_the_disputes_assigned_to_them(users: Any, area: Any, login: Any) -> None:
    mine = assign(users, register(users, area), users["mediator_jfb"])
    other = assign(users, register(users, area), second_mediator(area))
    unassigned = register(users, area)
    client = login("mediator_jfb")
    for url in ("/disputes/", "/disputes/mine/"):
        html = client.get(url).content.decode()
        assert mine.number in html
        assert other.number not in html and unassigned.number not in html
    home = client.get("/disputes/mine/").content.decode()
    assert "我调解的纠纷" in home
    street = login("jiefangbei").get("/disputes/").content.decode()
    assert {mine.number, other.number, unassigned.number} <= set(re.findall(r"TJ\d+", street))


def test_only_a_mediator_of_the_area_can_be_assigned(users: Any, area: Any) -> None:
    from zhili.core.errors import ValidationFailed

    d = register(users, area)
    with pytest.raises(ValidationFailed) as exc:
        assign(users, d, users["grid_jfb_01"])  # sees the grid, may not mediate
    assert exc.value.code == "not_a_mediator"
    assert assign(users, d, users["mediator_jfb"]).mediator == users["mediator_jfb"]


def test_a_supervisor_who_is_a_party_must_recuse(users: Any, area: Any) -> None:
    street = users["jiefangbei"]
    d = register(
        users,
        area,
        parties=[
            {"role": "applicant", "name": street.full_name},
            {"role": "respondent", "name": "钱七"},
        ],
    )
    with pytest.raises(PermissionDenied) as exc:
        ds.dispute_fail(actor=street, dispute=d, reason="不调了")
    assert exc.value.code == "refused"
    assert "fail" not in WORKFLOW.allowed_actions(street, d)


# -- privacy ----------------------------------------------------------------------------------

PARTIES = [
    {
        "role": "applicant",
        "name": "赵六",
        "phone": "13600001111",
        "id_number": "500103199001011234",
        "address": "渝中区解放碑民生路 88 号 3 单元 2 楼",
    },
    {"role": "respondent", "name": "钱七", "phone": "13700002222"},
]


def test_parties_are_masked_everywhere(users: Any, area: Any, login: Any) -> None:
    d = assign(users, register(users, area, PARTIES), users["mediator_jfb"])
    ds.session_add(actor=users["mediator_jfb"], dispute=d, at=timezone.now(), notes="调解")
    ds.dispute_agree(actor=users["mediator_jfb"], dispute=d, agreement="和解")
    for user in ("jiefangbei", "yuzhong", "mediator_jfb"):
        client = login(user)
        for url in (f"/disputes/{d.number}/", f"/disputes/{d.number}/agreement/"):
            html = client.get(url).content.decode()
            assert "13600001111" not in html and "500103199001011234" not in html
            assert "民生路 88 号" not in html
        body = client.get(f"/api/v1/disputes/{d.number}").content.decode()
        assert "13600001111" not in body and "500103199001011234" not in body
    party = login("jiefangbei").get(f"/api/v1/disputes/{d.number}").json()["parties"][0]
    assert party["phone"] == "136****1111" and party["id_number"] == "5001**********1234"


def test_the_reveal_is_for_view_personal_and_audited(
    users: Any, area: Any, login: Any, bearer: Any
) -> None:
    from django.test import Client

    d = register(users, area, PARTIES)
    audits = AuditEvent.objects.filter(action="privacy.reveal", object_id=str(d.pk))
    # The district officer holds disputes.* (view_personal included): a button, then the data.
    page = login("yuzhong").get(f"/disputes/{d.number}/").content.decode()
    assert 'id="reveal-personal"' in page
    shown = login("yuzhong").post(f"/disputes/{d.number}/personal/")
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "13600001111" in html and "500103199001011234" in html and "已记录" in html
    assert audits.count() == 1 and audits.get().actor_name == "yuzhong"
    api = Client().get(f"/api/v1/disputes/{d.number}/personal", headers=bearer("yuzhong"))
    assert api.status_code == 200
    assert api.json()[0]["phone"] == "13600001111" and audits.count() == 2
    # The street officer may see the case but not the parties' data unmasked.
    page = login("jiefangbei").get(f"/disputes/{d.number}/").content.decode()
    assert 'id="reveal-personal"' not in page
    refused = login("jiefangbei").post(f"/disputes/{d.number}/personal/")
    assert refused.status_code == 403 and "13600001111" not in refused.content.decode()
    api = Client().get(f"/api/v1/disputes/{d.number}/personal", headers=bearer("jiefangbei"))
    assert api.status_code == 403
    api = Client().get(f"/api/v1/disputes/{d.number}/personal", headers=bearer("wanzhou"))
    assert api.status_code == 404
    assert audits.count() == 2


def test_the_api_refuses_a_masked_phone(users: Any, bearer: Any) -> None:
    from django.test import Client

    r = Client().post(
        "/api/v1/disputes",
        {
            "channel": "direct",
            "subject": "邻里纠纷",
            "facts": "噪声",
            "area": "500103003013001",
            "parties": [
                {"role": "applicant", "name": "赵六", "phone": "136****1111"},
                {"role": "respondent", "name": "钱七"},
            ],
        },
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert r.status_code == 422 and r.json()["code"] == "masked_value"


def test_a_session_time_reads_in_local_time() -> None:
    """data["at"] is stored in UTC; the case file shows it as the page's local time (UTC+8)."""
    from zhili.disputes.models import DisputeEvent
    from zhili.disputes.workflow import describe

    event = DisputeEvent(action="session", data={"at": "2026-12-01T02:49:00+00:00", "place": ""})
    assert describe(event) == "调解时间 2026-12-01 10:49"

"""The run turns findings into warnings; red ones propose risks seen by the right district only;
the queue's workflow; interviews and the blacklist."""

from __future__ import annotations

import datetime as dt

import pytest

from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.testing.factories import GRID, JIEFANGBEI, YUZHONG, area, user
from zhili.wages import services
from zhili.wages.models import BlacklistEntry, Warning, WarningEvent
from zhili.wages.tests.helpers import TODAY, attendance, firms, make_project, pay, roster

pytestmark = pytest.mark.django_db


def red_project():
    """Attendance in March, nothing paid by the end of April: a red warning."""
    p = make_project()
    roster(p, 3)
    attendance(p, "2026-03", [1, 2, 3])
    return p


def test_an_import_runs_the_rules_and_a_red_warning_proposes_a_risk():
    from zhili.risks.models import Risk, Source

    p = red_project()
    w = Warning.objects.get(project=p, rule="no_payroll")
    assert w.severity == "red" and w.status == "open" and w.area_path == p.area_path
    assert w.reason.startswith("条例第三十一条")
    assert "2026-03 有 3 人出勤" in w.evidence["summary"]
    risk = w.risk
    assert risk is not None and risk.source == Source.WAGE and risk.category == "labour"
    assert risk.area_path == p.area_path
    assert "2026-03 有 3 人出勤" in risk.description  # the evidence, attached
    assert {e.kind for e in risk.elements.all()} == {"person", "organisation", "place", "event"}
    assert [e.action for e in w.events.all()] == ["raise", "propose_risk"]
    # Visible to 渝中 (the district) and 解放碑 (the street), not to 万州.
    for who in ("yuzhong", "jiefangbei"):
        assert Risk.objects.visible_to(user(who)).filter(pk=risk.pk).exists()
    assert not Risk.objects.visible_to(user("wanzhou")).filter(pk=risk.pk).exists()
    assert not Warning.objects.visible_to(user("wanzhou")).filter(pk=w.pk).exists()


def test_running_twice_raises_nothing_new_and_one_risk_per_project():
    from zhili.risks.models import Risk

    p = red_project()
    assert services.warnings_run(today=TODAY) == []
    attendance(p, "2026-02", [1, 2])  # a second red month on the same project
    reds = Warning.objects.filter(project=p, severity="red")
    assert reds.count() == 2
    assert len({w.risk_id for w in reds}) == 1
    assert Risk.objects.filter(source="wage").count() == 1


def test_yellow_warnings_do_not_propose_risks():
    p = make_project(complete=False, start_on=dt.date(2026, 1, 1))
    services.warnings_run(today=TODAY)
    ws = Warning.objects.filter(project=p)
    assert {w.rule for w in ws} == {"account", "deposit", "notice"}
    assert all(w.risk_id is None for w in ws)


def test_the_queue_assign_close_reopen():
    p = red_project()
    w = Warning.objects.get(project=p, rule="no_payroll")
    w = services.warning_assign(
        actor=user("yuzhong"), warning=w, assignee=user("jiefangbei"), version=w.version
    )
    assert w.status == "assigned" and w.assignee.username == "jiefangbei"
    with pytest.raises(Conflict):
        services.warning_close(actor=user("jiefangbei"), warning=w, note="x", version=1)
    with pytest.raises(ValidationFailed):
        services.warning_close(actor=user("jiefangbei"), warning=w, note=" ")
    with pytest.raises(PermissionDenied):  # the street may assign, only the district closes
        services.warning_close(actor=user("jiefangbei"), warning=w, note="已发放")
    w = services.warning_close(actor=user("yuzhong"), warning=w, note="3 月工资已补发")
    assert w.status == "closed" and w.closed_at
    # A closed warning stays closed when the run sees the same finding again.
    services.warnings_run(today=TODAY)
    assert Warning.objects.get(pk=w.pk).status == "closed"
    w = services.warning_reopen(actor=user("yuzhong"), warning=w, note="核查未补发")
    assert w.status == "open"
    assert [e.action for e in WarningEvent.objects.filter(warning=w)] == [
        "raise",
        "propose_risk",
        "assign",
        "close",
        "reopen",
    ]


def test_out_of_scope_is_404_and_the_assignee_must_see_the_warning():
    p = red_project()
    w = Warning.objects.get(project=p, rule="no_payroll")
    with pytest.raises(NotFound):
        services.warning_assign(actor=user("wanzhou"), warning=w, assignee=user("wanzhou"))
    with pytest.raises(ValidationFailed):
        services.warning_assign(actor=user("yuzhong"), warning=w, assignee=user("wanzhou"))


def test_severity_rises_to_red_but_never_falls():
    p = make_project()
    roster(p, 20)
    attendance(p, "2026-04", range(1, 21))
    pay(p, "2026-04", {i: "5000" for i in range(1, 20)})  # 5 % unpaid: yellow
    w = Warning.objects.get(project=p, rule="unpaid")
    assert w.severity == "yellow" and w.risk_id is None
    from zhili.wages.models import BankPayment

    BankPayment.objects.filter(project=p, worker__id_number__endswith="").filter(
        pk__in=list(BankPayment.objects.filter(project=p).values_list("pk", flat=True)[:5])
    ).delete()  # the bank recalls five transfers: 6 of 20 unpaid, 30 %
    services.warnings_run(today=TODAY)
    w.refresh_from_db()
    assert w.severity == "red" and w.risk_id is not None


def test_rule_edit_is_the_city_admins_and_audited():
    from zhili.core.models import AuditEvent
    from zhili.wages.models import WageRule

    rule = WageRule.objects.get(code="proxy")
    with pytest.raises(PermissionDenied):
        services.rule_update(
            actor=user("yuzhong"),
            rule=rule,
            severity="red",
            threshold="1",
            reason="x",
            enabled=True,
        )
    services.rule_update(
        actor=user("city_admin"),
        rule=rule,
        severity="yellow",
        threshold="50000",
        reason="单人单月超过五万元",
        enabled=True,
    )
    rule.refresh_from_db()
    assert rule.threshold == 50000 and rule.severity == "yellow"
    audit = AuditEvent.objects.filter(action="wages.rule.change").get()
    assert audit.before["threshold"] == "30000.00" and audit.after["threshold"] == "50000.00"


def test_roster_reveal_is_audited_and_needs_the_right():
    from zhili.core.models import AuditEvent
    from zhili.wages.tests.helpers import id_number

    p = make_project(where=GRID)
    roster(p, 2)
    with pytest.raises(PermissionDenied):
        services.roster_reveal(actor=user("grid_jfb_01"), project=p)
    rows = services.roster_reveal(actor=user("yuzhong"), project=p)
    assert rows[0]["id_number"] == id_number(1)
    assert AuditEvent.objects.filter(action="privacy.reveal", object_id=str(p.pk)).count() == 1


def test_interview_records_in_scope_only():
    _b, contractor, _s = firms()
    row = services.interview_record(
        actor=user("yuzhong"),
        area=area(JIEFANGBEI),
        held_on=TODAY,
        firm=contractor,
        interviewees="解放碑街道分管负责人；某建工集团项目经理",
        record="责令 6 月底前补发",
    )
    assert row.area_path.startswith("500000/500103/")
    with pytest.raises(NotFound):
        services.interview_record(
            actor=user("wanzhou"),
            area=area(JIEFANGBEI),
            held_on=TODAY,
            interviewees="x",
            record="y",
        )


def test_blacklist_three_years_and_early_removal():
    _b, contractor, _s = firms()
    e = services.blacklist_add(
        actor=user("yuzhong"),
        firm=contractor,
        area=area(YUZHONG),
        reason="拖欠 32 名农民工工资",
        arrears="480000",
        listed_on=dt.date(2026, 2, 29 - 1),
    )
    assert e.expires_on == dt.date(2029, 2, 28)
    with pytest.raises(Conflict):
        services.blacklist_add(
            actor=user("yuzhong"),
            firm=contractor,
            area=area(YUZHONG),
            reason="again",
            arrears="1",
            listed_on=dt.date(2026, 3, 1),
        )
    with pytest.raises(ValidationFailed, match="尚未全部清偿"):
        services.blacklist_remove_early(
            actor=user("yuzhong"),
            entry=e,
            rectified_on=None,
            committed=True,
            today=dt.date(2026, 12, 1),
        )
    with pytest.raises(ValidationFailed, match="信用承诺"):
        services.blacklist_remove_early(
            actor=user("yuzhong"),
            entry=e,
            rectified_on=dt.date(2026, 3, 31),
            committed=False,
            today=dt.date(2026, 12, 1),
        )
    with pytest.raises(ValidationFailed, match="满 6 个月"):  # the edge: 2026-09-30
        services.blacklist_remove_early(
            actor=user("yuzhong"),
            entry=e,
            rectified_on=dt.date(2026, 3, 31),
            committed=True,
            today=dt.date(2026, 9, 29),
        )
    with pytest.raises(PermissionDenied):
        services.blacklist_remove_early(
            actor=user("wanzhou"),
            entry=e,
            rectified_on=dt.date(2026, 3, 31),
            committed=True,
            today=dt.date(2026, 9, 30),
        )
    e = services.blacklist_remove_early(
        actor=user("yuzhong"),
        entry=e,
        rectified_on=dt.date(2026, 3, 31),
        committed=True,
        today=dt.date(2026, 9, 30),
    )
    assert e.removed_on == dt.date(2026, 9, 30)
    assert BlacklistEntry.objects.count() == 1

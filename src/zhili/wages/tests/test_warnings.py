"""The run turns findings into warnings; red ones propose risk candidates seen by the right
district only;
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


def _register(who, candidate):
    """An officer registers the candidate from the form the evidence filled in."""
    from zhili.risks.selectors import candidate_prefill
    from zhili.risks.services import risk_register

    d = candidate_prefill(candidate)
    return risk_register(
        actor=user(who),
        title=d["title"],
        description=d["description"],
        category=d["category"],
        source=d["source"],
        area=area(d["area_code"]),
        address=d["address"],
        persons=[{"name": d["person_name"], "phone": d["person_phone"]}],
        elements=[{"kind": "organisation", "name": d["organisation"]}],
        candidate=candidate,
    )


def test_an_import_runs_the_rules_and_a_red_warning_proposes_a_risk_candidate():
    from zhili.risks.models import Risk, RiskCandidate, Source

    p = red_project()
    w = Warning.objects.get(project=p, rule="no_payroll")
    assert w.severity == "red" and w.status == "open" and w.area_path == p.area_path
    assert w.reason.startswith("条例第三十一条")
    assert "2026-03 有 3 人出勤" in w.evidence["summary"]
    # A candidate waiting in the register's queue, not a risk registered silently.
    cand = w.candidate
    assert cand is not None and cand.kind == "wage" and cand.status == "proposed"
    assert not Risk.objects.filter(source=Source.WAGE).exists() and w.risk is None
    assert cand.area_path == p.area_path
    assert "2026-03 有 3 人出勤" in cand.evidence_display  # the evidence, attached
    assert cand.evidence["figures"] == {"month": "2026-03", "workers": 3}
    assert cand.evidence["links"] == [
        {"label": f"欠薪预警 #{w.pk}", "url": f"/wages/warnings/{w.pk}/"}
    ]
    assert [e.action for e in w.events.all()] == ["raise", "propose_risk"]
    # The district registers it from the prefilled form: source 欠薪预警, the project's facts.
    risk = _register("yuzhong", cand)
    assert risk.source == Source.WAGE and risk.category == "labour"
    assert risk.area_path == p.area_path and "2026-03 有 3 人出勤" in risk.description
    assert {e.kind for e in risk.elements.all()} == {"person", "organisation"}
    assert RiskCandidate.objects.get(pk=cand.pk).status == "registered"
    assert Warning.objects.get(pk=w.pk).risk == risk


def test_candidates_and_risks_of_two_districts_are_seen_by_their_own_district_only(client):
    from zhili.risks.models import Risk, RiskCandidate
    from zhili.testing.factories import WANZHOU_STREET
    from zhili.wages.tests.test_pages import login

    yz = red_project()
    wz = make_project("wanzhou", where=WANZHOU_STREET, number="XM-WZ-1", name="万州某安置房")
    roster(wz, 2, start=10)
    attendance(wz, "2026-03", [10, 11])
    c_yz = Warning.objects.get(project=yz, rule="no_payroll").candidate
    c_wz = Warning.objects.get(project=wz, rule="no_payroll").candidate
    assert c_yz and c_wz and c_yz.pk != c_wz.pk
    for who, mine, theirs in (
        ("yuzhong", c_yz, c_wz),
        ("jiefangbei", c_yz, c_wz),
        ("wanzhou", c_wz, c_yz),
    ):
        seen = RiskCandidate.objects.visible_to(user(who))
        assert seen.filter(pk=mine.pk).exists() and not seen.filter(pk=theirs.pk).exists()
    page = login(client, "yuzhong").get("/risks/candidates/").content.decode()
    assert "解放碑某商业综合体" in page and "万州某安置房" not in page
    form = login(client, "yuzhong").get(f"/risks/new/?candidate={c_yz.pk}")
    assert form.status_code == 200 and "某建工集团" in form.content.decode()  # prefilled
    assert login(client, "wanzhou").get(f"/risks/new/?candidate={c_yz.pk}").status_code == 404
    risk = _register("yuzhong", c_yz)
    for who in ("yuzhong", "jiefangbei"):
        assert Risk.objects.visible_to(user(who)).filter(pk=risk.pk).exists()
    assert not Risk.objects.visible_to(user("wanzhou")).filter(pk=risk.pk).exists()
    assert not Warning.objects.visible_to(user("wanzhou")).filter(project=yz).exists()
    with pytest.raises(PermissionDenied):  # 万州 cannot register 渝中's candidate
        _register("wanzhou", RiskCandidate.objects.get(pk=c_yz.pk))


def test_one_candidate_per_project_while_waiting_or_its_risk_is_open():
    from zhili.risks.models import RiskCandidate

    p = red_project()
    assert services.warnings_run(today=TODAY) == []
    attendance(p, "2026-02", [1, 2])  # a second red month on the same project
    reds = Warning.objects.filter(project=p, severity="red")
    assert reds.count() == 2
    assert len({w.candidate_id for w in reds}) == 1
    cand = RiskCandidate.objects.get(kind="wage")
    assert len(cand.evidence["items"]) == 1 and "2026-02" in cand.evidence["items"][0]
    # Registered and open: a later red warning joins the risk.
    risk = _register("yuzhong", cand)
    attendance(p, "2026-01", [1])
    w = Warning.objects.get(project=p, rule="no_payroll", period="2026-01-01")
    assert w.candidate_id == cand.pk and w.risk == risk
    assert RiskCandidate.objects.filter(kind="wage").count() == 1


def test_a_dismissed_candidate_stays_dismissed_and_new_evidence_proposes_anew():
    from zhili.risks.models import RiskCandidate
    from zhili.risks.services import candidate_dismiss

    p = red_project()
    cand = Warning.objects.get(project=p).candidate
    candidate_dismiss(actor=user("yuzhong"), candidate=cand, note="已核实：工资已现金补发")
    services.warnings_run(today=TODAY)  # the same warning seen again: nothing new
    assert RiskCandidate.objects.filter(kind="wage").count() == 1
    attendance(p, "2026-02", [1, 2])  # a new red month
    assert RiskCandidate.objects.filter(kind="wage", status="proposed").count() == 1


def test_yellow_warnings_do_not_propose_risks():
    p = make_project(complete=False, start_on=dt.date(2026, 1, 1))
    services.warnings_run(today=TODAY)
    ws = Warning.objects.filter(project=p)
    assert {w.rule for w in ws} == {"account", "deposit", "notice"}
    assert all(w.candidate_id is None for w in ws)


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
    assert w.severity == "yellow" and w.candidate_id is None
    from zhili.wages.models import BankPayment

    BankPayment.objects.filter(project=p, worker__id_number__endswith="").filter(
        pk__in=list(BankPayment.objects.filter(project=p).values_list("pk", flat=True)[:5])
    ).delete()  # the bank recalls five transfers: 6 of 20 unpaid, 30 %
    services.warnings_run(today=TODAY)
    w.refresh_from_db()
    assert w.severity == "red" and w.candidate_id is not None


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

"""Objects as the API shows them (personal and account data masked)."""

from __future__ import annotations

from typing import Any

from zhili.wages import selectors
from zhili.wages.models import BlacklistEntry, Project, WageRule, Warning


def project_out(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "name": p.name,
        "area": p.area.code,
        "area_name": p.area.name,
        "address": p.address,
        "builder": p.builder.name,
        "contractor": p.contractor.name,
        "contract_value": p.contract_value,
        "labour_share": p.labour_share,
        "start_on": p.start_on,
        "status": p.status,
    }


def project_detail_out(p: Project) -> dict[str, Any]:
    from zhili.wages.models import WageAccount

    account = WageAccount.objects.filter(project=p).first()
    money = selectors.project_balance(p)
    _rows, size = selectors.roster_rows(p, limit=0)
    return (
        project_out(p)
        | money
        | {
            "account_bank": account.bank if account else None,
            "account_tail": account.account_number[-4:] if account else None,
            "has_deposit": p.deposits.exists(),
            "has_notice_board": p.notice_board_id is not None,
            "roster_size": size,
            "months": [
                {
                    "month": f"{m.month:%Y-%m}",
                    "attendees": m.attendees,
                    "paid_workers": m.paid_workers,
                    "paid_rate": m.paid_rate,
                    "paid": m.paid,
                    "payroll": m.payroll,
                }
                for m in selectors.project_months(p)
            ],
        }
    )


def warning_out(w: Warning) -> dict[str, Any]:
    return {
        "id": w.pk,
        "project": w.project_id,
        "project_name": w.project.name,
        "rule": w.rule,
        "rule_name": w.get_rule_display(),
        "severity": w.severity,
        "period": f"{w.period:%Y-%m}",
        "reason": w.reason,
        "summary": str(w.evidence.get("summary", "")),
        "status": w.status,
        "status_name": w.get_status_display(),
        "assignee": w.assignee.username if w.assignee_id and w.assignee else None,
        "candidate": w.candidate.get_status_display() if w.candidate_id and w.candidate else None,
        "risk": w.risk.number if w.risk else None,
        "version": w.version,
    }


def blacklist_out(e: BlacklistEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "firm": e.firm.name,
        "credit_code": e.firm.credit_code,
        "reason": e.reason,
        "listed_on": e.listed_on,
        "expires_on": e.expires_on,
        "removed_on": e.removed_on,
    }


def district_out(r: selectors.DistrictRow) -> dict[str, Any]:
    return {
        "path": r.path,
        "name": r.name,
        "projects": r.projects,
        "red": r.red,
        "yellow": r.yellow,
        "closed": r.closed,
        "total": r.total,
        "closed_rate": r.closed_rate,
    }


def rule_out(r: WageRule) -> dict[str, Any]:
    return {
        "code": r.code,
        "name": r.get_code_display(),
        "severity": r.severity,
        "threshold": r.threshold,
        "red_above": r.red_above,
        "threshold_help": r.threshold_help,
        "reason": r.reason,
        "enabled": r.enabled,
    }

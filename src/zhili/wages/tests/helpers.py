"""Payroll histories for the tests, built through the services and the importer."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from zhili.testing.factories import JIEFANGBEI, area, user
from zhili.wages import services
from zhili.wages.imports import COLUMNS, ID_CHECK, ID_WEIGHTS

TODAY = dt.date(2026, 6, 15)


def id_number(n: int) -> str:
    body = f"50010319900101{n:03d}"
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def card(n: int) -> str:
    return f"6222{n:012d}"


def csv_bytes(kind: str, rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([h for _k, h, _r in COLUMNS[kind]])
    for r in rows:
        w.writerow(r)
    return out.getvalue().encode("utf-8")


def firms() -> tuple[Any, Any, Any]:
    actor = user("yuzhong")
    return (
        services.firm_create(actor=actor, name="某开发公司", credit_code="91500103MA5U000001"),
        services.firm_create(actor=actor, name="某建工集团", credit_code="91500103MA5U000002"),
        services.firm_create(actor=actor, name="某劳务公司", credit_code="91500103MA5U000003"),
    )


def make_project(
    actor: Any = "jiefangbei",
    *,
    where: Any = JIEFANGBEI,
    number: str = "XM2026001",
    start_on: dt.date = dt.date(2026, 1, 1),
    complete: bool = True,
    **kw: Any,
) -> Any:
    """A project in 解放碑; ``complete`` gives it an account, a deposit and a notice board."""
    from zhili.testing.factories import png

    builder, contractor, sub = firms()
    who = user(actor)
    p = services.project_create(
        actor=who,
        number=number,
        name=kw.pop("name", "解放碑某商业综合体"),
        area=area(where),
        address="民生路 1 号",
        builder=builder,
        contractor=contractor,
        subcontractors=[sub],
        contract_value=kw.pop("contract_value", "10000000"),
        labour_share=kw.pop("labour_share", "20"),
        start_on=start_on,
        labour_manager="王五",
        labour_manager_phone="13700001111",
    )
    if complete:
        services.account_set(
            actor=who,
            project=p,
            bank="重庆农村商业银行",
            account_number="1234567890123",
            opened_on=start_on,
        )
        services.deposit_add(actor=who, project=p, kind="deposit", amount="500000", bank="重庆银行")
        services.notice_board_set(actor=who, project=p, data=png("blue"), name="告示牌.png")
    return p


def roster(project: Any, n: int, *, employer: str = "某劳务公司", start: int = 1) -> None:
    rows = [
        [f"工人{i}", id_number(i), "", card(i), employer, "钢筋工", "2026-01-01", ""]
        for i in range(start, start + n)
    ]
    imp(project, "roster", rows)


def attendance(project: Any, month: str, workers: Iterable[int], days: int = 22) -> None:
    imp(project, "attendance", [[id_number(i), month, days] for i in workers])


def pay(project: Any, month: str, amounts: dict[int, Any], paid_on: str | None = None) -> None:
    paid_on = paid_on or f"{month}-28"
    imp(
        project,
        "bank",
        [
            [id_number(i), month, a, paid_on, f"LS{month.replace('-', '')}{project.pk}{i:05d}"]
            for i, a in amounts.items()
        ],
    )


def labour(project: Any, amount: Any, ref: str, paid_on: str = "2026-01-10") -> None:
    imp(project, "labour", [[amount, paid_on, ref]])


def imp(project: Any, kind: str, rows: Iterable[Sequence[Any]], actor: Any = None) -> Any:
    """Imported by the street's worker (解放碑) or the district's officer (elsewhere)."""
    actor = actor or ("jiefangbei" if "/500103003/" in project.area_path else "wanzhou")
    return services.project_import(
        actor=user(actor),
        project=project,
        kind=kind,
        data=csv_bytes(kind, rows),
        filename=f"{kind}.csv",
        today=TODAY,
    )


def findings(project: Any, rule: str, today: dt.date = TODAY) -> list[Any]:
    from zhili.wages.rules import evaluate

    return [f for f in evaluate(today=today, project_ids=[project.pk]) if f.rule == rule]

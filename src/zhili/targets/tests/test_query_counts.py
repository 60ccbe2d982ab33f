"""Query counts of the target pages, the API and the steps of a report, pinned exactly in
``targets/tests/query_counts.json`` (``zhili.testing.queries``; rewrite with
``ZHILI_UPDATE_SNAPSHOTS=1`` after a deliberate change)."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.targets import services
from zhili.targets.evidence import Upload
from zhili.targets.models import Assignment
from zhili.testing import factories as f
from zhili.testing.queries import assert_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db: Any) -> Any:
    """The three-task plan, with 渝中区's first report submitted."""
    plan = f.make_plan()
    f.make_report(f.report_of(plan, task="1", district=f.YUZHONG), "yuzhong")
    return plan


def _urls(plan: Any) -> dict[str, str]:
    share = Assignment.objects.get(plan=plan, task__number="1", area__code=f.YUZHONG, unit=None)
    report = f.report_of(plan, task="1", district=f.YUZHONG)
    return {
        "plan": str(plan.pk),
        "assignment": str(share.pk),
        "task": str(share.task_id),
        "report": str(report.pk),
    }


PAGES = [
    "/targets/",
    "/targets/{plan}/",
    "/targets/{plan}/c/{assignment}/",
    "/targets/{plan}/tasks/{task}/",
    "/targets/{plan}/ranking/",
]
API = [
    "/api/v1/targets/plans/{plan}/table",
    "/api/v1/targets/reports/{report}",
    "/api/v1/targets/plans/{plan}/ranking",
]


@pytest.mark.parametrize("username", ["office_zfw", "yuzhong"])
@pytest.mark.parametrize("page", PAGES)
def test_page_query_count(login: Any, plan: Any, page: str, username: str) -> None:
    client = login(username)
    url = page.format(**_urls(plan))
    assert client.get(url).status_code == 200  # the session and the process caches are warm
    with assert_query_count(f"page: {page} as {username}"):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("path", API)
def test_api_query_count(client: Any, bearer: Any, plan: Any, path: str) -> None:
    headers = bearer("office_zfw")
    url = path.format(**_urls(plan))
    assert client.get(url, headers=headers).status_code == 200  # the token's first use
    with assert_query_count(f"api: GET {path} as office_zfw"):
        assert client.get(url, headers=headers).status_code == 200


def test_transition_query_counts(db: Any) -> None:
    """Submit and review a second report, after the same steps on a first one."""
    plan = f.make_plan()
    office, gaj = f.user("office_zfw"), f.user("unit_gaj")
    first, second = (f.report_of(plan, task=n, unit="市公安局") for n in ("1", "3"))

    def submit(report: Any) -> Any:
        files = [Upload(f"台账{report.pk}.pdf", f.PDF + str(report.pk).encode())]
        return services.report_submit(actor=gaj, report=report, text="已完成", uploads=files)

    steps = [
        ("submit", submit),
        ("review", lambda r: services.report_review(actor=office, report=r, decision="accept")),
    ]
    for name, step in steps:
        step(first)
        with assert_query_count(f"transition: {name}"):
            step(second)

"""The pages: the step form refuses a meeting with its reason and keeps what was typed; a step
waiting for the legal review says so and offers the request; lists for the township."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from zhili.deliberation import services
from zhili.deliberation.models import Stage
from zhili.deliberation.services import StepInput
from zhili.legal.models import Review
from zhili.testing import factories as f

pytestmark = pytest.mark.django_db


def _client(who: str) -> Client:
    c = Client()
    c.force_login(f.user(who))
    return c


def _at_party(secretary: Any, community: Any, **kw: Any) -> Any:
    d = services.deliberation_create(
        actor=secretary, area=community, title="停车位收费", content="方案", **kw
    )
    for action in ("propose", "discuss"):
        d = services.step_record(
            actor=secretary,
            deliberation=d,
            action=action,
            step=StepInput(held_on=dt.date(2026, 11, 2), text=action),
        )
    return d


def test_a_refused_meeting_keeps_the_form(secretary: Any, community: Any) -> None:
    d = _at_party(secretary, community)
    c = _client("secretary_msl")
    url = f"/deliberation/{d.number}/"
    page = c.get(url).content.decode()
    assert 'id="form-review"' in page and "党员大会审议" in page
    # A date input only shows an ISO value (a localised "2026/12/06" would leave it empty).
    today = timezone.localdate().isoformat()
    assert f'type="date" name="held_on" value="{today}"' in page
    # The signatures the service requires of a meeting are marked required.
    assert '<label class="form-label required" for="id_signatures">' in page
    sheet = SimpleUploadedFile("签到表.pdf", f.PDF, content_type="application/pdf")
    r = c.post(
        url,
        {
            "action": "review",
            "version": d.version,
            "held_on": "2026-11-03",
            "text": "审议",
            "due": "30",
            "present": "19",
            "votes_for": "19",
            "signatures": sheet,
        },
    )
    html = r.content.decode()
    assert r.status_code == 200 and "不足应到党员 30 人的三分之二" in html and 'value="19"' in html
    sheet.seek(0)
    r = c.post(
        url,
        {
            "action": "review",
            "version": d.version,
            "held_on": "2026-11-03",
            "text": "审议",
            "due": "30",
            "present": "20",
            "votes_for": "16",
            "signatures": sheet,
        },
    )
    assert r.status_code == 302
    assert "待村（居）民会议决议" in c.get(url).content.decode()


def test_a_step_waiting_for_the_legal_review(secretary: Any, community: Any, adviser: Any) -> None:
    d = _at_party(secretary, community, review_before=Stage.PARTY)
    c = _client("secretary_msl")
    url = f"/deliberation/{d.number}/"
    html = c.get(url).content.decode()
    assert (
        "请先送审" in html and 'id="form-request_review"' in html and 'id="form-review"' not in html
    )
    assert (
        c.post(url, {"action": "request_review", "question": "收费标准是否合法"}).status_code == 302
    )
    review = Review.objects.get(subject_id=d.pk)
    html = c.get(url).content.decode()
    assert "尚未出具审查意见" in html and 'id="form-request_review"' not in html
    lawyer = _client("lawyer_jfb")
    assert (
        lawyer.post(
            f"/legal/reviews/{review.pk}/",
            {"approve": "1", "opinion": "合法", "version": review.version},
        ).status_code
        == 302
    )
    assert (
        _client("jiefangbei")
        .post(f"/legal/reviews/{review.pk}/", {"approve": "1", "opinion": "x"})
        .status_code
        == 409
    )
    html = c.get(url).content.decode()
    assert 'id="form-review"' in html
    # The review is in the record's history too, in time order with its own steps.
    timeline = html[html.index('id="deliberation-events"') :]
    timeline = timeline[: timeline.index("</ul>")]
    actions = re.findall(r'data-action="([a-z_]+)"', timeline)
    assert actions[-2:] == ["request", "approve"] and actions[0] == "create"
    assert "送审" in timeline and "审查通过" in timeline and "合法" in timeline
    api = c.get(f"/api/v1/deliberation/records/{d.number}").json()
    assert [e["action"] for e in api["events"]][-2:] == [
        "legal_review.request",
        "legal_review.approve",
    ]


def test_lists_for_the_township(secretary: Any, community: Any) -> None:
    d = _at_party(secretary, community)
    c = _client("jiefangbei")
    assert d.number in c.get("/deliberation/").content.decode()
    assert c.get("/deliberation/projects/").status_code == 200
    assert c.get("/legal/").status_code == 200
    assert _client("wanzhou").get(f"/deliberation/{d.number}/").status_code == 404

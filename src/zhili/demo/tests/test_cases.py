from typing import Any

from django.test import override_settings

from zhili.demo.cases import demo_cases
from zhili.disputes.models import Dispute, Status
from zhili.risks.models import Risk


def test_demo_cases_run_through_the_services_once(db: Any) -> None:
    with override_settings(DEBUG=True):
        demo_cases(say=lambda _m: None)
        demo_cases(say=lambda _m: None)
    assert Dispute.objects.count() == 5
    assert Dispute.objects.filter(status=Status.AGREED).count() == 2
    assert Risk.objects.filter(level="red").exists() and Risk.objects.filter(level="blue").exists()
    assert all(r.events.filter(action="register").exists() for r in Risk.objects.all())
    from zhili.risks.models import RiskCandidate

    assert RiskCandidate.objects.filter(kind="rising").exists()
    assert RiskCandidate.objects.filter(kind="address").exists()

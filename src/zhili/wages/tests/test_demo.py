import datetime as dt

import pytest
from django.test import override_settings

from zhili.wages.demo import demo_wages
from zhili.wages.models import Project, Warning

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_demo_builds_the_stories_and_is_idempotent():
    said: list[str] = []
    demo_wages(say=said.append, today=dt.date(2026, 12, 6))
    rules_by_project = {
        p.number: {w.rule for w in Warning.objects.filter(project=p, severity="red")}
        for p in Project.objects.all()
    }
    assert rules_by_project["DEMO-YZ-001"] == set()
    assert "no_payroll" in rules_by_project["DEMO-YZ-002"]
    assert "unpaid" in rules_by_project["DEMO-YZ-003"]
    assert "proxy" in rules_by_project["DEMO-WZ-001"]
    assert Warning.objects.filter(
        project__number="DEMO-YZ-002", candidate__status="proposed"
    ).exists()  # a risk candidate waits in the register
    demo_wages(say=said.append, today=dt.date(2026, 12, 6))
    assert Project.objects.count() == 5 and "跳过" in said[-1]

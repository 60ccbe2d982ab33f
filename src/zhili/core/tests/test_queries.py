"""core.queries.plain_rows: the rows values_list gives, without its converters."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count, Q

from zhili.areas.models import Area
from zhili.core.queries import plain_rows

pytestmark = pytest.mark.django_db


def test_the_rows_are_those_of_values_list() -> None:
    Area.objects.create(code="990000", name="试验市", level="city", path="990000/", depth=0)
    qs = Area.objects.filter(code="990000").values("level").annotate(n=Count("*")).order_by()
    assert plain_rows(qs.values_list("level", "n")) == list(qs.values_list("level", "n"))
    assert plain_rows(qs.values_list("level", "n")) == [("city", 1)]


def test_a_filter_that_matches_nothing_runs_no_query(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert plain_rows(Area.objects.filter(Q(pk__in=[])).values_list("code")) == []
        assert plain_rows(Area.objects.none().values_list("code")) == []

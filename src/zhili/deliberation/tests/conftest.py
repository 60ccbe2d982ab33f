from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhili.testing import factories as f

COMMUNITY = "500103003013"  # 民生路社区, 解放碑街道: secretary_msl's community
PDF = f.PDF


@pytest.fixture
def secretary() -> Any:
    return f.user("secretary_msl")


@pytest.fixture
def community() -> Any:
    return f.area(COMMUNITY)


@pytest.fixture
def adviser(community: Any) -> Any:
    """lawyer_jfb serving 民生路社区, arranged by the street."""
    from zhili.legal.services import adviser_create, coverage_add

    street = f.user("jiefangbei")
    a = adviser_create(
        actor=street,
        name="王律师",
        firm="重庆某律师事务所（演示）",
        area=f.area(f.JIEFANGBEI),
        phone="13500001111",
        user=f.user("lawyer_jfb"),
    )
    coverage_add(actor=street, adviser=a, area=community, since=dt.date(2026, 1, 1))
    return a

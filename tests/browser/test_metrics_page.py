"""The statistics page on a phone, in both languages: its switch between the table's groupings
(by area, unit, 三事分流, 四事四办, 五事) wraps instead of widening the page, and works."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("language", "by_topic", "topic_row"),
    [("zh-hans", "按五事", "发展环境"), ("en", "By Topic", "Business environment")],
)
def test_the_groupings_fit_a_phone(
    phone: Any, sign_in: Any, scroll_width: Any, language: str, by_topic: str, topic_row: str
) -> None:
    sign_in(phone, "jiefangbei")
    phone.context.add_cookies([{"name": "django_language", "value": language, "url": phone.url}])
    phone.goto("/matters/metrics/?days=30")
    wide = phone.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 376)"
        ".slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className)"
    )
    assert scroll_width(phone) <= 375, wide  # the English labels are longer: 455 px in one row
    switch = phone.locator("#metrics-by-topic")
    assert switch.inner_text().strip() == by_topic
    switch.click()
    phone.wait_for_load_state()
    assert "by=topic" in phone.url
    assert topic_row in phone.locator("#metrics-ranking table").inner_text()
    assert scroll_width(phone) <= 375

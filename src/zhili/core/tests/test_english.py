"""Every named page of the site in English: no Chinese left but data.

Each named URL pattern of the URL conf (the same walk as the access matrix, whose objects fill the
path parameters) is asked with GET and the language cookie set to ``en``, as the roles who may see
it. What a user reads (text nodes outside ``<script>``/``<style>``, and the attributes
``placeholder``, ``title``, ``aria-label``, ``alt``, ``data-confirm`` and the labels of buttons)
is cut into runs of Chinese characters; a run is data when it is (a concatenation of) the text of
a run stored in the database (every CharField, TextField and JSONField string: area, unit,
category names, titles, people, …), or the start of one cut short with "…". Any other run fails
the test, listed with where it stands. One test per URL name: ``-k matters:queue``, ``-k risks``.
See docs/i18n.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from zhili.core.tests.test_access_matrix import (  # noqa: F401 - fixtures used by name
    PARAMS,
    Route,
    _quiet,
    _split,
    world,
)

# Roles asked, in order; a page is read as the first two who get it (an HTML page, 200).
READERS = (
    "city_admin",
    "jiefangbei",
    "grid_jfb_01",
    "yuzhong",
    "unit_yz_jw",
    "office_zfw",
    "mediator_jfb",
    "secretary_msl",
    "lawyer_jfb",
    "liangjiang",
    "unit_gaj",
    "wanzhou",
    "anonymous",
)
PER_PAGE = 2

# CJK ideographs (and the compatibility block); punctuation is not a word.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
READ_ATTRS = {"placeholder", "title", "aria-label", "alt", "data-confirm", "data-label"}
BUTTON_INPUTS = {"submit", "button", "reset"}


# The pages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str  # "namespace:name"
    route: Route


def _named(patterns: list[Any], prefix: list[tuple[str, str]], ns: str) -> Iterator[Page]:
    for p in patterns:
        parts = prefix + _split(p.pattern)
        if isinstance(p, URLResolver):
            inner = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from _named(p.url_patterns, parts, inner)
        elif isinstance(p, URLPattern) and p.name:
            merged: list[tuple[str, str]] = []
            for literal, name in [("/", ""), *parts]:
                if merged and not merged[-1][1]:
                    merged[-1] = (merged[-1][0] + literal, name)
                else:
                    merged.append((literal, name))
            route = Route("", tuple(merged))
            template = route.url({name: f"<{name}>" for _, name in merged if name})
            yield Page(f"{ns}{p.name}", Route(template, tuple(merged), (p.callback,)))


def named_pages() -> list[Page]:
    """Every named URL pattern but the API and Open311 (JSON and XML, not pages)."""
    seen: dict[str, Page] = {}
    for page in _named(get_resolver().url_patterns, [], ""):
        t = page.route.template
        if t.startswith(("/api/", "/open311/")) or page.name in seen:
            continue
        seen[page.name] = page
    return sorted(seen.values(), key=lambda p: p.name)


def _kind(route: Route, name: str, upto: str) -> str:
    kind = PARAMS.get(upto) or PARAMS.get(f"<{name}>")
    assert kind, f"{route.template}: 参数 <{name}> 没有取值（test_access_matrix.PARAMS）"
    return kind


def page_url(page: Page, values: dict[str, tuple[str, str | None]]) -> str:
    filled = {n: values[_kind(page.route, n, upto)][0] for n, upto in page.route.params}
    return page.route.url(filled)


# What a user reads -----------------------------------------------------------------------------


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Reader(HTMLParser):
    """Text and read attributes, except inside ``<script>``/``<style>`` and inside an element
    that declares another language (``lang="zh-hans"``: the switch's "简体中文")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0
        self._open: list[tuple[str, bool]] = []  # (tag, in another language)

    def _foreign(self) -> bool:
        return any(foreign for _, foreign in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        found = dict(attrs)
        lang = (found.get("lang") or "").lower()
        foreign = bool(lang) and not lang.startswith("en")
        if tag not in VOID:
            self._open.append((tag, foreign))
        if foreign or self._foreign():
            return
        for name, value in attrs:
            if value and name in READ_ATTRS:
                self.out.append(value)
        if tag == "input" and (found.get("type") or "") in BUTTON_INPUTS and found.get("value"):
            self.out.append(found["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        for i in range(len(self._open) - 1, -1, -1):  # close up to the matching tag
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip() and not self._foreign():
            self.out.append(data.strip())


def readable(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    return reader.out


# What is data ----------------------------------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def stored_runs() -> set[str]:
    """Every run of Chinese characters in a text column of the database."""
    from django.apps import apps
    from django.db import models

    runs: set[str] = set()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not columns:
            continue
        for row in model._base_manager.values_list(*columns).iterator(chunk_size=5000):
            for value in row:
                for text in _strings(value):
                    runs.update(HAN.findall(text))
    return runs


class Data:
    def __init__(self, runs: set[str]) -> None:
        self.runs = runs
        self.longest = max((len(r) for r in runs), default=0)

    @cache  # noqa: B019 - one instance per test
    def covers(self, run: str) -> bool:
        """A run stored as such, or several stored runs written together."""
        if run in self.runs:
            return True
        for cut in range(min(len(run) - 1, self.longest), 0, -1):
            if run[:cut] in self.runs and self.covers(run[cut:]):
                return True
        return False

    @cache  # noqa: B019 - one instance per test
    def cut_short(self, run: str) -> bool:
        return any(r.startswith(run) for r in self.runs)


def chinese_left(texts: list[str], data: Data) -> list[str]:
    """The texts holding a run of Chinese that is not data."""
    left = []
    for text in texts:
        for m in HAN.finditer(text):
            run = m.group()
            if data.covers(run):
                continue
            # cut short ("民生路社…") or masked ("张*"): the start of a stored run
            if text[m.end() : m.end() + 1] in ("…", ".", "*") and data.cut_short(run):
                continue
            left.append(text if len(text) <= 120 else text[:117] + "…")
            break
    return left


# The tests -------------------------------------------------------------------------------------


PAGES = named_pages()


@pytest.fixture(scope="module")
def data(world: Any, django_db_blocker: Any) -> Data:  # noqa: F811
    with django_db_blocker.unblock():
        return Data(stored_runs())


def english_client(role: str) -> Client:
    from zhili.org.models import User

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


def _is_page(response: Any) -> bool:
    kind = response.get("Content-Type", "")
    return response.status_code == 200 and kind.startswith("text/html") and not response.streaming


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_in_english_has_no_chinese_but_data(
    page: Page,
    world: Any,  # noqa: F811 - the access matrix fixture
    data: Data,
) -> None:
    url = page_url(page, world.values)
    read: list[str] = []
    problems: list[str] = []
    for role in READERS:
        response = english_client(role).get(url)
        if not _is_page(response):
            continue
        assert response["Content-Language"] == "en"
        html = response.content.decode()
        assert '<html lang="en"' in html or "<html" not in html, f"{url}: <html lang> 不是 en"
        problems += [f"  [{role}] {t}" for t in chinese_left(readable(html), data)]
        read.append(role)
        if len(read) == PER_PAGE:
            break
    if not read:
        pytest.skip(f"{url}: 无人得到 HTML 页面（导出、跳转或只收 POST）")
    unique = list(dict.fromkeys(problems))
    assert not unique, f"{page.name} {url} 英文页面中仍有中文：\n" + "\n".join(unique)


@pytest.mark.django_db
def test_the_footer_names_each_language_in_its_own_language() -> None:
    for language in ("zh-hans", "en"):
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get("/login/").content.decode()
        options = re.findall(r'<option value="([\w-]+)"[^>]*>([^<]+)</option>', html)
        assert ("zh-hans", "简体中文") in options, options
        assert ("en", "English") in options, options
        assert "英语" not in html


def test_runs_of_data_are_recognised() -> None:
    data = Data({"解放碑", "街道", "民生路社区"})
    assert chinese_left(["Requests of 解放碑街道"], data) == []
    assert chinese_left(["民生路社… (3)"], data) == []
    assert chinese_left(["民* · 138****5678"], data) == []
    assert chinese_left(["Unit 待派遣"], data) == ["Unit 待派遣"]
    assert chinese_left(["解放碑 待派遣"], data) == ["解放碑 待派遣"]


def test_what_a_user_reads() -> None:
    html = (
        '<p title="提示">正文<script>var x = "脚本";</script></p>'
        '<input type="submit" value="提交"><input type="text" value="数据" placeholder="输入">'
    )
    assert readable(html) == ["提示", "正文", "提交", "输入"]
    switch = '<select><option lang="zh-hans">简体中文</option><option lang="en">English</option>'
    assert readable(switch + "</select><p>中文</p>") == ["English", "中文"]

"""The English catalogues are complete, and what is stored stays in the platform's language."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import polib
from django.utils import translation
from django.utils.translation import gettext_lazy

from zhili.core.i18n import lazy_format, stored

ROOT = Path(__file__).resolve().parents[4]


def _compiler() -> Any:
    spec = importlib.util.spec_from_file_location(
        "compile_messages", ROOT / "tools" / "compile_messages.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_catalogue_is_complete_and_keeps_its_placeholders() -> None:
    compiler = _compiler()
    catalogues = compiler.catalogues()
    assert catalogues, "没有找到任何 .po 文件"
    problems = []
    for po in catalogues:
        catalogue = polib.pofile(str(po))
        for entry in catalogue:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{po}:{entry.linenum}: fuzzy: {entry.msgid[:60]!r}")
            elif not (entry.msgstr or any(entry.msgstr_plural.values())):
                problems.append(f"{po}:{entry.linenum}: 未翻译: {entry.msgid[:60]!r}")
    assert not problems, "\n".join(problems)


def test_the_compiler_refuses_a_translation_that_loses_a_placeholder(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    catalogue.append(polib.POEntry(msgid="已导入 %(n)s 天", msgstr="Imported days"))
    catalogue.append(polib.POEntry(msgid="加载失败（{status}）", msgstr="Failed ({status})"))
    catalogue.save(str(po))
    problems = _compiler().compile_one(po)
    assert len(problems) == 1 and "已导入" in problems[0]
    assert po.with_suffix(".mo").exists()


def test_a_stored_label_is_chinese_whatever_the_language() -> None:
    label = gettext_lazy("待派遣")
    with translation.override("en"):
        assert str(label) == "To dispatch"
        data = stored({"status": label, "rows": [label, 1], "plain": "x"})
    assert data == {"status": "待派遣", "rows": ["待派遣", 1], "plain": "x"}


def test_lazy_format_is_formatted_in_the_language_of_the_moment() -> None:
    message = lazy_format(gettext_lazy("%(label)s不能为空"), {"label": gettext_lazy("名称")})
    with translation.override("en"):
        assert str(message) == "Name is required"
    with translation.override("zh-hans"):
        assert str(message) == "名称不能为空"


def test_one_source_text_has_one_translation_across_the_apps() -> None:
    """Django merges every app's catalogue into one per language, and the app listed first in
    INSTALLED_APPS wins a text two catalogues translate differently: the matter page read
    "Kind" for 类别 (areas' word) and a dispute's count read "requests". The same words in
    another sense take a context (``pgettext``, ``{% translate … context … %}``)."""
    seen: dict[tuple[str, str | None, str], dict[str, str]] = {}
    for po in _compiler().catalogues():
        language = po.parent.parent.name
        for entry in polib.pofile(str(po)):
            if entry.obsolete or not entry.msgstr:
                continue
            key = (language, entry.msgctxt, entry.msgid)
            seen.setdefault(key, {})[str(po)] = entry.msgstr
    conflicts = [
        f"{msgid!r}" + (f" [{ctx}]" if ctx else "") + f": {sorted(set(found.values()))}"
        for (_lang, ctx, msgid), found in seen.items()
        if len(set(found.values())) > 1
    ]
    assert not conflicts, "\n".join(conflicts)


def test_the_same_characters_in_another_sense_read_their_own_words() -> None:
    from django.utils.translation import gettext, pgettext

    with translation.override("en"):
        assert gettext("类别") == "Category"  # a matter's category
        assert pgettext("area", "类别") == "Kind"  # 街道、镇、社区…
        assert (gettext("件"), pgettext("case", "件")) == ("requests", "cases")
        assert (gettext("撤销"), pgettext("area", "撤销"), pgettext("target", "撤销")) == (
            "Revoke",
            "Abolish",
            "Withdraw",
        )
        assert pgettext("bank", "账号") == "Account number"

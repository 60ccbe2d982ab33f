"""What is stored stays in the platform's language.

Labels are marked for translation (``gettext_lazy``), and some of them end up in what is stored:
the JSON of events and the audit, a label copied into a column. Stored text is data, read later
by people in either language, so it is written in ``settings.LANGUAGE_CODE`` (Chinese), never in
the language of whoever caused the write. See docs/i18n.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise


def _plain(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def stored(value: Any) -> Any:
    """``value`` with every lazy translation in it (also inside dicts and lists) rendered as
    text in the platform's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _plain(value)

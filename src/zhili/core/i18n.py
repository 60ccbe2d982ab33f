"""What is stored stays in the platform's language.

Labels are marked for translation (``gettext_lazy``), and some of them end up in what is stored:
the JSON of events and the audit, a label copied into a column. Stored text is data, read later
by people in either language, so it is written in ``settings.LANGUAGE_CODE`` (Chinese), never in
the language of whoever caused the write. See docs/i18n.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise, lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise as Label
else:
    Label = str  # a text or a lazy translation of one (for annotations)


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


def _interpolate(message: Any, values: dict[str, Any]) -> str:
    return str(message) % {k: str(v) if isinstance(v, Promise) else v for k, v in values.items()}


_lazy_interpolate = lazy(_interpolate, str)


def lazy_format(message: Any, values: dict[str, Any]) -> Any:
    """``message % values`` computed when shown, in the language of that moment: for texts
    made at import time (form fields built by helper functions at class level)."""
    return _lazy_interpolate(message, values)

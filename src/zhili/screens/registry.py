"""The kiosk's registry of slide providers (docs/screens.md).

Any installed app may have a ``screens.py`` module with ``SLIDES``: a list of callables
``provider(centre: ServiceCentre, today: date) -> list[Slide]``. A provider returns only what its
module has **published** for that centre's area (the screen has no user: nothing scoped by a
person's rights may appear), never personal data beyond a name and post that were published.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


@dataclass
class Slide:
    """One screenful. ``lines``: paragraphs; ``rows``: a table (first row is the header);
    ``link``: a public page of the site (a path) the screen shows as a QR code with its address."""

    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    footer: str = ""
    seconds: int = 15
    link: str = ""


Provider = Callable[[Any, dt.date], list[Slide]]


def providers() -> list[Provider]:
    found: list[Provider] = []
    for config in apps.get_app_configs():
        name = f"{config.name}.screens"
        if importlib.util.find_spec(name) is None:
            continue
        found.extend(getattr(importlib.import_module(name), "SLIDES", []))
    return found


def slides_for(centre: Any, today: dt.date) -> list[Slide]:
    out: list[Slide] = []
    for provider in providers():
        out.extend(provider(centre, today))
    return out

"""The label registry: no internal code reaches a page.

Every event kind (``matters.matterevent``) registers a Chinese label for each action it can record,
the display names of its states, and optionally a describer that turns an event's ``data`` into a
sentence. Audit actions (``matter.rate``) are labelled from the same registry. Workflows register
their rules' labels themselves (``core.workflow.Workflow``); system actions (overdue, supervise…) are
registered by the module beside the code that records them.

A missing label is a bug: under tests (``ZHILI_TESTING``) it raises, so any page or export that
would show a code fails its test; in production it shows "其他操作" rather than the code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SYSTEM = _("系统")
RESIDENT = _("群众")  # a resident who reported without an account (matters.services.PUBLIC_ACTOR)
# Names the platform stores in an event's actor_name, in its own language, read in the reader's.
_STORED_ACTOR_NAMES = {"": SYSTEM, "system": SYSTEM, "系统": SYSTEM, "群众": RESIDENT}
UNKNOWN = _("其他操作")

_actions: dict[str, dict[str, Any]] = {}  # kind -> action -> label
_statuses: dict[str, Mapping[str, Any]] = {}  # kind -> status -> label
_describers: dict[str, Callable[[Any], str]] = {}  # kind -> describer
_written_by_clock: dict[str, frozenset[str]] = {}  # kind -> actions whose system note it rewrites
_audit: dict[str, Any] = {}  # audit action ("matter.rate") -> label
_audit_prefixes: dict[str, tuple[Any, str]] = {}  # "matter" -> ("诉求", "matters.matterevent")
_audit_fields: dict[str, dict[str, Any]] = {}  # object type ("" for all) -> key -> label
_audit_choices: dict[str, dict[str, Mapping[str, Any]]] = {}  # object type -> key -> code -> label


class MissingLabel(LookupError):
    """A code without a registered label would have reached a page."""


def _strict() -> bool:
    return bool(getattr(settings, "ZHILI_TESTING", False))


def register_actions(kind: str, labels: Mapping[str, Any]) -> None:
    """Labels of the actions an event kind records (merged with what is already registered)."""
    _actions.setdefault(kind, {}).update(labels)


def register_statuses(kind: str, labels: Mapping[str, Any]) -> None:
    """Display names of the states an event kind's ``from_status``/``to_status`` hold."""
    _statuses[kind] = labels


def register_describer(
    kind: str, describer: Callable[[Any], str], *, system_notes: Iterable[str] = ()
) -> None:
    """``describer(event)`` puts an event's ``data`` in words. ``system_notes``: actions whose
    note, when the system wrote it (the clock's overdue and supervision events), says nothing the
    describer does not: pages show the describer's words, in the reader's language, instead of a
    note stored in the language the worker ran in."""
    _describers[kind] = describer
    _written_by_clock[kind] = frozenset(system_notes)


def register_audit(
    labels: Mapping[str, Any], *, prefix: str = "", noun: Any = "", kind: str = ""
) -> None:
    """Labels of audit actions; with ``prefix``, ``noun`` and ``kind``, the audit action
    ``<prefix>.<action>`` reads "<noun> · <label of action in kind>" for every action of that
    event kind (workflows register themselves this way)."""
    _audit.update(labels)
    if prefix:
        _audit_prefixes[prefix] = (noun, kind)


def register_audit_fields(
    object_type: str,
    labels: Mapping[str, Any],
    *,
    choices: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Labels of the keys an audit record's before/after holds that are not fields of the
    object's model (``{"streets": _("分解到街道")}``), and the display names of the codes such a
    key holds (``choices={"kind": dict(AssessmentKind.choices)}``); ``object_type=""`` for keys
    any record may hold. Model fields are labelled by their verbose_name and choices."""
    _audit_fields.setdefault(object_type, {}).update(labels)
    for key, codes in (choices or {}).items():
        _audit_choices.setdefault(object_type, {})[key] = codes


_audit_references: dict[str, Callable[[int], str | None]] = {}  # "areas.area" -> name of a pk


def register_audit_reference(model: str, name_of: Callable[[int], str | None]) -> None:
    """How an audit record's reference to a row of ``model`` ("areas.area") reads: its stored id
    becomes ``name_of(id)`` (a memoised lookup; None for a row gone, which keeps the id)."""
    _audit_references[model] = name_of


def audit_reference(model: str) -> Callable[[int], str | None] | None:
    return _audit_references.get(model)


def audit_field_choices(object_type: str, key: str) -> Mapping[str, Any] | None:
    return _audit_choices.get(object_type, {}).get(key)


def audit_field_label(object_type: str, key: str, *, common: bool = True) -> str | None:
    """The registered label of a before/after key (with ``common``, falling back to the keys
    registered for all types), or None."""
    label = _audit_fields.get(object_type, {}).get(key)
    if label is None and common:
        label = _audit_fields.get("", {}).get(key)
    return None if label is None else str(label)


def action_label(kind: str, action: str) -> str:
    label = _actions.get(kind, {}).get(action)
    if label is None:
        if _strict():
            raise MissingLabel(f"no label for action {action!r} of {kind}")
        return str(UNKNOWN)
    return str(label)


def actions(kind: str) -> dict[str, str]:
    return {k: str(v) for k, v in _actions.get(kind, {}).items()}


def kinds() -> list[str]:
    return sorted(_actions)


def status_label(kind: str, status: str) -> str:
    if not status:
        return ""
    label = _statuses.get(kind, {}).get(status)
    if label is None:
        if _strict():
            raise MissingLabel(f"no label for status {status!r} of {kind}")
        return str(UNKNOWN)
    return str(label)


def describe(event: Any) -> str:
    describer = _describers.get(event._meta.label_lower)
    if describer is None:
        return ""
    return str(describer(event) or "")


def note_shown(event: Any) -> str:
    """The note a page shows: none for a system event whose note the describer rewrites."""
    if event.actor_id is None and event.action in _written_by_clock.get(
        event._meta.label_lower, ()
    ):
        return ""
    return str(event.note or "")


def audit_label(action: str) -> str:
    """ "matter.rate" -> "诉求 · 回访评价"; plain registered actions -> their label."""
    label = _audit.get(action)
    if label is not None:
        return str(label)
    prefix, _dot, verb = action.rpartition(".")
    if prefix in _audit_prefixes:
        noun, kind = _audit_prefixes[prefix]
        verb_label = _actions.get(kind, {}).get(verb)
        if verb_label is not None:
            return f"{noun} · {verb_label}"
    if _strict():
        raise MissingLabel(f"no label for audit action {action!r}")
    return str(UNKNOWN)


def audit_actions() -> dict[str, str]:
    """Every audit action with a label (for the audit page's filter): the plain ones and, for
    each workflow prefix, every action of its event kind."""
    out = {a: str(label) for a, label in _audit.items()}
    for prefix, (noun, kind) in _audit_prefixes.items():
        for action, label in _actions.get(kind, {}).items():
            out.setdefault(f"{prefix}.{action}", f"{noun} · {label}")
    return out


def audit_prefixes() -> set[str]:
    """The prefixes whose actions are labelled by a workflow's event kind ("matter")."""
    return set(_audit_prefixes)


def missing(what: str, fallback: str = "") -> str:
    """A label that is not registered: an error under tests, ``fallback`` ("其他操作") in
    production."""
    if _strict():
        raise MissingLabel(what)
    return fallback or str(UNKNOWN)


def is_readable(label: Any) -> bool:
    """A label a person can read: it holds at least one non-ASCII character (Chinese)."""
    text = str(label) if isinstance(label, str | Promise) else ""
    return any(ord(c) > 127 for c in text)


def stored_actor_name(name: str) -> str | None:
    """The reader's word for an actor name the platform itself stored ("系统", "群众"), or None
    for a person's name."""
    label = _STORED_ACTOR_NAMES.get(name)
    return str(label) if label is not None else None

"""Every audit action and every key of an audit record reads in Chinese: no code reaches the audit
page, an object's history or the API's ``action_label``."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from zhili.core.labels import MissingLabel, audit_label, audit_prefixes, is_readable

SRC = Path(__file__).resolve().parents[2]

# Actions of the workflows being moved onto the kernel in other branches (their Workflow
# instances register "<prefix>.<action>"); checked again once those branches are merged.
PENDING_PREFIXES: tuple[str, ...] = ()


def _pending(action: str) -> bool:
    return action.startswith(PENDING_PREFIXES)


def audit_actions_in_source() -> tuple[set[str], set[str]]:
    """The ``action=`` of every ``audit_record(...)`` call in src: literal actions, and the
    literal heads of f-strings (``f"matter.{action}"`` -> ``"matter."``)."""
    literal: set[str] = set()
    heads: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "audit_record":
                continue
            for kw in node.keywords:
                if kw.arg != "action":
                    continue
                if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    literal.add(kw.value.value)
                elif isinstance(kw.value, ast.JoinedStr):
                    first = kw.value.values[0] if kw.value.values else None
                    if isinstance(first, ast.Constant):  # f"{self.audit_prefix}.{x}": a workflow
                        heads.add(str(first.value))
                else:
                    raise AssertionError(f"{path}:{node.lineno}: audit action is not a literal")
    return literal, heads


def test_every_audit_action_in_the_source_has_a_chinese_label() -> None:
    literal, heads = audit_actions_in_source()
    assert len(literal) > 40 and "unit.create" in literal
    # Workflows write "<audit_prefix>.<action>" (core.workflow); each prefix is registered.
    assert {"matter", "risk", "dispute", "targets.report"} <= set(audit_prefixes())
    unlabelled = [a for a in sorted(literal) if not _pending(a) and not is_readable(audit_label(a))]
    assert unlabelled == []
    # An f-string action is labelled through its prefix: a workflow registered it.
    unregistered = [
        h for h in sorted(heads) if not _pending(h) and h.rstrip(".") not in audit_prefixes()
    ]
    assert unregistered == []


@pytest.fixture
def demo_db(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo on top of the test database, through the real services: matters through their
    workflow, disputes and risks, and the targets plan (its splits, incidents and reminders; the
    season of some 10,000 reports is left out: it takes minutes, and its actions are one rules
    table's, labelled by its workflow)."""
    from zhili.demo.cases import demo_cases
    from zhili.demo.matters import demo_matters_generate
    from zhili.targets import demo as targets_demo

    monkeypatch.setattr(targets_demo, "_season", lambda *args, **kwargs: None)
    with override_settings(DEBUG=True):
        demo_matters_generate(count=40, days=20, say=lambda _m: None)
        demo_cases(say=lambda _m: None)
        targets_demo.targets_demo_load(say=lambda _m: None)


def test_every_audit_record_of_the_demo_reads_in_chinese(demo_db: None) -> None:
    from zhili.core.models import AuditEvent

    actions = set(AuditEvent.objects.values_list("action", flat=True).distinct())
    assert {
        "unit.create",
        "routing_rule.set",
        "targets.plan.import",
        "targets.incident.record",
    } <= actions
    unlabelled = [a for a in sorted(actions) if not _pending(a) and not is_readable(audit_label(a))]
    assert unlabelled == []
    # Every key of every record, and the object type, read in Chinese (first record per key).
    seen: set[tuple[str, str, str]] = set()
    missing: set[str] = set()
    for event in AuditEvent.objects.order_by("id").iterator():
        keys = {
            (event.object_type, which, key)
            for which in ("before", "after")
            for key in _keys(getattr(event, which))
        } | {(event.object_type, "", "")}
        if keys <= seen:
            continue
        seen |= keys
        try:
            rows = event.before_rows + event.after_rows
            assert is_readable(event.object_type_label), event.object_type
        except MissingLabel as exc:  # collect them all: one run names every missing label
            missing.add(str(exc))
            continue
        for label, value in rows:
            assert is_readable(label), (event.action, label)
            assert value not in ("True", "False", "None"), (event.action, label, value)
    assert sorted(missing) == []


def _keys(values: Any) -> list[str]:
    return list(values) if isinstance(values, dict) else ["<value>"] if values else []

"""A category's extra questions: types, validation and blocking answers.

A question is ``{"key", "label", "type", "required", "options", "block"}`` where type is one of
text, number, date, single, multi; ``block = {"values": [...], "message": "请立即拨打110"}`` stops
submission when the answer is (or, for multi, contains) one of the values.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from zhili.core.errors import ValidationFailed

TYPES = {
    "text": gettext_lazy("文字"),
    "number": gettext_lazy("数字"),
    "date": gettext_lazy("日期"),
    "single": gettext_lazy("单选"),
    "multi": gettext_lazy("多选"),
}


def validate_definitions(questions: Any) -> list[dict[str, Any]]:
    """Check a catalogue's question list (used when administrators edit or import it)."""
    if not isinstance(questions, list):
        raise ValidationFailed(gettext("补充问题须为列表"), code="invalid_questions")
    keys = set()
    for i, q in enumerate(questions, start=1):
        if not isinstance(q, dict) or not q.get("key") or not q.get("label"):
            raise ValidationFailed(
                gettext("第 %(i)s 个问题须有 key 和 label") % {"i": i}, code="invalid_questions"
            )
        if not isinstance(q["key"], str) or not isinstance(q["label"], str):
            raise ValidationFailed(
                gettext("第 %(i)s 个问题的 key 和 label 须为文字") % {"i": i},
                code="invalid_questions",
            )
        if q.get("type") not in TYPES:
            raise ValidationFailed(
                gettext("第 %(i)s 个问题的类型须为 %(value)s 之一")
                % {"i": i, "value": "、".join(TYPES)},
                code="invalid_questions",
            )
        options = q.get("options")
        if q["type"] in ("single", "multi") and not options:
            raise ValidationFailed(
                gettext("第 %(i)s 个问题（选择题）须有选项") % {"i": i}, code="invalid_questions"
            )
        if options is not None and (
            not isinstance(options, list) or not all(isinstance(o, str) and o for o in options)
        ):
            raise ValidationFailed(
                gettext("第 %(i)s 个问题的选项须为文字列表") % {"i": i}, code="invalid_questions"
            )
        if not isinstance(q.get("required", False), bool):
            raise ValidationFailed(
                gettext("第 %(i)s 个问题的 required 须为 true 或 false") % {"i": i},
                code="invalid_questions",
            )
        _check_block(i, q)
        if q["key"] in keys:
            raise ValidationFailed(
                gettext("问题 key “%(q)s” 重复") % {"q": q["key"]}, code="invalid_questions"
            )
        keys.add(q["key"])
    return questions


def _check_block(i: int, q: dict[str, Any]) -> None:
    """A blocking rule needs values (among the options, for choice questions) and a message."""
    block = q.get("block")
    if block in (None, {}):
        return
    if (
        not isinstance(block, dict)
        or not isinstance(block.get("values"), list)
        or not block["values"]
        or not isinstance(block.get("message"), str)
        or not block["message"].strip()
    ):
        raise ValidationFailed(
            gettext("第 %(i)s 个问题的拦截规则须有 values（列表）和 message（提示语）") % {"i": i},
            code="invalid_questions",
        )
    if q["type"] in ("single", "multi") and any(v not in q["options"] for v in block["values"]):
        raise ValidationFailed(
            gettext("第 %(i)s 个问题的拦截值须是它的选项之一") % {"i": i}, code="invalid_questions"
        )


def _coerce(q: dict[str, Any], value: Any) -> Any:
    kind, label = q["type"], q["label"]
    if kind == "number":
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(
                gettext("“%(label)s”须为数字") % {"label": label},
                code="invalid_answer",
                detail={"key": q["key"]},
            ) from exc
        if not math.isfinite(number):  # NaN/inf would not survive JSON storage
            raise ValidationFailed(
                gettext("“%(label)s”须为数字") % {"label": label},
                code="invalid_answer",
                detail={"key": q["key"]},
            )
        return number
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise ValidationFailed(
                gettext("“%(label)s”须为日期（如 2026-11-28）") % {"label": label},
                code="invalid_answer",
                detail={"key": q["key"]},
            ) from exc
    if kind == "single":
        if value not in q["options"]:
            raise ValidationFailed(
                gettext("“%(label)s”须从选项中选择") % {"label": label},
                code="invalid_answer",
                detail={"key": q["key"]},
            )
        return value
    if kind == "multi":
        values = (
            value
            if isinstance(value, list)
            else [v.strip() for v in str(value).split(",") if v.strip()]
        )
        if any(v not in q["options"] for v in values):
            raise ValidationFailed(
                gettext("“%(label)s”须从选项中选择") % {"label": label},
                code="invalid_answer",
                detail={"key": q["key"]},
            )
        return values
    return str(value).strip()[:1000]


def _blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip(" ,\t\n")
    return value is None or value == []


def check_answers(category: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """Validated answers; raises the first problem (``answer_problems``): an unanswered required
    question, a value of the wrong kind, or the category's blocking message."""
    clean, problems = _answers(category, answers)
    if problems:
        raise problems[0]
    return clean


def answer_problems(category: Any, answers: dict[str, Any]) -> dict[str, ValidationFailed]:
    """Every question's problem at once, by question key (a form shows each beside its
    question; ``check_answers`` refuses with the first)."""
    return {exc.detail["key"]: exc for exc in _answers(category, answers)[1]}


def _answers(
    category: Any, answers: dict[str, Any]
) -> tuple[dict[str, Any], list[ValidationFailed]]:
    clean: dict[str, Any] = {}
    problems: list[ValidationFailed] = []
    for q in category.questions or []:
        raw = answers.get(q["key"])
        if _blank(raw):
            if q.get("required"):
                problems.append(
                    ValidationFailed(
                        gettext("请回答：%(q)s") % {"q": q["label"]},
                        code="answer_required",
                        detail={"key": q["key"]},
                    )
                )
            continue
        try:
            value = _coerce(q, raw)
        except ValidationFailed as exc:
            problems.append(exc)
            continue
        block = q.get("block") or {}
        hits = value if isinstance(value, list) else [value]
        if block.get("values") and any(v in block["values"] for v in hits):
            problems.append(
                ValidationFailed(
                    block.get("message") or gettext("该情况不能在此提交"),
                    code="blocked",
                    detail={"key": q["key"]},
                )
            )
            continue
        clean[q["key"]] = value
    return clean, problems

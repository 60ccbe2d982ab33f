"""Routing suggestions: the rule-based unit for (category, area), and a unit learned from history.

The learned model is trained offline by ``zhili train_router`` from past dispatches that stuck
(the unit did not return the matter), and saved to ``VAR_DIR/models/router.joblib``. Features are
the jieba words of title and description (TF-IDF) plus the category code and the district code;
the classifier is a logistic regression. Suggestions never name a unit that is inactive or that
the acting user cannot see; without a model file the learned part is simply empty.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from zhili.core import lookups
from zhili.matters.models import Matter, MatterEvent, RoutingRule
from zhili.org.models import Unit

log = logging.getLogger(__name__)
MODEL_VERSION = 1


def rule_unit(category: Any, area: Any) -> Any:
    """The unit of the rule on the deepest ancestor-or-self of ``area`` for ``category``
    (memoised per process: core.lookups, family "routing")."""
    found = lookups.memo("routing").get(
        (category.pk, area.pk, area.path), lambda: (_rule_unit(category, area),)
    )  # a tuple: "no rule" is an answer worth keeping too
    return found[0]


def _rule_unit(category: Any, area: Any) -> Any:
    codes = [*area.ancestor_codes, area.code]
    rules = RoutingRule.objects.filter(category=category, area__code__in=codes).select_related(
        "unit", "area"
    )
    best = max(rules, key=lambda r: r.area.depth, default=None)
    return best.unit if best else None


# Training data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    text: str
    category: str
    district: str
    unit_id: int


def training_samples(*, since: dt.datetime | None = None) -> list[Sample]:
    """One sample per dispatch (at or after ``since``) that was not returned by the unit before
    the next dispatch."""
    chosen = MatterEvent.objects.filter(action__in=["dispatch", "return"])
    if since is not None:
        chosen = chosen.filter(at__gte=since)
    events = chosen.order_by("matter_id", "id").values_list("matter_id", "action", "unit_id")
    kept: dict[int, list[int]] = {}
    pending: tuple[int, int] | None = None  # (matter, unit) of the last dispatch not yet returned
    for matter_id, action, unit_id in events.iterator(chunk_size=5000):
        if pending and (pending[0] != matter_id or action == "dispatch"):
            kept.setdefault(pending[0], []).append(pending[1])
            pending = None
        if action == "dispatch" and unit_id:
            pending = (matter_id, unit_id)
        elif action == "return":
            pending = None  # the unit sent it back: that dispatch taught nothing
    if pending:
        kept.setdefault(pending[0], []).append(pending[1])
    samples: list[Sample] = []
    ids = list(kept)
    for start in range(0, len(ids), 2000):
        chunk = (
            Matter.objects.filter(pk__in=ids[start : start + 2000])
            .select_related("category")
            .only("title", "description", "district_code", "category__code")
        )
        for m in chunk:
            for unit_id in dict.fromkeys(kept[m.pk]):
                samples.append(
                    Sample(f"{m.title}\n{m.description}", m.category.code, m.district_code, unit_id)
                )
    return samples


# The model -------------------------------------------------------------------------------------


def pick_text(rows: list[dict[str, str]]) -> list[str]:
    return [r["text"] for r in rows]


def pick_meta(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"category": r["category"], "district": r["district"]} for r in rows]


def text_tokens(text: str) -> list[str]:
    from zhili.matters.duplicates import tokenize

    return tokenize(text)


def build_pipeline() -> Any:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.preprocessing import FunctionTransformer

    text = Pipeline(
        [
            ("pick", FunctionTransformer(pick_text)),
            (
                "tfidf",
                TfidfVectorizer(
                    tokenizer=text_tokens, token_pattern=None, lowercase=False, sublinear_tf=True
                ),
            ),
        ]
    )
    meta = Pipeline([("pick", FunctionTransformer(pick_meta)), ("onehot", DictVectorizer())])
    return Pipeline(
        [
            ("features", FeatureUnion([("text", text), ("meta", meta)])),
            # newton-cg: the same fit as lbfgs here, several times faster with many units.
            ("classify", LogisticRegression(C=10.0, solver="newton-cg", max_iter=500)),
        ]
    )


def _row(text: str, category: str, district: str) -> dict[str, str]:
    return {"text": text, "category": category, "district": district}


@dataclass
class TrainResult:
    samples: int
    units: int
    accuracy: float | None
    trained_at: dt.datetime
    path: Path


class NotEnoughData(Exception):
    pass


def model_path() -> Path:
    return Path(settings.VAR_DIR) / "models" / "router.joblib"


def train(
    *, test_size: float = 0.2, min_samples: int = 20, days: int = 365, seed: int = 0
) -> TrainResult:
    """Fit on the dispatches of the last ``days`` days (0: all), measure accuracy on a held-out
    split, then refit on all of them."""
    import joblib
    from sklearn.model_selection import train_test_split

    since = timezone.now() - dt.timedelta(days=days) if days > 0 else None
    samples = training_samples(since=since)
    units = {s.unit_id for s in samples}
    if len(samples) < min_samples or len(units) < 2:
        raise NotEnoughData(
            f"可用的派遣记录不足：{len(samples)} 条、{len(units)} 个单位"
            f"（至少需要 {min_samples} 条、2 个单位）"
        )
    rows = [_row(s.text, s.category, s.district) for s in samples]
    labels = [s.unit_id for s in samples]
    accuracy = None
    n_test = round(len(rows) * test_size)
    if n_test >= len(units):
        counts = {u: labels.count(u) for u in units}
        stratify = labels if min(counts.values()) >= 2 else None
        x_train, x_test, y_train, y_test = train_test_split(
            rows, labels, test_size=test_size, random_state=seed, stratify=stratify
        )
        if len(set(y_train)) >= 2:
            held_out = build_pipeline().fit(x_train, y_train)
            accuracy = float(held_out.score(x_test, y_test))
    pipeline = build_pipeline().fit(rows, labels)
    trained_at = timezone.now()
    path = model_path()
    _save(
        path,
        {
            "version": MODEL_VERSION,
            "pipeline": pipeline,
            "trained_at": trained_at.isoformat(),
            "samples": len(samples),
            "units": len(units),
            "accuracy": accuracy,
        },
        joblib,
    )
    forget_model()
    return TrainResult(len(samples), len(units), accuracy, trained_at, path)


def _save(path: Path, bundle: dict[str, Any], joblib: Any) -> None:
    """Write to a temporary file and rename, so a running server never reads half a model."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".router-", suffix=".joblib")
    os.close(fd)
    try:
        joblib.dump(bundle, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_cache_lock = threading.Lock()
_cache: dict[str, Any] = {}


def forget_model() -> None:
    with _cache_lock:
        _cache.clear()


def load_model() -> dict[str, Any] | None:
    """The saved model bundle, loaded on first use and again when the file changes."""
    path = model_path()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    key = f"{path}:{stamp}"
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    try:
        import joblib

        bundle = joblib.load(path)
        if not isinstance(bundle, dict) or bundle.get("version") != MODEL_VERSION:
            raise ValueError("unknown model format")
    except Exception:  # a broken or foreign file must not break dispatching
        log.warning("routing model %s could not be loaded; learned suggestions are off", path)
        bundle = None
    with _cache_lock:
        _cache.clear()
        _cache[key] = bundle
    return bundle


# Suggestions -----------------------------------------------------------------------------------


def _usable(unit: Any, user: Any) -> bool:
    if unit is None or not unit.is_active:
        return False
    return user is None or Unit.objects.visible_to(user).filter(pk=unit.pk).exists()


def learned_unit(matter: Matter, *, user: Any = None) -> tuple[Unit | None, float | None, Any]:
    """(unit, probability, trained_at) from the learned model; (None, None, None) without one."""
    bundle = load_model()
    if bundle is None:
        return None, None, None
    trained_at = bundle.get("trained_at")
    row = _row(f"{matter.title}\n{matter.description}", matter.category.code, matter.district_code)
    try:
        pipeline = bundle["pipeline"]
        probabilities = pipeline.predict_proba([row])[0]
        classes = [int(c) for c in pipeline.classes_]
    except Exception:
        log.warning("routing model failed to predict; learned suggestions are off", exc_info=True)
        return None, None, trained_at
    ranked = sorted(zip(classes, probabilities, strict=True), key=lambda p: -p[1])
    candidates = Unit.objects.filter(pk__in=[c for c, _ in ranked[:10]], is_active=True)
    if user is not None:
        candidates = candidates.filter(pk__in=Unit.objects.visible_to(user).values("pk"))
    units = {u.pk: u for u in candidates}
    for unit_id, p in ranked[:10]:
        if unit_id in units:
            return units[unit_id], round(float(p), 3), trained_at
    return None, None, trained_at


def suggest(matter: Matter, *, user: Any = None) -> dict[str, Any]:
    """Where to dispatch ``matter``: the routing rule's unit and the learned unit, if any.

    With ``user``, units that user cannot see are never suggested; inactive units never are."""
    rule = rule_unit(matter.category, matter.area)
    learned, confidence, trained_at = learned_unit(matter, user=user)
    return {
        "rule_unit": rule if _usable(rule, user) else None,
        "learned_unit": learned,
        "confidence": confidence,
        "trained_at": trained_at,
    }

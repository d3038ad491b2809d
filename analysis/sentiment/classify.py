"""Scoring free text for analysts (`yuqing classify`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from yuqing.analysis.sentiment.evaluation import predict_raw
from yuqing.analysis.sentiment.model import LABELS, load_model


def classify_texts(texts: Sequence[str], model_dir: Path | None = None) -> list[dict[str, Any]]:
    """One dict per text: label, the three probabilities (rounded to 4 places) and the model version.

    Scored as the service scores posts: a repost by its own words (else the forwarded ones), a
    bare repost as neutral.
    """
    model = load_model(model_dir)
    probs = predict_raw(model, texts)
    return [
        {"text": t, "label": LABELS[int(p.argmax())], "model_version": model.version,
         **{f"p_{label}": round(float(v), 4) for label, v in zip(LABELS, p, strict=True)}}
        for t, p in zip(texts, probs, strict=True)
    ]

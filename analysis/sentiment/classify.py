"""Scoring free text for analysts (`yuqing classify`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.normalise import normalise
from analysis.sentiment.model import LABELS, load_model
from analysis.tokenise import tokenise


def classify_texts(texts: Sequence[str], model_dir: Path | None = None) -> list[dict[str, Any]]:
    """One dict per text: label, the three probabilities (rounded to 4 places) and the model version."""
    model = load_model(model_dir)
    probs = model.predict_proba([tokenise(normalise(t)) for t in texts])
    return [
        {"text": t, "label": LABELS[int(p.argmax())], "model_version": model.version,
         **{f"p_{label}": round(float(v), 4) for label, v in zip(LABELS, p, strict=True)}}
        for t, p in zip(texts, probs, strict=True)
    ]

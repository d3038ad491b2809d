"""The shipped sentiment model: JSON parameters + `.npz` weights, loaded without pickle."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from yuqing.analysis.sentiment.features import SPEC_2, WORDS_ONLY, FeatureSpec, vectorise

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "model"
FORMAT = "yuqing-sentiment/3"  # /1 (1.0.0 words only) and /2 (1.1.0 words + characters) still readable
OLD_FORMATS = ("yuqing-sentiment/1", "yuqing-sentiment/2")
# A bare repost ("转发微博" and nothing else) says nothing: neutral, with the doubt that deserves.
BARE_REPOST_PROBS = np.array([0.1, 0.8, 0.1])
PARAMS_FILE = "sentiment.json"
WEIGHTS_FILE = "sentiment.npz"


class ModelError(RuntimeError):
    """The model directory is missing or inconsistent."""


@dataclass(frozen=True)
class SentimentModel:
    """Linear model over hashed features; probabilities are temperature-calibrated softmax."""

    version: str
    features: FeatureSpec
    coef: np.ndarray  # (3, n_features) float32
    intercept: np.ndarray  # (3,)
    temperature: float = 1.0

    @property
    def n_features(self) -> int:
        return self.features.n_features

    def predict_proba(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """(n, 3) probabilities in LABELS order; each row sums to 1."""
        if not token_lists:
            return np.zeros((0, 3), dtype=np.float64)
        x = vectorise(token_lists, self.features)
        logits = (x @ self.coef.T + self.intercept).astype(np.float64) / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def predict_or_bare(self, token_lists: Sequence[Sequence[str] | None]) -> np.ndarray:
        """predict_proba, with BARE_REPOST_PROBS for the rows that are None (bare reposts)."""
        out = np.tile(BARE_REPOST_PROBS, (len(token_lists), 1))
        keep = [i for i, t in enumerate(token_lists) if t is not None]
        if keep:
            out[keep] = self.predict_proba([token_lists[i] for i in keep])  # type: ignore[misc]
        return out

    def predict(self, token_lists: Sequence[Sequence[str]]) -> list[tuple[str, np.ndarray]]:
        probs = self.predict_proba(token_lists)
        return [(LABELS[int(p.argmax())], p) for p in probs]

    def save(self, directory: Path, **card: object) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        params = {
            "format": FORMAT, "version": self.version, "labels": list(LABELS),
            "n_features": self.n_features, "temperature": self.temperature,
            "features": self.features.to_json(),
            "features_doc": "[jieba words + word bigrams + negated words: "
                            "analysis.sentiment.features.hashed_terms (binary, l2)] ++ [character n-grams: "
                            "analysis.sentiment.features.char_ngrams (binary, l2)] ++ [domain cues: "
                            "analysis.sentiment.cues.cue_terms (binary)]",
            **card,
        }
        (directory / PARAMS_FILE).write_text(json.dumps(params, ensure_ascii=False, indent=2) + "\n")
        np.savez_compressed(
            directory / WEIGHTS_FILE, coef=self.coef.astype(np.float32), intercept=self.intercept
        )


def read_model(directory: Path) -> SentimentModel:
    """Load from `directory`; never unpickles (allow_pickle=False)."""
    params_path, weights_path = directory / PARAMS_FILE, directory / WEIGHTS_FILE
    if not params_path.exists() or not weights_path.exists():
        raise ModelError(f"情感模型不存在：{directory}（请先运行 yuqing train）")
    params = json.loads(params_path.read_text(encoding="utf-8"))
    fmt = params.get("format")
    if fmt not in (FORMAT, *OLD_FORMATS) or tuple(params.get("labels", ())) != LABELS:
        raise ModelError(f"无法识别的情感模型格式：{params_path}")
    try:
        if fmt == FORMAT:
            features = FeatureSpec.from_json(params["features"])
        elif fmt == "yuqing-sentiment/2":
            old = FeatureSpec.from_json({**params["features"], "word_hash": "sklearn-murmur3"})
            features = FeatureSpec(old.word_features, old.char_features, old.char_ngrams, 0, SPEC_2.word_hash)
        else:
            features = FeatureSpec(int(params["n_features"]), 0, cue_features=0,
                                   word_hash=WORDS_ONLY.word_hash)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"情感模型特征参数无效：{params_path}（{exc}）") from exc
    with np.load(weights_path, allow_pickle=False) as npz:
        coef, intercept = npz["coef"], npz["intercept"]
    if coef.shape != (3, features.n_features) or intercept.shape != (3,):
        raise ModelError(f"情感模型权重形状不符：{coef.shape}")
    return SentimentModel(
        version=str(params["version"]), features=features, coef=coef,
        intercept=intercept, temperature=float(params.get("temperature", 1.0)),
    )


@lru_cache(maxsize=4)
def _cached(directory: str) -> SentimentModel:
    return read_model(Path(directory))


def load_model(directory: Path | None = None) -> SentimentModel:
    """The model in `directory` (default: the one shipped in analysis/model/), cached per process."""
    return _cached(str((directory or DEFAULT_MODEL_DIR).resolve()))

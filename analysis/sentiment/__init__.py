"""Three-class sentiment (negative / neutral / positive) with calibrated probabilities."""

from yuqing.analysis.sentiment.model import LABELS, SentimentModel, load_model

__all__ = ["LABELS", "SentimentModel", "load_model"]

"""The trained sentiment model: a multinomial logistic regression over sparse word features and dense lexicon
features, loaded once per process from a small gzip'd JSON artifact and applied to whole batches with numpy."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from sigap.kernel.language import identify, is_indonesian_side
from sigap.scoring.domain.features import DENSE_FEATURES, Lexicon, extract

ARTIFACT_NAME = "sentiment.json.gz"
# Fixed adjustments to the (negative, neutral, positive) logits for what the review-based training data cannot
# teach: a sarcastic thank-you is a complaint; an information-seeking question with no sentiment word is neutral.
RULES = {
    "sarcasm": np.array([2.0, 0.0, -2.0]),
    "information_question": np.array([-0.8, 1.2, -0.4]),
}
FORMAT_VERSION = 3
# The model's two sides, each calibrated on its own (see SentimentModel.temperatures).
SIDES = ("indonesian", "english")


class ModelArtifactError(RuntimeError):
    pass


@dataclass(frozen=True)
class SentimentModel:
    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (vocabulary,): a text's word features are idf-weighted and l2-normalised
    sparse_weights: np.ndarray  # (vocabulary, classes)
    dense_weights: np.ndarray  # (dense features, classes)
    bias: np.ndarray  # (classes,)
    lexicon: dict[str, float]
    training: dict[str, Any] = field(default_factory=dict)
    # Calibration fitted by `make train` on Sigap's own posts, out of fold, for each side of the model (row 0 the
    # Indonesian side: id, ms, jv, su and other; row 1 English): logits / temperature + offsets. The offsets carry
    # the class balance of social posts, which the review-heavy training data does not have, and it differs by
    # side: SmSA's 10 % neutral leaves the Indonesian side too sure that a post has a sentiment.
    temperatures: np.ndarray = field(default_factory=lambda: np.ones(2))
    offsets: np.ndarray = field(default_factory=lambda: np.zeros((2, 3)))

    # -- persistence ---------------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """Byte-for-byte reproducible: sorted keys, weights rounded to float32, gzip without a timestamp."""
        document = {
            "format": FORMAT_VERSION,
            "classes": list(self.classes),
            "vocabulary": sorted(self.vocabulary, key=self.vocabulary.__getitem__),
            "idf": base64.b64encode(self.idf.astype("<f4").tobytes()).decode(),
            "sparse_weights": base64.b64encode(self.sparse_weights.astype("<f4").tobytes()).decode(),
            "dense_features": list(DENSE_FEATURES),
            "dense_weights": np.round(self.dense_weights, 6).tolist(),
            "bias": np.round(self.bias, 6).tolist(),
            "lexicon": {word: round(value, 4) for word, value in sorted(self.lexicon.items())},
            "training": self.training,
            "temperatures": np.round(self.temperatures, 6).tolist(),
            "offsets": np.round(self.offsets, 6).tolist(),
        }
        raw = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        return gzip.compress(raw, compresslevel=9, mtime=0)

    @classmethod
    def from_bytes(cls, payload: bytes) -> SentimentModel:
        try:
            document = json.loads(gzip.decompress(payload))
        except (OSError, ValueError) as exc:
            raise ModelArtifactError(f"the sentiment artifact is not gzip'd JSON: {exc}") from exc
        if document.get("format") != FORMAT_VERSION or document.get("dense_features") != list(DENSE_FEATURES):
            raise ModelArtifactError("the sentiment artifact was made for another version of the features")
        classes = tuple(document["classes"])
        vocabulary = {word: index for index, word in enumerate(document["vocabulary"])}
        weights = np.frombuffer(base64.b64decode(document["sparse_weights"]), dtype="<f4")
        return cls(
            classes=classes,
            vocabulary=vocabulary,
            idf=np.frombuffer(base64.b64decode(document["idf"]), dtype="<f4").astype(np.float64),
            sparse_weights=weights.reshape(len(vocabulary), len(classes)).astype(np.float64),
            dense_weights=np.asarray(document["dense_weights"], dtype=np.float64),
            bias=np.asarray(document["bias"], dtype=np.float64),
            lexicon=Lexicon(document["lexicon"]),
            training=document.get("training", {}),
            temperatures=np.asarray(document["temperatures"], dtype=np.float64),
            offsets=np.asarray(document["offsets"], dtype=np.float64),
        )

    @classmethod
    def load(cls, path: Path) -> SentimentModel:
        return cls.from_bytes(path.read_bytes())

    # -- inference -----------------------------------------------------------------------------------------

    def probabilities(self, tokenised: Sequence[Sequence[str]], languages: Sequence[str] | None = None) -> np.ndarray:
        """Calibrated class probabilities, one row per text, columns in `classes` order. `languages` (each text's
        `identify` result) saves identifying them again when the caller already has."""
        if languages is None:
            languages = [identify(words) for words in tokenised]
        sides = np.fromiter((0 if is_indonesian_side(language) else 1 for language in languages), dtype=np.intp)
        return softmax(self.logits(tokenised, languages) / self.temperatures[sides, None] + self.offsets[sides])

    def logits(self, tokenised: Sequence[Sequence[str]], languages: Sequence[str] | None = None) -> np.ndarray:
        """The uncalibrated logits, one row per text (what the calibration is fitted on)."""
        if languages is None:
            languages = [identify(words) for words in tokenised]
        count = len(tokenised)
        rows: list[int] = []
        columns: list[int] = []
        dense = np.empty((count, len(DENSE_FEATURES)))
        adjustments = np.zeros((count, len(self.classes)))
        vocabulary = self.vocabulary
        for row, (words, language) in enumerate(zip(tokenised, languages, strict=True)):
            sparse, dense[row], cues = extract(words, self.lexicon, not is_indonesian_side(language))
            if cues.sarcasm:
                adjustments[row] += RULES["sarcasm"]
            if cues.information_question:
                adjustments[row] += RULES["information_question"]
            found = {index for name in sparse if (index := vocabulary.get(name)) is not None}
            columns.extend(found)
            rows.extend([row] * len(found))
        logits: np.ndarray = dense @ self.dense_weights + self.bias + adjustments
        if columns:
            # sum_f w[f] * idf[f] / ||idf[features of the text]||, for every text at once
            column_index = np.asarray(columns)
            row_index = np.asarray(rows)
            idf = self.idf[column_index]
            norms = np.sqrt(np.bincount(row_index, weights=idf * idf, minlength=count))
            norms[norms == 0] = 1.0
            picked = self.sparse_weights[column_index] * idf[:, None]
            for klass in range(len(self.classes)):
                logits[:, klass] += np.bincount(row_index, weights=picked[:, klass], minlength=count) / norms
        return logits


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    probabilities: np.ndarray = exponentials / exponentials.sum(axis=1, keepdims=True)
    return probabilities


def artifact_path() -> Path:
    return Path(str(resources.files("sigap.scoring.domain").joinpath("artifacts", ARTIFACT_NAME)))


@lru_cache(maxsize=1)
def shipped_model() -> SentimentModel:
    path = artifact_path()
    if not path.exists():
        raise ModelArtifactError(f"no sentiment model at {path}; run 'make train'")
    return SentimentModel.load(path)

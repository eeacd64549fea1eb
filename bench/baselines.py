"""The two baselines Sigap's scorer is compared with: VADER (English lexicon and rules) and a TF-IDF +
logistic regression trained on SmSA, the obvious model to build from the public Indonesian data."""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from sigap_tools.training import datasets


class VaderBaseline:
    name = "VADER"

    def __init__(self) -> None:
        self._analyser = SentimentIntensityAnalyzer()

    def predict(self, texts: Sequence[str]) -> list[str]:
        labels = []
        for text in texts:
            compound = self._analyser.polarity_scores(text)["compound"]
            labels.append("positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral")
        return labels


class CharNgramModel:
    """A compact alternative tried against Sigap's model: character n-grams (2-5, within words) + logistic
    regression, trained on exactly what `make train` learns from. Robust to informal spelling by construction
    (no word list), and small enough for the layer; the bench reports its quality, speed and size beside Sigap's."""

    name = "char n-grams + LR (Sigap's training data)"

    def __init__(self, data: Path) -> None:
        texts: list[str] = []
        labels: list[str] = []
        for labelled in datasets.training_sets(data):
            texts.extend(labelled.texts)
            labels.extend(labelled.labels)
        self._pipeline: Pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=200_000),
            LogisticRegression(max_iter=3000, C=4.0),
        )
        self._pipeline.fit(texts, labels)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [str(label) for label in self._pipeline.predict([text.lower() for text in texts])]

    def size_bytes(self) -> int:
        return len(pickle.dumps(self._pipeline, protocol=pickle.HIGHEST_PROTOCOL))


class TfidfBaseline:
    name = "TF-IDF + LR (SmSA)"

    def __init__(self, data: Path) -> None:
        train = datasets.smsa(data, "train")
        self._pipeline: Pipeline = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            LogisticRegression(max_iter=2000, C=4.0),
        )
        self._pipeline.fit(train.texts, train.labels)

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [str(label) for label in self._pipeline.predict(list(texts))]

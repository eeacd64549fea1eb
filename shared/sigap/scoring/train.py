"""Trains the shipped sentiment model from data/ and writes shared/sigap/scoring/artifacts/sentiment.json.gz.

    python -m sigap.scoring.train            (or: make train)

Deterministic: the same data gives the same artifact, byte for byte (the command prints its SHA-256).
Needs the `train` extra (scikit-learn); the model it writes needs only numpy.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import re
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from sigap.scoring import datasets
from sigap.scoring.datasets import LABELS, LabelledSet
from sigap.scoring.features import DENSE_FEATURES, extract
from sigap.scoring.language import identify
from sigap.scoring.lexicon import WEIGHTS
from sigap.scoring.sentiment import SentimentModel, artifact_path
from sigap.scoring.text import tokens

MIN_FEATURE_COUNT = 2
# How many times a row of each set counts. The public sets are 11,500 Indonesian reviews and 500 English ones;
# Sigap's own social posts are few, so they weigh more, or the review register would drown them out.
ROW_WEIGHTS = {"en": 2.0, "id": 1.0, "social": 3.0}
# Unbalanced: "balanced" lifts SmSA's rare neutral class into a bias that swamps one-word social posts.
CLASS_WEIGHT: str | None = None
C_GRID = (8.0, 16.0)
_VADER_WORD = re.compile(r"^[a-z][a-z'-]*$")


def build_lexicon(data: Path) -> dict[str, float]:
    """VADER's English lexicon (MIT, data/vader) with Sigap's Indonesian and emoji entries on top."""
    lexicon: dict[str, float] = {}
    for line in (data / "vader" / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        word, valence, *_ = line.split("\t")
        if _VADER_WORD.match(word):
            lexicon[word] = float(valence)
    lexicon.update(WEIGHTS)
    return lexicon


def _featurise(texts: Sequence[str], lexicon: dict[str, float]) -> tuple[list[list[str]], np.ndarray]:
    names, dense = [], []
    for text in texts:
        words = tokens(text)
        sparse, values, _ = extract(words, lexicon, identify(words) == "en")
        names.append(sorted(set(sparse)))
        dense.append(values)
    return names, np.asarray(dense)


def _idf(names: list[list[str]], vocabulary: dict[str, int]) -> np.ndarray:
    """scikit-learn's smooth idf: ln((1 + n) / (1 + df)) + 1."""
    document_frequency = np.zeros(len(vocabulary))
    for features in names:
        for name in features:
            if name in vocabulary:
                document_frequency[vocabulary[name]] += 1
    return np.asarray(np.log((1 + len(names)) / (1 + document_frequency)) + 1)


def _matrix(names: list[list[str]], dense: np.ndarray, vocabulary: dict[str, int], idf: np.ndarray) -> sp.csr_matrix:
    """Word features idf-weighted and l2-normalised per text (as SentimentModel.probabilities computes them)."""
    rows, columns = [], []
    for row, features in enumerate(names):
        for name in features:
            if name in vocabulary:
                rows.append(row)
                columns.append(vocabulary[name])
    values = idf[columns]
    words = sp.csr_matrix((values, (rows, columns)), shape=(len(names), len(vocabulary)))
    norms = np.sqrt(np.asarray(words.multiply(words).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    words = sp.diags(1 / norms) @ words
    return sp.hstack([words, sp.csr_matrix(dense)], format="csr")


def _row_weight(labelled: LabelledSet) -> float:
    return ROW_WEIGHTS["social" if labelled.name.startswith("Sigap train") else labelled.language]


def fit(train: Sequence[LabelledSet], lexicon: dict[str, float], c: float) -> SentimentModel:
    texts = [text for labelled in train for text in labelled.texts]
    labels = [label for labelled in train for label in labelled.labels]
    row_weights = np.asarray([_row_weight(labelled) for labelled in train for _ in labelled.texts])
    names, dense = _featurise(texts, lexicon)
    counts = Counter(name for features in names for name in features)
    vocabulary = {name: i for i, name in enumerate(sorted(n for n, k in counts.items() if k >= MIN_FEATURE_COUNT))}
    idf = _idf(names, vocabulary)
    classifier = LogisticRegression(C=c, max_iter=5000, class_weight=CLASS_WEIGHT, tol=1e-6)
    classifier.fit(_matrix(names, dense, vocabulary, idf), labels, sample_weight=row_weights)
    order = [list(classifier.classes_).index(label) for label in LABELS]
    weights = classifier.coef_[order].T  # (features, classes)
    return SentimentModel(
        classes=LABELS,
        vocabulary=vocabulary,
        idf=idf.astype(np.float32).astype(np.float64),
        sparse_weights=weights[: len(vocabulary)].astype(np.float32).astype(np.float64),
        dense_weights=weights[len(vocabulary) :],
        bias=classifier.intercept_[order],
        lexicon=lexicon,
    )


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    return float(f1_score(gold, predicted, average="macro", labels=list(LABELS), zero_division=0))


def evaluate(model: SentimentModel, labelled: LabelledSet) -> tuple[float, float]:
    probabilities = model.probabilities([tokens(text) for text in labelled.texts])
    predicted = [model.classes[i] for i in probabilities.argmax(axis=1)]
    return float(accuracy_score(labelled.labels, predicted)), macro_f1(labelled.labels, predicted)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None, help="the data/ folder (default: found from here)")
    parser.add_argument("--output", type=Path, default=artifact_path())
    args = parser.parse_args(argv)
    data = args.data or datasets.find_data_dir()
    started = time.perf_counter()
    train = datasets.training_sets(data)
    development = [datasets.smsa(data, "valid"), datasets.nusax(data, "english", "valid")]
    lexicon = build_lexicon(data)
    print(f"training sets: {', '.join(f'{s.name} ({len(s.texts)})' for s in train)}")
    print(f"lexicon: {len(lexicon)} entries (VADER English + Sigap Indonesian)")
    best: tuple[float, float, SentimentModel] | None = None
    for c in C_GRID:
        model = fit(train, lexicon, c)
        f1s = [evaluate(model, labelled)[1] for labelled in development]
        mean = sum(f1s) / len(f1s)
        print(f"  C={c:<5} macro-F1 " + ", ".join(f"{s.name} {f:.4f}" for s, f in zip(development, f1s, strict=True)))
        if best is None or mean > best[0]:
            best = (mean, c, model)
    assert best is not None
    _, chosen_c, model = best
    validation = {}
    for labelled in datasets.evaluation_sets(data):
        accuracy, macro_f1 = evaluate(model, labelled)
        validation[labelled.name] = {"accuracy": round(accuracy, 4), "macro_f1": round(macro_f1, 4)}
    model = dataclasses.replace(
        model,
        training={
            "c": chosen_c,
            "train_rows": sum(len(s.texts) for s in train),
            "vocabulary": len(model.vocabulary),
            "data_sha256": {
                s.name: hashlib.sha256(
                    "\n".join(f"{text}\t{label}" for text, label in zip(s.texts, s.labels, strict=True)).encode()
                ).hexdigest()[:16]
                for s in train
            },
        },
    )
    payload = model.to_bytes()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(payload)
    print(f"chosen C={chosen_c}; vocabulary {len(model.vocabulary)} features + {len(DENSE_FEATURES)} dense")
    print("| set | accuracy | macro-F1 |\n|---|---:|---:|")
    for name, scores in validation.items():
        print(f"| {name} | {scores['accuracy']:.3f} | {scores['macro_f1']:.3f} |")
    print(f"wrote {args.output} ({len(payload) / 1024:.0f} KiB, sha256 {hashlib.sha256(payload).hexdigest()[:16]})")
    print(f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()

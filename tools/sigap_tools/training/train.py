"""Trains the shipped sentiment model from data/ and writes shared/sigap/scoring/domain/artifacts/sentiment.json.gz.

    python -m sigap_tools.training.train            (or: make train)

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
from typing import Any

import numpy as np
from scipy import optimize
from scipy import sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from sigap.kernel.language import identify, is_indonesian_side
from sigap.scoring.domain.features import DENSE_FEATURES, extract
from sigap.scoring.domain.sentiment import SIDES, SentimentModel, artifact_path, softmax
from sigap.scoring.domain.text import tokens
from sigap_tools.training import datasets
from sigap_tools.training.datasets import LABELS, LabelledSet
from sigap_tools.training.lexicon import WEIGHTS

MIN_FEATURE_COUNT = 2
# How many times a row of each set counts. The public sets are 11,500 Indonesian reviews and 500 English ones;
# Sigap's own social posts are few, so they weigh more, or the review register would drown them out.
ROW_WEIGHTS = {"en": 2.0, "id": 1.0, "jv": 1.0, "su": 1.0, "social": 3.0}
# EmoT's tweets are real social media, but every one of them is labelled with an emotion: counted fully they
# would teach that a tweet is never neutral.
EMOT_WEIGHT = 0.5
CALIBRATION_FOLDS = 5
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


# A training run fits eight models (the C grid, five calibration folds, the final one) on the same texts:
# each text's features are extracted once per lexicon. The lexicon is kept with its entries so its id is
# never reused by another while they live.
_FEATURES: dict[int, tuple[dict[str, float], dict[str, tuple[list[str], list[float]]]]] = {}


def _features_of(text: str, lexicon: dict[str, float]) -> tuple[list[str], list[float]]:
    _, known = _FEATURES.setdefault(id(lexicon), (lexicon, {}))
    found = known.get(text)
    if found is None:
        words = tokens(text)
        sparse, values, _ = extract(words, lexicon, not is_indonesian_side(identify(words)))
        found = known[text] = (sorted(set(sparse)), list(values))
    return found


def _featurise(texts: Sequence[str], lexicon: dict[str, float]) -> tuple[list[list[str]], np.ndarray]:
    features = [_features_of(text, lexicon) for text in texts]
    return [names for names, _ in features], np.asarray([values for _, values in features])


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
    if labelled.name.startswith("EmoT"):
        return EMOT_WEIGHT
    return ROW_WEIGHTS["social" if labelled.name.startswith("Sigap train") else labelled.language]


def _fold(labelled: LabelledSet, fold: int, keep: bool) -> LabelledSet:
    rows = [i for i in range(len(labelled.texts)) if (i % CALIBRATION_FOLDS == fold) == keep]
    return dataclasses.replace(
        labelled, texts=[labelled.texts[i] for i in rows], labels=[labelled.labels[i] for i in rows]
    )


def out_of_fold_logits(
    train: Sequence[LabelledSet],
    own: Sequence[LabelledSet],
    lexicon: dict[str, float],
    c: float,
    start: SentimentModel | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Logits for every row of Sigap's own posts (`own`, part of `train`), each fifth of them predicted by a model
    trained without it, with the gold class indices and each row's side (0 Indonesian, 1 English)."""
    others = [labelled for labelled in train if labelled not in own]
    logits: list[np.ndarray] = []
    gold: list[int] = []
    sides: list[int] = []
    for fold in range(CALIBRATION_FOLDS):
        model = fit([*others, *(_fold(labelled, fold, keep=False) for labelled in own)], lexicon, c, start)
        for labelled in own:
            held = _fold(labelled, fold, keep=True)
            tokenised = [tokens(text) for text in held.texts]
            languages = [identify(words) for words in tokenised]
            logits.append(model.logits(tokenised, languages))
            gold.extend(LABELS.index(label) for label in held.labels)
            sides.extend(0 if is_indonesian_side(language) else 1 for language in languages)
    return np.vstack(logits), np.asarray(gold), np.asarray(sides)


def fit_calibration(logits: np.ndarray, gold: np.ndarray, offsets: bool = True) -> tuple[float, np.ndarray]:
    """The temperature (and, with `offsets`, the negative and positive logit offsets against neutral) that
    minimise the log loss of `logits` against `gold`."""

    def unpack(parameters: np.ndarray) -> tuple[float, np.ndarray]:
        shift = np.array([parameters[1], 0.0, parameters[2]]) if offsets else np.zeros(3)
        return float(np.exp(parameters[0])), shift

    def loss(parameters: np.ndarray) -> float:
        temperature, shift = unpack(parameters)
        scaled = logits / temperature + shift
        scaled -= scaled.max(axis=1, keepdims=True)
        log_probabilities = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        return float(-log_probabilities[np.arange(len(gold)), gold].mean())

    start = np.zeros(3 if offsets else 1)
    fitted = optimize.minimize(loss, start, method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-9})
    return unpack(fitted.x)


def calibrate(
    train: Sequence[LabelledSet],
    own: Sequence[LabelledSet],
    lexicon: dict[str, float],
    c: float,
    start: SentimentModel | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Each side's temperature and class offsets (see SentimentModel.temperatures), fitted to Sigap's own posts out
    of fold (see out_of_fold_logits). The offsets learn the class balance of the social register; the
    temperature, how sure the model may be there. Returns them with the expected calibration error before and
    after, out of fold, per side."""
    logits, gold, sides = out_of_fold_logits(train, own, lexicon, c, start)
    temperatures, offsets = np.ones(2), np.zeros((2, 3))
    report: dict[str, Any] = {}
    for side, name in enumerate(SIDES):
        rows = sides == side
        temperatures[side], offsets[side] = fit_calibration(logits[rows], gold[rows])
        calibrated = softmax(logits[rows] / temperatures[side] + offsets[side])
        report[name] = {
            "rows": int(rows.sum()),
            "ece_before": round(expected_calibration_error(softmax(logits[rows]), gold[rows]), 4),
            "ece_after": round(expected_calibration_error(calibrated, gold[rows]), 4),
        }
    return temperatures, offsets, report


def expected_calibration_error(probabilities: np.ndarray, gold: np.ndarray, bins: int = 10) -> float:
    """ECE over equal-width confidence bins: the gap between how sure the top class is and how often it is right,
    weighted by how many predictions fall in each bin."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == gold
    total = 0.0
    for low in np.linspace(0.0, 1.0, bins, endpoint=False):
        inside = (confidence > low) & (confidence <= low + 1.0 / bins)
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def _start_from(model: SentimentModel, vocabulary: dict[str, int], classes: Sequence[str]) -> LogisticRegression:
    """A classifier whose solver starts from `model`'s weights (a feature it did not have starts at zero). The
    loss is strictly convex, so the solver ends at the same optimum, in far fewer steps when the data differ
    little (another C, or a fifth of Sigap's own posts held out)."""
    order = [LABELS.index(label) for label in classes]
    sparse = np.zeros((len(vocabulary), len(LABELS)))
    for name, column in vocabulary.items():
        if name in model.vocabulary:
            sparse[column] = model.sparse_weights[model.vocabulary[name]]
    weights = np.vstack([sparse, model.dense_weights])
    started = LogisticRegression(warm_start=True)
    started.coef_ = weights[:, order].T.copy()
    started.intercept_ = np.asarray(model.bias)[order].copy()
    return started


def fit(
    train: Sequence[LabelledSet], lexicon: dict[str, float], c: float, start: SentimentModel | None = None
) -> SentimentModel:
    texts = [text for labelled in train for text in labelled.texts]
    labels = [label for labelled in train for label in labelled.labels]
    row_weights = np.asarray([_row_weight(labelled) for labelled in train for _ in labelled.texts])
    names, dense = _featurise(texts, lexicon)
    counts = Counter(name for features in names for name in features)
    vocabulary = {name: i for i, name in enumerate(sorted(n for n, k in counts.items() if k >= MIN_FEATURE_COUNT))}
    idf = _idf(names, vocabulary)
    classifier = _start_from(start, vocabulary, sorted(set(labels))) if start else LogisticRegression()
    classifier.set_params(C=c, max_iter=5000, class_weight=CLASS_WEIGHT, tol=1e-6)
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
    previous: SentimentModel | None = None
    for c in C_GRID:
        model = previous = fit(train, lexicon, c, start=previous)
        f1s = [evaluate(model, labelled)[1] for labelled in development]
        mean = sum(f1s) / len(f1s)
        print(f"  C={c:<5} macro-F1 " + ", ".join(f"{s.name} {f:.4f}" for s, f in zip(development, f1s, strict=True)))
        if best is None or mean > best[0]:
            best = (mean, c, model)
    assert best is not None
    _, chosen_c, model = best
    temperatures, offsets, calibration = calibrate(
        train, datasets.sigap_training_sets(data), lexicon, chosen_c, start=model
    )
    model = dataclasses.replace(model, temperatures=temperatures, offsets=offsets)
    print(f"calibration on Sigap's own posts, out of {CALIBRATION_FOLDS} folds:")
    for side, name in enumerate(SIDES):
        figures = calibration[name]
        print(
            f"  {name} side ({figures['rows']} rows): temperature {temperatures[side]:.3f}, offsets negative "
            f"{offsets[side][0]:+.3f} / positive {offsets[side][2]:+.3f} (against neutral); "
            f"ECE {figures['ece_before']:.3f} -> {figures['ece_after']:.3f}"
        )
    validation = {}
    for labelled in datasets.evaluation_sets(data):
        accuracy, macro_f1 = evaluate(model, labelled)
        validation[labelled.name] = {"accuracy": round(accuracy, 4), "macro_f1": round(macro_f1, 4)}
    model = dataclasses.replace(
        model,
        training={
            "c": chosen_c,
            "calibration": calibration,
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

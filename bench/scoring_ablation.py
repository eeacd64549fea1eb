"""Each training change's effect, measured on every evaluation set in one run (`--only ablation` of run.py).

The model is retrained step by step, adding one change at a time, in the order they were made: Sigap's own
everyday posts (data/sigap_train/chatter_*), NusaX Javanese and Sundanese, IndoNLU EmoT's tweets, and the
calibration fitted out of fold on Sigap's own posts. (The tokeniser's changes, one laughter token and the
advice idioms, are in every step: they are code, not a recipe.) Each step's macro-F1 per set is printed with
its change from the step before, and a 95% paired-bootstrap interval of that change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
from scoring_bench import margin_interval, neutral_recall

from sigap.scoring.domain.sentiment import SentimentModel
from sigap.scoring.domain.text import tokens
from sigap_tools.training import datasets, train
from sigap_tools.training.datasets import LABELS

STEPS = (
    ("public data and Sigap's complaint posts", ("chatter", "javanese", "sundanese", "EmoT"), False),
    ("+ Sigap's everyday posts", ("javanese", "sundanese", "EmoT"), False),
    ("+ NusaX Javanese and Sundanese", ("EmoT",), False),
    ("+ EmoT tweets (weight 0.5)", (), False),
    ("+ calibration (temperature and class offsets per side)", (), True),
)


def _predict(model: SentimentModel, texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    probabilities = model.probabilities([tokens(text) for text in texts])
    return [model.classes[i] for i in probabilities.argmax(axis=1)], probabilities


def ablation() -> None:
    data = datasets.find_data_dir()
    everything = datasets.training_sets(data)
    own = datasets.sigap_training_sets(data)
    lexicon = train.build_lexicon(data)
    evaluation = datasets.evaluation_sets(data)
    c = train.C_GRID[-1]
    print(f"### Sentiment: each training change measured on every set (macro-F1; C={c})\n")
    columns = [name for name, _, _ in STEPS]
    print("| set | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    results: list[list[str]] = [[labelled.name] for labelled in evaluation]
    extra: list[tuple[str, list[str]]] = [("neutral recall, Sigap chatter id", []), ("ECE, Sigap chatter id", [])]
    previous: list[list[str]] | None = None
    for _, left_out, calibrated in STEPS:
        sets = [s for s in everything if not any(part in s.name for part in left_out)]
        model = train.fit(sets, lexicon, c)
        if calibrated:
            temperatures, offsets, _ = train.calibrate(sets, [s for s in own if s in sets], lexicon, c)
            model = dataclasses.replace(model, temperatures=temperatures, offsets=offsets)
        predictions = []
        for row, labelled in enumerate(evaluation):
            predicted, probabilities = _predict(model, labelled.texts)
            predictions.append(predicted)
            score = train.macro_f1(labelled.labels, predicted)
            cell = f"{score:.3f}"
            if previous is not None:
                low, high = margin_interval(labelled.labels, predicted, previous[row])
                cell += f" ({score - train.macro_f1(labelled.labels, previous[row]):+.3f} [{low:+.2f}, {high:+.2f}])"
            results[row].append(cell)
            if labelled.name == "Sigap chatter id":
                extra[0][1].append(f"{neutral_recall(labelled.labels, predicted):.2f}")
                gold = np.asarray([LABELS.index(label) for label in labelled.labels])
                extra[1][1].append(f"{train.expected_calibration_error(probabilities, gold):.3f}")
        previous = predictions
    for cells_of_set in results:
        print("| " + " | ".join(cells_of_set) + " |")
    for name, cells in extra:
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()

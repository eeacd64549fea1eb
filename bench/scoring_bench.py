"""The scoring tables of `make bench` (see run.py)."""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
from baselines import CharNgramModel, TfidfBaseline, VaderBaseline
from sklearn.metrics import accuracy_score, f1_score

from sigap.scoring.domain.engine import ScoringInput
from sigap.scoring.domain.sentiment import SentimentModel, artifact_path, shipped_model
from sigap.scoring.domain.text import tokens
from sigap_tools.demo.replay import load_scenario
from sigap_tools.offline_scorer import offline_scorer
from sigap_tools.training import datasets
from sigap_tools.training.datasets import LABELS
from sigap_tools.training.train import expected_calibration_error

THROUGHPUT_TEXTS = 10_000
# VADER as a command like `sigap score`: a fresh process that reads the JSONL posts and writes one label per line.
_VADER_PROCESS = """
import json, sys
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
analyser = SentimentIntensityAnalyzer()
with open(sys.argv[1], encoding="utf-8") as source, open(sys.argv[2], "w", encoding="utf-8") as target:
    for line in source:
        post = json.loads(line)
        compound = analyser.polarity_scores(post["text"])["compound"]
        label = "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
        target.write(json.dumps({"id": post["id"], "sentiment": label}) + "\\n")
"""


class SigapSentiment:
    name = "Sigap"

    def __init__(self) -> None:
        self._model = shipped_model()

    def predict(self, texts: Sequence[str]) -> list[str]:
        probabilities = self.probabilities(texts)
        return [self._model.classes[i] for i in probabilities.argmax(axis=1)]

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return self._model.probabilities([tokens(text) for text in texts])


def short_posts(count: int) -> list[str]:
    """Short social posts and complaints: the demo scenario's and the evaluation sets' shorter texts."""
    data = datasets.find_data_dir()
    pool = [m["text"] for m in load_scenario()] + [
        text for labelled in datasets.evaluation_sets(data) for text in labelled.texts if len(text) <= 200
    ]
    generator = random.Random(7)
    return [generator.choice(pool) + ("" if i % 3 else f" #{i}") for i in range(count)]


def _rate(function: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    function()
    return count / (time.perf_counter() - started)


BOOTSTRAP_RESAMPLES = 1000


def _one_at_a_time(predict: Callable[[Sequence[str]], object], text: str) -> object:
    return predict([text])


def _macro_f1(truth: Sequence[str] | np.ndarray, predicted: Sequence[str] | np.ndarray) -> float:
    """Macro-F1 over the classes the gold labels hold: all three on most sets, negative and positive on EmoT
    (emotions, no neutral), where a post called neutral is simply wrong."""
    present = [label for label in LABELS if label in set(truth)]
    return float(f1_score(truth, predicted, average="macro", labels=present, zero_division=0))


def neutral_recall(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """The share of the posts labelled neutral that were called neutral."""
    neutral = [p for t, p in zip(truth, predicted, strict=True) if t == "neutral"]
    return sum(p == "neutral" for p in neutral) / len(neutral) if neutral else float("nan")


def margin_interval(truth: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> tuple[float, float]:
    """95% paired-bootstrap interval of macro-F1(ours) - macro-F1(theirs): the same resampled rows for both, so
    a small set's interval shows whether a margin is more than the luck of which sentences were drawn."""
    generator = np.random.default_rng(20261122)
    truth_array, ours_array, theirs_array = np.asarray(truth), np.asarray(ours), np.asarray(theirs)
    differences = []
    for _ in range(BOOTSTRAP_RESAMPLES):
        rows = generator.integers(0, len(truth_array), len(truth_array))
        differences.append(
            _macro_f1(truth_array[rows], ours_array[rows]) - _macro_f1(truth_array[rows], theirs_array[rows])
        )
    low, high = np.percentile(differences, [2.5, 97.5])
    return float(low), float(high)


def quality(predictors: Sequence[object]) -> None:
    """Accuracy and macro-F1 of each predictor (the first is Sigap) on every evaluation set, and Sigap's margin
    over the stronger baseline of each set with its 95% interval."""
    data = datasets.find_data_dir()
    names = [p.name for p in predictors]  # type: ignore[attr-defined]
    print("### Sentiment quality: accuracy / macro-F1 (3 classes; 2 on EmoT, which has no neutral)\n")
    print(
        "| set | rows | "
        + " | ".join(names)
        + " | "
        + " | ".join(f"Sigap - {name}, macro-F1 [95% paired CI]" for name in names[1:])
        + " |"
    )
    print("|---|---:|" + "---:|" * (2 * len(names) - 1))
    details = []
    # EmoT's validation split: real Indonesian tweets nobody here wrote (Sigap trains on its train split)
    for labelled in [*datasets.evaluation_sets(data), datasets.emot(data, "valid")]:
        cells, predictions, scores = [], [], []
        for predictor in predictors:
            predicted = predictor.predict(labelled.texts)  # type: ignore[attr-defined]
            macro = _macro_f1(labelled.labels, predicted)
            cells.append(f"{accuracy_score(labelled.labels, predicted):.3f} / {macro:.3f}")
            predictions.append(predicted)
            scores.append(macro)
        margins = []
        for other in range(1, len(predictors)):
            low, high = margin_interval(labelled.labels, predictions[0], predictions[other])
            margins.append(f"{scores[0] - scores[other]:+.3f} [{low:+.3f}, {high:+.3f}]")
        print(f"| {labelled.name} | {len(labelled.texts)} | " + " | ".join(cells + margins) + " |")
        details.append((labelled, predictions))
    print()
    print("### Sentiment: neutral posts called neutral, the negative share, and Sigap's calibration\n")
    print(
        "| set | neutral called neutral: "
        + " / ".join(names)
        + " | negative share: gold / "
        + " / ".join(names)
        + " | Sigap ECE | Sigap confidence / accuracy of its negatives |"
    )
    print("|---|---:|---:|---:|---:|")
    sigap = predictors[0]
    for labelled, predictions in details:
        truth = np.asarray(labelled.labels)
        recalls = " / ".join(f"{neutral_recall(labelled.labels, p):.2f}" for p in predictions)
        shares = " / ".join(f"{(np.asarray(p) == 'negative').mean():.2f}" for p in predictions)
        probabilities = sigap.probabilities(labelled.texts)  # type: ignore[attr-defined]
        gold = np.asarray([LABELS.index(label) for label in labelled.labels])
        negatives = probabilities.argmax(axis=1) == 0
        negative_cell = (
            f"{probabilities[negatives, 0].mean():.2f} / {(gold[negatives] == 0).mean():.2f}"
            if negatives.any()
            else "-"
        )
        print(
            f"| {labelled.name} | {recalls} | {(truth == 'negative').mean():.2f} / {shares} | "
            f"{expected_calibration_error(probabilities, gold):.3f} | {negative_cell} |"
        )
    print()


def throughput(predictors: Sequence[object], runs: int) -> None:
    texts = short_posts(THROUGHPUT_TEXTS)
    scorer = offline_scorer()
    one_at_a_time = texts[:2000]
    print(f"### Scoring speed on {THROUGHPUT_TEXTS:,} short posts, this process (texts/s, median of {runs})\n")
    print("| scorer | batched (1,000 a call) | one at a time |")
    print("|---|---:|---:|")

    def measure(batched: Callable[[Sequence[str]], object], single: Callable[[str], object]) -> tuple[float, float]:
        batch_rates = [
            _rate(lambda: [batched(texts[i : i + 1000]) for i in range(0, len(texts), 1000)], len(texts))
            for _ in range(runs)
        ]
        single_rates = [_rate(lambda: [single(t) for t in one_at_a_time], len(one_at_a_time)) for _ in range(3)]
        return statistics.median(batch_rates), statistics.median(single_rates)

    full = measure(
        lambda chunk: scorer.score_inputs([ScoringInput("bench", str(i), text) for i, text in enumerate(chunk)]),
        lambda text: scorer.score_inputs([ScoringInput("bench", "x", text)]),
    )
    print(f"| Sigap, full score (sentiment, signals, reach, risk, story) | {full[0]:,.0f} | {full[1]:,.0f} |")
    for predictor in predictors:
        predict: Callable[[Sequence[str]], object] = predictor.predict  # type: ignore[attr-defined]
        rates = measure(predict, partial(_one_at_a_time, predict))
        print(f"| {predictor.name} (sentiment only) | {rates[0]:,.0f} | {rates[1]:,.0f} |")  # type: ignore[attr-defined]
    print()


def cli_end_to_end(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "posts.jsonl", Path(folder) / "scored.jsonl"
        source.write_text(
            "".join(
                json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(short_posts(10_000))
            ),
            encoding="utf-8",
        )
        pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
        command = [
            *pin,
            sys.executable,
            "-m",
            "sigap_tools.cli.main",
            "score",
            "--input",
            str(source),
            "--output",
            str(target),
        ]
        vader = [*pin, sys.executable, "-c", _VADER_PROCESS, str(source), str(Path(folder) / "vader.jsonl")]
        seconds, vader_seconds = [], []
        for _ in range(runs):  # in turn, so a busy moment slows both alike
            started = time.perf_counter()
            subprocess.run(command, check=True)
            seconds.append(time.perf_counter() - started)
            started = time.perf_counter()
            subprocess.run(vader, check=True)
            vader_seconds.append(time.perf_counter() - started)
        lines = len(target.read_text(encoding="utf-8").splitlines())
    loads = []
    payload = artifact_path().read_bytes()
    for _ in range(runs):
        started = time.perf_counter()
        SentimentModel.from_bytes(payload)
        loads.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    print(
        f"### `sigap score` end to end: 10,000 short posts, {'one core (taskset -c 0), ' if pin else ''}"
        f"median of {runs} runs\n"
    )
    print("| measure | value |\n|---|---:|")
    print(f"| wall time, process start to last line written (imports and model load included) | {median:.2f} s |")
    print(f"| throughput | {lines / median:,.0f} texts/s |")
    print(f"| fastest / slowest run | {min(seconds):.2f} s / {max(seconds):.2f} s |")
    ratios = sorted(v / s for v, s in zip(vader_seconds, seconds, strict=True))
    print(
        f"| VADER, the same file in its own process (read, score, write), median | "
        f"{statistics.median(vader_seconds):.2f} s |"
    )
    print(
        f"| Sigap's speed as a multiple of VADER's, median of per-round ratios (min-max) | "
        f"{statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f}) |"
    )
    load_ms = statistics.median(loads) * 1000
    print(f"| model load (read + decode {len(payload) / 1024:.0f} KiB artifact), median | {load_ms:.0f} ms |")
    print()


def scoring(runs: int) -> None:
    data = datasets.find_data_dir()
    tried = CharNgramModel(data)
    predictors = [SigapSentiment(), VaderBaseline(), TfidfBaseline(data), tried]
    quality(predictors)
    print(
        f"Model sizes: Sigap's artifact {artifact_path().stat().st_size / 1024:,.0f} KiB; "
        f"{tried.name} {tried.size_bytes() / 1024:,.0f} KiB pickled.\n"
    )
    throughput(predictors, max(3, runs // 2))
    cli_end_to_end(max(3, runs // 2))

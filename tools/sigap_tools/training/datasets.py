"""Reading the labelled data in the repository's data/ folder (see data/README.md for sources and licences)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

LABELS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class LabelledSet:
    name: str
    language: str
    texts: list[str]
    labels: list[str]


def find_data_dir(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "smsa").is_dir():
            return folder / "data"
    raise FileNotFoundError("no data/smsa folder here or above; run from the Sigap checkout")


def _checked(name: str, language: str, pairs: list[tuple[str, str]]) -> LabelledSet:
    for text, label in pairs:
        if label not in LABELS:
            raise ValueError(f"{name}: unknown label {label!r} for {text[:40]!r}")
    return LabelledSet(name, language, [text for text, _ in pairs], [label for _, label in pairs])


def _tsv(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            text, _, label = line.rpartition("\t")
            pairs.append((text.strip(), label.strip()))
    return pairs


def smsa(data: Path, split: str) -> LabelledSet:
    return _checked(f"SmSA {split}", "id", _tsv(data / "smsa" / f"{split}_preprocess.tsv"))


_NUSAX_CODES = {"english": "en", "indonesian": "id", "javanese": "jv", "sundanese": "su"}


def nusax(data: Path, language: str, split: str) -> LabelledSet:
    with (data / "nusax_senti" / language / f"{split}.csv").open(encoding="utf-8") as handle:
        pairs = [(row["text"], row["label"]) for row in csv.DictReader(handle)]
    return _checked(f"NusaX {language} {split}", _NUSAX_CODES[language], pairs)


# EmoT's five emotions have no neutral: anger, fear and sadness read as negative, happiness and love as positive.
EMOTION_SENTIMENT = {
    "anger": "negative",
    "fear": "negative",
    "sadness": "negative",
    "happy": "positive",
    "love": "positive",
}


def emot(data: Path, split: str) -> LabelledSet:
    """IndoNLU EmoT: real Indonesian tweets with an emotion each, mapped to sentiment (EMOTION_SENTIMENT). Two
    rows of the training split join label and text with ';' instead of ','."""
    pairs = []
    with (data / "emot" / f"{split}_preprocess.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if row == ["label", "tweet"]:
                continue
            label, text = row[0].split(";", 1) if len(row) == 1 else row[:2]
            pairs.append((text.replace("[USERNAME]", "@user"), EMOTION_SENTIMENT[label]))
    return _checked(f"EmoT {split}", "id", pairs)


def sigap_eval(data: Path, name: str) -> LabelledSet:
    language = {"social_mixed": "mixed"}.get(name, name.rpartition("_")[2])
    return _checked(f"Sigap {name.replace('_', ' ')}", language, _tsv(data / "sigap_eval" / f"{name}.tsv"))


def sigap_train(data: Path, language: str, kind: str = "social") -> LabelledSet:
    """Sigap's own hand-written training posts (data/sigap_train): `social` is the complaint and customer-care
    register the public sets lack, above all in English; `chatter` is everyday conversation (greetings, news,
    advice, hopes, laughter, politics, public health), mostly neutral, in Indonesian, Malay and English."""
    name = f"Sigap train {language}" if kind == "social" else f"Sigap train {kind} {language}"
    return _checked(name, language, _tsv(data / "sigap_train" / f"{kind}_{language}.tsv"))


def sigap_training_sets(data: Path) -> list[LabelledSet]:
    """Sigap's own posts: the register the model is deployed on, and what its calibration is fitted to."""
    return [
        sigap_train(data, "en"),
        sigap_train(data, "id"),
        sigap_train(data, "id", "chatter"),
        sigap_train(data, "ms", "chatter"),
        sigap_train(data, "en", "chatter"),
    ]


def training_sets(data: Path) -> list[LabelledSet]:
    """Everything `make train` learns from."""
    return [
        smsa(data, "train"),
        nusax(data, "indonesian", "train"),
        nusax(data, "english", "train"),
        nusax(data, "javanese", "train"),
        nusax(data, "sundanese", "train"),
        emot(data, "train"),
        *sigap_training_sets(data),
    ]


# Sigap's own held-out sets, oldest first (data/sigap_eval/README.md says which are development data by now).
SIGAP_EVALUATION_SETS = (
    "social_id",
    "social_en",
    "social_mixed",
    "blind_id",
    "blind_en",
    "holdout_id",
    "holdout_en",
    "holdout2_id",
    "holdout2_en",
    "chatter_id",
    "chatter2_id",
)


def evaluation_sets(data: Path) -> list[LabelledSet]:
    """Every set the benchmarks report on: the public validation splits and Sigap's own held-out sentences."""
    public = [
        smsa(data, "valid"),
        nusax(data, "indonesian", "valid"),
        nusax(data, "english", "valid"),
        nusax(data, "javanese", "valid"),
        nusax(data, "sundanese", "valid"),
    ]
    return public + [sigap_eval(data, name) for name in SIGAP_EVALUATION_SETS]

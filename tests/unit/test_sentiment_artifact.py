"""The shipped model: small, loads fast enough to check, round-trips byte for byte, refuses a foreign file."""

from __future__ import annotations

import gzip
import json

import pytest

from sigap.scoring.domain.features import DENSE_FEATURES
from sigap.scoring.domain.sentiment import ModelArtifactError, SentimentModel, artifact_path, shipped_model
from sigap.scoring.domain.text import tokens


def test_the_artifact_is_at_most_10_mb_and_names_its_training() -> None:
    assert artifact_path().stat().st_size <= 10 * 1024 * 1024
    training = shipped_model().training
    assert training["train_rows"] > 12_000
    assert set(training["data_sha256"]) == {
        "SmSA train",
        "NusaX indonesian train",
        "NusaX english train",
        "NusaX javanese train",
        "NusaX sundanese train",
        "EmoT train",
        "Sigap train en",
        "Sigap train id",
        "Sigap train chatter id",
        "Sigap train chatter ms",
        "Sigap train chatter en",
    }


def test_the_artifact_round_trips_byte_for_byte() -> None:
    payload = artifact_path().read_bytes()
    assert SentimentModel.from_bytes(payload).to_bytes() == payload


def test_probabilities_are_a_distribution_per_text() -> None:
    probabilities = shipped_model().probabilities([tokens("bagus"), tokens(""), tokens("jelek banget")])
    assert probabilities.shape == (3, 3)
    assert probabilities.sum(axis=1) == pytest.approx([1, 1, 1])


def test_an_artifact_for_other_features_is_refused() -> None:
    document = json.loads(gzip.decompress(artifact_path().read_bytes()))
    document["dense_features"] = [*DENSE_FEATURES, "something_new"]
    with pytest.raises(ModelArtifactError, match="another version"):
        SentimentModel.from_bytes(gzip.compress(json.dumps(document).encode()))
    with pytest.raises(ModelArtifactError, match="not gzip"):
        SentimentModel.from_bytes(b"not a model")

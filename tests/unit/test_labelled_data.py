"""The labelled data in data/: every file parses with known labels, and no evaluation text is trained on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sigap_tools.training import datasets
from sigap_tools.training.datasets import LABELS

DATA = datasets.find_data_dir()
TRAINING = datasets.training_sets(DATA)


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def test_every_set_has_rows_with_known_labels() -> None:
    for labelled in TRAINING + datasets.evaluation_sets(DATA):
        assert labelled.texts, labelled.name
        assert set(labelled.labels) <= set(LABELS), labelled.name


SIGAP_EVALUATION = [labelled for labelled in datasets.evaluation_sets(DATA) if labelled.name.startswith("Sigap")]


@pytest.mark.parametrize("labelled", SIGAP_EVALUATION, ids=lambda labelled: labelled.name)
def test_no_sigap_evaluation_text_is_in_the_training_data(labelled: datasets.LabelledSet) -> None:
    # Given every training text, compared without case and punctuation (the public validation splits are left
    # as their publishers made them: SmSA's repeats some short training texts such as "tidak marah")
    trained = {_key(text) for training in TRAINING for text in training.texts}
    # Then no text of Sigap's own evaluation sets is among them
    leaked = [text for text in labelled.texts if _key(text) in trained]
    assert not leaked, f"{labelled.name}: {leaked[:3]}"


def test_sigap_own_sets_hold_every_label() -> None:
    sigap_training = [labelled for labelled in TRAINING if labelled.name.startswith("Sigap")]
    for labelled in [*sigap_training, *SIGAP_EVALUATION]:
        if labelled.language != "mixed":
            assert set(labelled.labels) == set(LABELS), labelled.name


def test_a_row_with_an_unknown_label_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "sigap_train").mkdir()
    (tmp_path / "sigap_train" / "social_en.tsv").write_text("great stuff\tpositve\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown label 'positve'"):
        datasets.sigap_train(tmp_path, "en")

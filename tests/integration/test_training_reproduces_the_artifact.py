"""`make train` reproduces the shipped artifact from data/, byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sigap.scoring import train
from sigap.scoring.sentiment import artifact_path


def test_retraining_reproduces_the_shipped_artifact(tmp_path: Path, capsys: object) -> None:
    output = tmp_path / "sentiment.json.gz"
    train.main(["--output", str(output)])
    shipped = hashlib.sha256(artifact_path().read_bytes()).hexdigest()
    assert hashlib.sha256(output.read_bytes()).hexdigest() == shipped

"""Ordinary conversation is not a complaint: on sentences written for these tests (in no training or evaluation
set), everyday posts with a negator, advice, hopes, greetings and laughter read as neutral; Malay, Javanese and
Sundanese are told apart from Indonesian; and the model's confidence is calibrated."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from sigap.detection.domain.models import Evidence, Finding, Rule, Scope, Severity
from sigap.detection.domain.scope import judge_scope
from sigap.kernel.language import identify
from sigap.kernel.minute_counts import MinuteCounts
from sigap.scoring.domain.engine import ScoringInput
from sigap.scoring.domain.sentiment import SentimentModel, shipped_model
from sigap.scoring.domain.text import tokens
from sigap_tools.offline_scorer import offline_scorer
from sigap_tools.training.train import expected_calibration_error


def sentiment(text: str) -> str:
    [score] = offline_scorer().score_inputs([ScoringInput("t", "1", text)])
    return score.sentiment.value


@pytest.mark.parametrize(
    "text",
    [
        "jangan lupa bawa jaket, malam ini dingin",
        "semoga besok tidak hujan waktu kami pindahan",
        "belum sempat sarapan, nanti saja di kantor",
        "wkwkwk iya aku juga baru sadar",
        "selamat pagi bapak ibu, selamat beraktivitas",
        "besok kantor kelurahan tutup karena cuti bersama",
        "saya tidak ikut rapat sore ini, ada urusan keluarga",
        "gubernur akan meresmikan jembatan baru besok pagi",
    ],
)
def test_everyday_posts_with_negators_advice_hopes_and_laughter_are_neutral(text: str) -> None:
    assert sentiment(text) == "neutral"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kecewa berat, sudah dua hari air di rumah tidak mengalir", "negative"),
        ("wkwk sial, dompet ketinggalan dan bensin habis", "negative"),
        ("senang sekali akhirnya bisa pulang kampung ketemu ibu", "positive"),
    ],
)
def test_complaints_and_joy_in_conversation_keep_their_sentiment(text: str, expected: str) -> None:
    assert sentiment(text) == expected


@pytest.mark.parametrize(
    ("spelling"),
    ["wkwk", "wkwkwkwk", "wkwkwkw", "kwkwkw", "hahahaha", "hehehe", "awokawokawok", "xixixi", "lol", "lolol"],
)
def test_every_spelling_of_laughter_is_one_token(spelling: str) -> None:
    assert tokens(f"{spelling} iya") == ["haha", "iya"]


def test_words_that_only_look_like_laughter_are_kept() -> None:
    assert tokens("barang kw huhu") == ["barang", "kw", "huhu"]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("awak nak pergi kedai tu pukul berapa", "ms"),
        ("jalan sesak teruk pagi ni, lambat sampai ofis", "ms"),
        ("aku ora iso teka, wis kesel banget", "jv"),
        ("sampun dhahar dereng, mboten usah repot", "jv"),
        ("abdi teu acan tuang, lapar pisan", "su"),
        ("kumaha damang, geus lila teu papanggih", "su"),
        ("Teh Segar botolan enak banget", "id"),
        ("makanannya mah enak, cuma tempatnya sempit", "id"),
        ("we sing along to the radio every morning", "en"),
    ],
)
def test_malay_javanese_and_sundanese_are_told_from_indonesian(text: str, language: str) -> None:
    assert identify(tokens(text)) == language


def test_regional_posts_are_scored_with_the_indonesian_model_and_keep_their_language() -> None:
    [score] = offline_scorer().score_inputs([ScoringInput("t", "1", "penat betul kerja hari ni, teruk sangat")])
    assert score.lang == "ms"
    assert score.sentiment.value == "negative"


def test_talk_in_javanese_and_sundanese_does_not_make_a_crisis_global() -> None:
    # Given a window where Indonesian, Javanese and Sundanese each carry a third of the talk
    window = MinuteCounts(minute="2026-12-03T08:00", total=90, languages={"id": 30, "jv": 30, "su": 30})
    evidence = Evidence(
        measure="negative mentions",
        observed=30,
        expected=3,
        threshold=9,
        window_minutes=60,
        mentions=30,
        distinct_authors=30,
        negative_share=0.9,
        baseline_negative_share=0.2,
    )
    finding = Finding(
        rule=Rule.NEGATIVE_SPIKE,
        subject="negative",
        severity=Severity.WARNING,
        summary="test",
        started_at=datetime(2026, 12, 3, 8, tzinfo=UTC),
        evidence=evidence,
    )
    # When its scope is judged
    scope, reason = judge_scope(finding, window, "ID")
    # Then three of Indonesia's languages are not three countries
    assert scope != Scope.GLOBAL, reason
    # While Indonesian, Malay and English each carrying a third of it is talk across borders
    abroad = window.model_copy(update={"languages": {"id": 30, "ms": 30, "en": 30}})
    assert judge_scope(finding, abroad, "ID")[0] == Scope.GLOBAL


def test_the_shipped_model_is_calibrated_and_keeps_its_calibration_through_the_artifact() -> None:
    model = shipped_model()
    # The calibration was fitted: it is stored with the weights and applied to every prediction
    assert (model.temperatures > 0).all()
    assert (model.temperatures != 1.0).all()
    assert model.offsets.shape == (2, 3)
    reloaded = SentimentModel.from_bytes(model.to_bytes())
    texts = [tokens("jangan lupa makan siang"), tokens("kecewa sekali dengan pelayanannya")]
    assert np.allclose(reloaded.probabilities(texts), model.probabilities(texts), atol=1e-6)
    for side in ("indonesian", "english"):
        figures = model.training["calibration"][side]
        assert figures["ece_after"] < figures["ece_before"], side


def test_expected_calibration_error_is_the_gap_between_confidence_and_accuracy() -> None:
    # Ten predictions at 0.9 confidence, nine right: calibrated
    sure = np.tile([0.9, 0.05, 0.05], (10, 1))
    assert expected_calibration_error(sure, np.array([0] * 9 + [2])) == pytest.approx(0.0, abs=1e-9)
    # The same confidence, half of them right: a gap of 0.4
    assert expected_calibration_error(sure, np.array([0] * 5 + [2] * 5)) == pytest.approx(0.4)

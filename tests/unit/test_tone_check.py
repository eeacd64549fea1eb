"""The tone check flags what crisis guidance warns against, in both languages, and leaves good statements alone."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigap.kernel.language import Language
from sigap.statements.domain.tone.check import blocking, check
from sigap.statements.domain.tone.models import FindingSeverity, ToneRule
from sigap_tools.jsonl import InputError
from sigap_tools.statements_check import check_stream

STATEMENTS = Path(__file__).resolve().parents[2] / "data" / "statements"
EIGHT = set(list(ToneRule)[:8])
CASES = [
    json.loads(line)
    for name in sorted(path.name for path in STATEMENTS.glob("tone_*.jsonl"))
    for line in (STATEMENTS / name).read_text(encoding="utf-8").splitlines()
    if line.strip()
]
# Misses the rules are known to make, each kept as a test that fails the day it is fixed (strict xfail).
KNOWN_MISSES = {
    "o-rushed-en": "a flat 'our app works perfectly fine' is not read as a denial: the same words close a good "
    "statement once a fault is fixed",
}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, marks=pytest.mark.xfail(reason=KNOWN_MISSES[case["id"]], strict=True))
        if case["id"] in KNOWN_MISSES
        else case
        for case in CASES
    ],
    ids=[case["id"] for case in CASES],
)
def test_each_hand_written_statement_gets_exactly_the_rules_a_careful_reader_flags(case: dict[str, object]) -> None:
    findings = check(str(case["text"]))
    flagged = {finding.rule for finding in findings if finding.rule in EIGHT}
    assert flagged == {ToneRule(rule) for rule in case["rules"]}  # type: ignore[attr-defined]
    if not case["rules"]:
        assert findings == [], "a good statement gets no finding at all, readability included"


def test_the_rushed_first_draft_of_the_demo_is_blocked_with_spans_on_what_was_written() -> None:
    text = "TIDAK BENAR!!! Teh Segar tidak beracun. Kami akan melaporkan para penyebar hoaks ke polisi."
    findings = check(text, Language.INDONESIAN)
    by_rule = {finding.rule: finding for finding in findings}
    assert by_rule[ToneRule.EMOTIONAL_TONE].span.text in {"TIDAK BENAR", "!!!"}
    assert by_rule[ToneRule.LEGAL_THREAT].span.text == "melaporkan para penyebar hoaks ke polisi"
    assert by_rule[ToneRule.BARE_DENIAL].severity is FindingSeverity.ERROR
    assert by_rule[ToneRule.MISSING_CONTACT].severity is FindingSeverity.WARNING
    for finding in findings:
        assert text[finding.span.start : finding.span.end] == finding.span.text
    assert {finding.rule for finding in blocking(findings)} >= {ToneRule.LEGAL_THREAT, ToneRule.BARE_DENIAL}
    assert "polisi" in by_rule[ToneRule.LEGAL_THREAT].explanation.lower()  # explained in the statement's language


def test_letters_typed_over_and_over_are_read_as_the_word_and_the_span_covers_every_copy() -> None:
    text = "Beritanya hoaxxx dan yang percaya itu bodooo"
    spans = {finding.span.text for finding in check(text)}
    assert {"hoaxxx", "bodooo"} <= spans


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("This was not the customers' fault, and we are sorry.", ToneRule.BLAMES_PUBLIC),
        ("Ini bukan kesalahan konsumen.", ToneRule.BLAMES_PUBLIC),
        ("There is no evidence of sabotage at the plant.", ToneRule.SPECULATION),
        ("We do not yet know the cause and will not speculate.", ToneRule.SPECULATION),
        ("Kami memahami kekhawatiran yang mungkin Anda rasakan.", ToneRule.SPECULATION),
        ("Kami bekerja sama dengan kepolisian yang menyelidiki pemalsuan produk.", ToneRule.LEGAL_THREAT),
        ("Independent tests show the claim is false: https://example.org/tests", ToneRule.BARE_DENIAL),
        ("Hasil tes BPOM dan laboratorium menunjukkan Teh Segar aman dikonsumsi.", ToneRule.EMOTIONAL_TONE),
        ("SIARAN PERS\n\nHasil uji BPOM menunjukkan produk aman.", ToneRule.EMOTIONAL_TONE),
        ("## KLARIFIKASI RESMI\nHasil uji BPOM menunjukkan produk aman.", ToneRule.EMOTIONAL_TONE),
        ("PT TEH SEGAR INDONESIA Tbk menyampaikan hasil uji BPOM.", ToneRule.EMOTIONAL_TONE),
        ("We are sorry for the delays this caused.", ToneRule.BLAMES_PUBLIC),
        ("Kami mohon maaf atas ketidaknyamanan ini.", ToneRule.BLAMES_PUBLIC),
        ("Pelanggan yang paketnya terlambat akan menerima voucher.", ToneRule.BLAMES_PUBLIC),
        ("A patient received the wrong dose; we have suspended the nurse's duties.", ToneRule.BLAMES_PUBLIC),
        ("We changed the fee because customers asked for a cheaper option.", ToneRule.BLAMES_PUBLIC),
        ("Kami menegaskan produk kami aman; hasil uji ada di tehsegar.example/uji.", ToneRule.EMOTIONAL_TONE),
        ("The claim is false; see mierasa.example/report.", ToneRule.BARE_DENIAL),
        ("Kami kabarin lagi jam 12 siang ya.", ToneRule.MISSING_NEXT_UPDATE),
        ("The next notice will be issued at 18:00 today.", ToneRule.MISSING_NEXT_UPDATE),
        ("Tim kami udah benerin servernya.", ToneRule.MISSING_ACTION),
        ("Petugas Dinas Lingkungan Hidup telah mengambil sampel air.", ToneRule.MISSING_ACTION),
        ("We have now made two-step verification mandatory.", ToneRule.MISSING_ACTION),
        ("Besok jam 10 kami kabarin jadwalnya.", ToneRule.MISSING_NEXT_UPDATE),
        ("Pelanggan yang tidak menerima paket akan dihubungi kurir.", ToneRule.BLAMES_PUBLIC),
        ("Kecelakaan terjadi ketika pengemudi kami mengantuk.", ToneRule.BLAMES_PUBLIC),
        ("We're reversing every duplicate charge now.", ToneRule.MISSING_ACTION),
        ("Sampel dari toko sudah kami ambil untuk diuji ulang.", ToneRule.MISSING_ACTION),
        ("More at 3pm.", ToneRule.MISSING_NEXT_UPDATE),
        ("We will publish them here the same day at 17:00.", ToneRule.MISSING_NEXT_UPDATE),
        ("Info rute sore akan kami kirim sebelum pukul 13.00.", ToneRule.MISSING_NEXT_UPDATE),
        ("Nanti jam 3 sore mimin update lagi di sini ya.", ToneRule.MISSING_NEXT_UPDATE),
        ("Some accounts were incorrectly charged twice.", ToneRule.BLAMES_PUBLIC),
        ("We are sorry for the disruption that upset many customers.", ToneRule.BLAMES_PUBLIC),
    ],
)
def test_what_only_resembles_a_mistake_is_not_flagged(text: str, rule: ToneRule) -> None:
    assert rule not in {finding.rule for finding in check(text)}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Kabar itu gak bener. Hubungi 1500-123.", ToneRule.BARE_DENIAL),
        ("Yang nyebarin bakal kami somasi.", ToneRule.LEGAL_THREAT),
        ("We will take the bloggers to court.", ToneRule.LEGAL_THREAT),
        ("Netizen jangan asal sebar berita.", ToneRule.BLAMES_PUBLIC),
        ("Warganet terlalu mudah percaya.", ToneRule.BLAMES_PUBLIC),
        ("Ini pasti ulah pesaing kami.", ToneRule.SPECULATION),
        ("We suspect a rival brand started this.", ToneRule.SPECULATION),
        ("Enough is enough.", ToneRule.EMOTIONAL_TONE),
        ("Kami sudah muak dengan tuduhan ini.", ToneRule.EMOTIONAL_TONE),
        ("Why would anyone believe this?!", ToneRule.EMOTIONAL_TONE),
        ("Kami tegaskan: INI BOHONG BESAR. Hubungi kami.", ToneRule.EMOTIONAL_TONE),
        ("KLARIFIKASI RESMI!\nIsi.", ToneRule.EMOTIONAL_TONE),
        ("We are sorry that some customers feel upset about the fee.", ToneRule.BLAMES_PUBLIC),
        ("Kami mohon maaf apabila ada pihak yang merasa tersinggung.", ToneRule.BLAMES_PUBLIC),
        ("We regret that a few guests were disappointed.", ToneRule.BLAMES_PUBLIC),
        ("Some customers shared their one-time codes with callers.", ToneRule.BLAMES_PUBLIC),
        ("Penumpang yang terlambat tiba tidak dapat kami terbangkan.", ToneRule.BLAMES_PUBLIC),
        ("Kasus naik karena masyarakat tidak menjaga kebersihan.", ToneRule.BLAMES_PUBLIC),
        ("Try restarting your phone before complaining.", ToneRule.BLAMES_PUBLIC),
        ("Hasilnya akan disampaikan besok pukul 10.00 WIB.", ToneRule.MISSING_ACTION),  # telling is not doing
        ("Our app works fine for millions of people.", ToneRule.MISSING_ACTION),
        ("Frankly, we are tired of these rumours.", ToneRule.EMOTIONAL_TONE),
        ("We apologise to anyone who may have been confused by our post.", ToneRule.BLAMES_PUBLIC),
        ("The hacked accounts had reused passwords that leaked elsewhere.", ToneRule.BLAMES_PUBLIC),
        ("Apparently some people know more about safety than our engineers.", ToneRule.EMOTIONAL_TONE),
        ("The fire was probably started by a former employee.", ToneRule.SPECULATION),
        ("We have instructed our solicitors to act.", ToneRule.LEGAL_THREAT),
        ("We will share an update at 17:00.", ToneRule.MISSING_ACTION),  # promising news is not doing
        ("Why on earth would we poison our own customers?", ToneRule.EMOTIONAL_TONE),
        ("Apa untungnya bagi kami menjual produk berbahaya?", ToneRule.EMOTIONAL_TONE),
        ("Penyebar video akan kami proses sesuai hukum yang berlaku.", ToneRule.LEGAL_THREAT),
        ("We reserve the right to take action against them.", ToneRule.LEGAL_THREAT),
        ("Isu itu tidak dapat dipertanggungjawabkan.", ToneRule.BARE_DENIAL),
        ("Users who ignore security warnings put their own accounts at risk.", ToneRule.BLAMES_PUBLIC),
        ("Gagal klaim terjadi pada nasabah yang tidak melengkapi dokumen.", ToneRule.BLAMES_PUBLIC),
        ("These incidents happen when parents leave children unsupervised.", ToneRule.BLAMES_PUBLIC),
        ("Kok bisa ya orang percaya hoaks murahan seperti ini?", ToneRule.EMOTIONAL_TONE),
        ("Ada oknum yang tega menyebarkan kabar ini.", ToneRule.EMOTIONAL_TONE),
    ],
)
def test_informal_and_short_forms_of_each_mistake_are_caught(text: str, rule: ToneRule) -> None:
    assert rule in {finding.rule for finding in check(text)}


def test_a_very_long_sentence_and_legal_jargon_are_readability_warnings() -> None:
    long_sentence = " ".join(["kata"] * 60) + "."
    findings = check(long_sentence + " Pursuant to the aforementioned policy we apologise.")
    rules = {finding.rule for finding in findings}
    assert {ToneRule.LONG_SENTENCE, ToneRule.JARGON} <= rules
    assert all(f.severity is FindingSeverity.WARNING for f in findings if f.rule not in EIGHT)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_findings_whose_spans_are_slices_of_it(text: str) -> None:
    for finding in check(text):
        assert 0 <= finding.span.start <= finding.span.end <= len(text)
        assert text[finding.span.start : finding.span.end] == finding.span.text


def test_the_cli_writes_each_line_back_with_its_findings() -> None:
    source = io.StringIO(
        '{"id": "a", "text": "FAKE NEWS!!! We will sue.", "lang": "en"}\n\n{"id": "b", "text": "Halo", "x": 1}\n'
    )
    sink = io.StringIO()
    assert check_stream(source, sink) == 2
    first, second = (json.loads(line) for line in sink.getvalue().splitlines())
    assert first["id"] == "a"
    assert {"rule", "severity", "span", "explanation", "suggestion"} <= set(first["findings"][0])
    assert second["x"] == 1
    assert second["findings"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [("not json", "line 1: not JSON"), ('{"id": 1}', "'text'"), ('{"text": "x", "lang": "fr"}', "'lang'")],
)
def test_the_cli_names_the_line_it_cannot_read(line: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        check_stream(io.StringIO(line + "\n"), io.StringIO())

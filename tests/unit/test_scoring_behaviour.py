"""What a crisis team relies on, on sentences written for these tests (not taken from any training or evaluation
set): informal Indonesian, negation, emoji, sarcasm, code-mixing, crisis signals, reach, risk and stories."""

from __future__ import annotations

import pytest

from sigap.kernel.language import identify
from sigap.kernel.models import SourceChannel
from sigap.scoring.domain.engine import ScoringInput
from sigap.scoring.domain.features import DENSE_FEATURES, extract
from sigap.scoring.domain.reach import reach_of
from sigap.scoring.domain.risk import risk_of
from sigap.scoring.domain.sentiment import shipped_model
from sigap.scoring.domain.signals import SignalHit, find_signals
from sigap.scoring.domain.stories import MemoryBandIndex, assign_stories
from sigap.scoring.domain.text import tokens
from sigap_tools.offline_scorer import offline_scorer


def sentiment(text: str) -> str:
    [score] = offline_scorer().score_inputs([ScoringInput("t", "1", text)])
    return score.sentiment.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # informal Indonesian and slang
        ("parah bgt sih layanannya, udh nunggu sejam gak dilayanin", "negative"),
        ("mantul gan, barangnya ori dan cepet nyampe", "positive"),
        ("gw kecewa berat sama kurirnya", "negative"),
        # negation
        ("rasanya tidak enak sama sekali", "negative"),
        ("gak nyesel langganan di sini", "positive"),
        ("this is not good at all", "negative"),
        ("not disappointed, works as promised", "positive"),
        # emoji
        ("pesanan dateng 😍👍", "positive"),
        ("pesanan dateng 😡😡", "negative"),
        # sarcasm
        ("Thanks for the two hour delay, love waiting at the gate", "negative"),
        ("makasih ya atas gangguan sinyal seharian ini", "negative"),
        # code-mixing
        ("service nya bagus banget, very recommended", "positive"),
        ("app nya error mulu, so annoying", "negative"),
        # plain questions, tag questions included, and news are neutral
        ("kapan cabang baru di Medan dibuka?", "neutral"),
        ("voucher nya bisa dipakai di semua cabang gak?", "neutral"),
        ("Could someone please help me update my delivery address?", "neutral"),
        ("When does the new branch open?", "neutral"),
    ],
)
def test_sentiment_of_how_people_really_write(text: str, expected: str) -> None:
    assert sentiment(text) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("gw udah nunggu dari tadi tapi belum dateng juga", "id"),
        ("I have been waiting all day and nothing arrived", "en"),
        ("12345 !!! 😀", "other"),
    ],
)
def test_language_is_identified_offline(text: str, language: str) -> None:
    assert identify(tokens(text)) == language


@pytest.mark.parametrize(
    "text",
    [
        "My Brand kurirnya telat mulu",
        "The Body Shop pelayanannya lambat",
        "Good Day rasanya aneh",
        "Grab drivernya nyasar mulu",
        "kurir Teh Segar telat mulu, kapok pesen online",
    ],
)
def test_a_short_code_mixed_post_is_indonesian_when_its_own_words_are_not_its_brand_names(text: str) -> None:
    # The English words are the brand's name; the post's own words ("-nya", "telat", "mulu") are Indonesian.
    assert identify(tokens(text)) == "id"


def test_an_english_post_with_an_indonesian_brand_stays_english() -> None:
    assert identify(tokens("Teh Segar delivery was late again and nobody answered my email")) == "en"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("anak saya keracunan setelah minum teh itu", "safety_health"),
        ("my kid got food poisoning from this drink", "safety_health"),
        ("kami akan kirim somasi dan lapor polisi", "legal"),
        ("bisa kena UU ITE kalau nyebar begitu", "legal"),
        ("they are threatening a lawsuit", "legal"),
        ("awas penipuan mengatasnamakan toko ini", "fraud"),
        ("this is a scam, don't pay", "fraud"),
        ("aplikasinya gangguan dari pagi", "service_failure"),
        ("kebocoran data pelanggan lagi", "data_privacy"),
        ("ayo boikot produk ini", "boycott"),
        ("pesan berantai itu hoaks", "hoax_misinformation"),
        ("satpamnya rasis banget", "discrimination"),
        ("direkturnya jadi tersangka korupsi", "executive_misconduct"),
    ],
)
def test_crisis_signals_are_found_in_both_languages(text: str, category: str) -> None:
    assert category in {signal.category for signal in find_signals(tokens(text))}


@pytest.mark.parametrize(
    "text",
    ["produk ini tidak beracun", "gak ada yang keracunan kok", "it is not poisonous", "bukan penipuan, resmi kok"],
)
def test_a_denied_claim_raises_no_signal(text: str) -> None:
    assert find_signals(tokens(text)) == []


def test_talk_of_a_hoax_is_a_signal_even_when_denied() -> None:
    assert [s.category for s in find_signals(tokens("ini bukan hoaks, beneran"))] == ["hoax_misinformation"]


def test_news_reaches_further_than_blogs_and_forums_with_nothing_known() -> None:
    assert reach_of(SourceChannel.NEWS) > reach_of(SourceChannel.BLOG) > reach_of(SourceChannel.FORUM)


def test_followers_engagement_and_verification_raise_reach() -> None:
    plain = reach_of(SourceChannel.SOCIAL, followers=1_000)
    assert reach_of(SourceChannel.SOCIAL, followers=1_000_000) > plain
    assert reach_of(SourceChannel.SOCIAL, followers=1_000, shares=500) > plain
    assert reach_of(SourceChannel.SOCIAL, followers=1_000, verified=True) > plain
    assert 0 <= reach_of(SourceChannel.NEWS, followers=10**12, verified=True, shares=10**9) <= 1


def test_risk_grows_with_negativity_severity_and_reach_and_says_why() -> None:
    safety = [SignalHit("safety_health", 0.95, "keracunan")]
    low, _ = risk_of(0.1, [], 0.2)
    negative, _ = risk_of(0.9, [], 0.2)
    crisis, factors = risk_of(0.9, safety, 0.2)
    viral, _ = risk_of(0.9, safety, 0.9)
    assert low < negative < crisis < viral <= 1
    assert factors[0] == "safety_health 'keracunan' (0.95)"


def test_forwarded_copies_share_a_story_and_other_texts_do_not() -> None:
    original = "PENTING!!! Jangan minum teh botol merk X, sudah ada 3 anak keracunan. Tolong sebarkan ke keluarga"
    texts = [
        original,
        "FW: Fwd: " + original + " -- dari grup alumni",
        "Re: " + original.lower(),
        "Harga teh botol merk X naik lagi bulan ini, lumayan mahal sekarang",
    ]
    index = MemoryBandIndex()
    stories = assign_stories(["t"] * 4, ["a", "b", "c", "d"], [tokens(t) for t in texts], index)
    assert stories[0] == stories[1] == stories[2]
    assert stories[3] != stories[0]
    # A copy arriving later, in another batch, joins the same story
    [later] = assign_stories(["t"], ["e"], [tokens("fwd: " + original)], index)
    assert later == stories[0]


def test_stories_never_cross_tenants() -> None:
    index = MemoryBandIndex()
    text = tokens("Jangan minum teh botol merk X, sudah ada 3 anak keracunan, tolong sebarkan")
    first, second = assign_stories(["brand-a", "brand-b"], ["m", "m"], [text, text], index)
    assert first != second


def test_scoring_is_deterministic() -> None:
    inputs = [ScoringInput("t", str(i), text) for i, text in enumerate(["bagus", "jelek bgt", "kapan buka?"])]
    assert offline_scorer().score_inputs(inputs) == offline_scorer().score_inputs(inputs)


def test_emoji_beyond_sigaps_own_lists_carry_sentiment_and_laughter_stays_neutral() -> None:
    assert tokens("🤗") == ["emojipos"]  # from VADER's emoji lexicon: "hugging face"
    assert tokens("😿") == ["emojineg"]  # "crying cat face"
    assert tokens("😂") == []  # laughter is mockery as often as joy


def test_the_emoji_table_is_what_its_build_script_makes() -> None:
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location("build_emoji_table", ROOT / "infra/scripts/build_emoji_table.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = (ROOT / "shared/sigap/scoring/domain/emoji_sentiment.tsv").read_text(encoding="utf-8")
    assert module.render(module.build()) == shipped


def test_an_indonesian_tag_question_negates_nothing() -> None:
    # Given a question ending in the tag "gak?" ("…, or not?")
    lexicon = shipped_model().lexicon
    sparse, _, cues = extract(tokens("ongkirnya gratis gak?"), lexicon)
    # Then no word is marked negated, the tag is its own feature, and the question counts as asking for information
    assert "w:QUESTION_TAG" in sparse
    assert not [name for name in sparse if "NEG_" in name or name == "w:tidak"]
    assert cues.information_question


def test_praise_before_a_cost_or_failure_is_flagged_as_irony_but_praise_for_a_remedy_is_not() -> None:
    lexicon = shipped_model().lexicon
    irony = DENSE_FEATURES.index("en_ironic_praise")
    # Given praise followed by a fee, and praise for waiving one
    _, ironic, _ = extract(tokens("cheers for the surprise service fee"), lexicon, english=True)
    _, sincere, _ = extract(tokens("thanks for waiving the late fee"), lexicon, english=True)
    # Then only the first carries the learned irony feature
    assert ironic[irony] == 1.0
    assert sincere[irony] == 0.0

"""What the sentiment model sees in a text: slang-folded words with negation scope marked, word pairs, and a
few dense lexicon features (VADER's English lexicon and Sigap's Indonesian one) that carry knowledge the
review-only training data lacks: emoji, intensifiers, "but" clauses, and the sarcastic "thanks for the delay"."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from sigap.scoring.domain.text import CLAUSE_ENDS

NEGATORS = frozenset(
    "tidak bukan belum jangan tanpa kurang no not never nor without neither isn't wasn't aren't weren't don't "
    "doesn't didn't can't cannot won't wouldn't couldn't shouldn't ain't hardly"
    # Javanese and Sundanese negators, kept as written so the language can still be told (Malay "tak" is "tidak")
    " ora mboten teu henteu moal".split()
)
# Words that end a negation's reach, and whose clause outweighs what came before ("bagus, tapi mahal").
CONTRAST = frozenset("tapi tetapi namun padahal sayangnya but however though although yet".split())
INTENSIFIERS: dict[str, float] = {
    "sangat": 1.3,
    "banget": 1.3,
    "sekali": 1.25,
    "amat": 1.25,
    "paling": 1.3,
    "terlalu": 1.25,
    "super": 1.3,
    "very": 1.3,
    "so": 1.2,
    "really": 1.3,
    "extremely": 1.4,
    "totally": 1.3,
    "absolutely": 1.4,
    "too": 1.2,
    "bener": 1.25,
    "benar": 1.2,
    "parah": 1.3,
    "pol": 1.3,
    "abis": 1.2,
    "bgt": 1.3,
    "hella": 1.3,
}
# Inconveniences that turn a thank-you sarcastic ("thanks for the 3 hour delay", "great, another outage").
INCONVENIENCES = frozenset(
    "delay delayed delays outage outages wait waiting hold queue error errors crash crashes crashed lag "
    "cancellation cancelled canceled downtime bug bugs spam telat lemot lambat gangguan antri antrian error "
    "macet nunggu menunggu mati down".split()
)
GRATITUDE = frozenset("thanks thank great wonderful lovely nice awesome makasih terima mantap hebat bagus".split())
REMEDIES = frozenset(
    "fix fixed fixing resolve resolved solve solved sorted helped help diperbaiki beres selesai teratasi "
    "atasi membantu bantu bantuin cepat quick fast quickly waive waived waiving refund refunded".split()
)
# Praise that, followed by a cost or a failure, reads as irony ("cheers for the surprise service fee", "mantap,
# baru sehari udah rusak"). Broader than the fixed sarcasm rule, so its weight is learned, not set.
PRAISE = GRATITUDE | frozenset(
    "cheers perfect brilliant fantastic amazing love loving appreciate appreciated bravo wow keren salut "
    "luar makasih".split()
)
COSTS = frozenset("fee fees surcharge charge charged charges biaya tagihan potong kepotong".split())
# Indonesian tag questions put a negator last: "bisa dipindah gak?" asks "can it, or not?", and negates nothing.
QUESTION_TAGS = frozenset("tidak belum bukan".split())
# After these, a negator does not negate what follows: "can't believe how bad", "can't wait", "tidak sabar".
NEGATION_IDIOMS = frozenset("believe wait stop help sabar".split())
# "never ... again", "gak bakal ... lagi": a customer leaving, whatever words sit in between.
CHURN_START = frozenset("never won't wouldn't ogah kapok".split())
CHURN_END = frozenset("again lagi anymore".split())
CHURN_VALENCE = -2.5
# Information-seeking questions ("kapan promonya?", "what time does it open?") are neutral in customer care;
# "why/kenapa" questions are usually complaints and are left out.
QUESTION_WORDS = frozenset(
    "what when where how which who is are does do can could will would may apakah kapan dimana di mana gimana "
    "bagaimana berapa bisa ada cara siapa mau nanya tanya info".split()
)
# Politeness in a request ("can someone help, please?", "mohon bantuannya") carries lexicon valence but no
# sentiment, so it does not stop a question from counting as an information question.
POLITENESS = frozenset(
    "help please pls kindly sure thanks thank mohon tolong bantu bantuannya makasih terima kasih".split()
)
NEGATION_REACH = 3
NEGATION_SCALE = -0.74  # VADER's: a negated word keeps most of its strength, with the other sign
CONTRAST_BEFORE, CONTRAST_AFTER = 0.5, 1.5
# Features whose weights are learned. Emoji and sarcasm are absent from the review-based training data, so they
# act through lexicon valence (emoji are lexicon entries; sarcasm flips the valences) instead of learned weights.
# "?" is not learned either: in SmSA it marks rhetorical outrage, in customer care mostly a plain question.
# English texts get their own copy of each lexicon feature, so the English weights are not learned from the
# Indonesian rows (VADER's scale and coverage differ from Sigap's Indonesian lexicon).
BASE_FEATURES = (
    "lex_positive",
    "lex_negative",
    "lex_compound",
    "positive_hits",
    "negative_hits",
    "exclamations",
    "negated_positive",
    "negated_negative",
    "ironic_praise",
)
DENSE_FEATURES = BASE_FEATURES + tuple(f"en_{name}" for name in BASE_FEATURES)
_SUFFIXES = ("ing", "ed", "es", "s", "nya", "lah", "kah")


class Lexicon(dict[str, float]):
    """A lexicon that remembers, for words it lacks, the valence found through their stem (or none)."""

    def __missing__(self, word: str) -> float:
        value = _valence_by_stem(word, self)
        self[word] = value
        return value


def valence_of(word: str, lexicon: Mapping[str, float]) -> float:
    """The word's lexicon valence, trying it without a common English or Indonesian suffix when absent."""
    if isinstance(lexicon, Lexicon):
        return lexicon[word]
    value = lexicon.get(word)
    if value is not None:
        return value
    return _valence_by_stem(word, lexicon)


def _valence_by_stem(word: str, lexicon: Mapping[str, float]) -> float:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            # Falsy means absent: a Lexicon caches the words it lacks as 0.0.
            value = lexicon.get(stem) or (lexicon.get(stem + "e") if suffix in ("ing", "ed") else None)
            if value:
                return value  # "crashing" → "crash", "hated" → "hate", "kecewanya" → "kecewa"
    return 0.0


def sarcastic(words: Sequence[str]) -> bool:
    for index, word in enumerate(words):
        if word not in GRATITUDE:
            continue
        window = words[index + 1 : index + 8]
        if any(w in INCONVENIENCES for w in window) and not any(w in REMEDIES for w in window):
            return True
    return False


def ironic_praise(words: Sequence[str], valences: Sequence[float]) -> bool:
    """Praise followed within a few words by a cost, an inconvenience or a clearly negative word, no remedy."""
    for index, word in enumerate(words):
        if word not in PRAISE:
            continue
        window = words[index + 1 : index + 9]
        if any(w in REMEDIES for w in window):
            continue
        if any(w in INCONVENIENCES or w in COSTS for w in window):
            return True
    return bool(valences) and words[0] in PRAISE and min(valences) <= -1.5


def churn(words: Sequence[str]) -> bool:
    for index, word in enumerate(words):
        if (
            word in CHURN_START
            or (word == "tidak" and index + 1 < len(words) and words[index + 1] in ("akan", "bakal"))
        ) and any(w in CHURN_END for w in words[index + 1 : index + 8]):
            return True
    return False


def information_question(words: Sequence[str], valences: Sequence[float], polite: int) -> bool:
    """A question that asks for something rather than complains: no sentiment-bearing word but politeness."""
    asks = "?" in words or (bool(words) and words[0] in QUESTION_WORDS)
    return asks and sum(abs(v) >= 1.0 for v in valences) <= polite


class Cues(NamedTuple):
    """What fixed rules (not learned weights) act on; see sigap.scoring.domain.sentiment.RULES."""

    sarcasm: bool
    information_question: bool


def extract(
    words: Sequence[str], lexicon: Mapping[str, float], english: bool = False
) -> tuple[list[str], list[float], Cues]:
    """Sparse feature names, the dense features (in DENSE_FEATURES order) and the rule cues of tokenised text."""
    sparse: list[str] = []
    valences: list[float] = []
    lookup = lexicon.__getitem__ if isinstance(lexicon, Lexicon) else (lambda word: valence_of(word, lexicon))
    negated_positive = negated_negative = positive_hits = negative_hits = 0
    negation_left = 0
    polite = 0
    contrast_at = -1
    previous = ""
    for index, word in enumerate(words):
        if word in CLAUSE_ENDS:
            negation_left = 0
            if word == "!":
                sparse.append("w:!")
            previous = ""
            continue
        if word in CONTRAST:
            negation_left = 0
            contrast_at = len(valences)
        if word in QUESTION_TAGS and index + 1 < len(words) and words[index + 1] == "?":
            sparse.append("w:QUESTION_TAG")
            previous = ""
            continue
        negated = negation_left > 0
        sparse.append(("w:NEG_" if negated else "w:") + word)
        if previous:
            sparse.append("b:" + previous + "_" + word)
        previous = word
        if word in NEGATORS:
            negation_left = NEGATION_REACH
            continue
        if negation_left:
            negation_left = 0 if word in NEGATION_IDIOMS else negation_left - 1
            if word in NEGATION_IDIOMS:
                continue
        valence = lookup(word)
        if not valence:
            continue
        if index and words[index - 1] in INTENSIFIERS:
            valence *= INTENSIFIERS[words[index - 1]]
        if negated:
            if valence > 0:
                negated_positive += 1
            else:
                negated_negative += 1
            valence *= NEGATION_SCALE
        if valence > 0:
            positive_hits += 1
        else:
            negative_hits += 1
        valences.append(valence)
        if word in POLITENESS and abs(valence) >= 1.0:
            polite += 1
    if contrast_at >= 0:
        valences = [v * CONTRAST_BEFORE for v in valences[:contrast_at]] + [
            v * CONTRAST_AFTER for v in valences[contrast_at:]
        ]
    sarcasm = sarcastic(words)
    if sarcasm:
        valences = [-abs(v) for v in valences]
    if churn(words):
        valences.append(CHURN_VALENCE)
        negative_hits += 1
    total = sum(valences)
    dense = [
        sum(v for v in valences if v > 0) / 4,
        -sum(v for v in valences if v < 0) / 4,
        total / math.sqrt(total * total + 15) if valences else 0.0,
        math.log1p(positive_hits),
        math.log1p(negative_hits),
        min(words.count("!"), 3) / 3,
        math.log1p(negated_positive),
        math.log1p(negated_negative),
        float(not sarcasm and ironic_praise(words, valences)),
    ]
    zeros = [0.0] * len(dense)
    dense = zeros + dense if english else dense + zeros
    return sparse, dense, Cues(sarcasm, information_question(words, valences, polite))

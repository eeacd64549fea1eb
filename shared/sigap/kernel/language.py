"""Offline language identification for short posts: Indonesian, English, Malay, Javanese, Sundanese or other.

Function words decide: every sentence, however informal, is full of them ("yang", "tidak", "the", "is"), and
slang has already been folded to standard forms by `sigap.scoring.domain.text`. Malay, Javanese and Sundanese share
most of their function words with Indonesian (or borrow them in mixed posts), so each is named only by words it
does not share: a Malay post says "awak", "nak" and "kat", a Javanese one "ora", "iki" and "wis", a Sundanese
one "teu", "abdi" and "pisan". Two such words, or one where it outnumbers the Indonesian ones, make the call;
a single one in an Indonesian sentence ("mah", "wae") leaves it Indonesian, which it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum


class Language(StrEnum):
    """The languages Sigap writes in (messages, statements, pages)."""

    INDONESIAN = "id"
    ENGLISH = "en"


INDONESIAN = frozenset(
    """yang dan di ke dari ini itu tidak dengan untuk ada saya kamu kami kita mereka dia akan sudah belum
    bisa juga karena tapi atau jadi kalau sangat banget sekali lagi saja pada oleh dalam adalah bukan jangan
    apa siapa kenapa bagaimana mana sini situ sama aja deh dong sih kok nih tuh lah pun yg sdh mau harus
    banyak sedikit semua setiap masih baru lama kayak seperti gitu begitu terus mohon tolong terima kasih
    kenapa enak buruk bagus mantap kecewa beli pesan produk harga pelayanan tempat makanan minuman orang
    hari ini kemarin besok nya punya buat bikin lebih paling
    telat mulu kapok pesen pesanan nunggu dateng sampe sampai dapet kirim kurir lambat cepat rusak murah mahal
    jelek aneh pahit manis parah nyasar rumit kasih bilang gimana kapan udah belanja ongkir toko""".split()
)
# An Indonesian suffix on any word, a brand's or a borrowed one: "kurirnya", "pelayanannya", "ordernya". In a short
# code-mixed post it is the Indonesian evidence that a brand name's English words ("My Brand", "The Body Shop")
# would otherwise outvote.
_SUFFIXED = re.compile(r"^[a-z]{2,}nya$")
ENGLISH = frozenset(
    """the a an is are was were be been being to of and in on at for with this that these those it its i you
    he she we they my your our their not no never but or so if then than very really just also too what
    who why how when where which there here do does did don't doesn't didn't can can't will won't would
    should could have has had am i'm it's is that's get got from about after before again all any because
    by more most only over same some such thanks thank please still up out off one time like love hate
    good bad great worst best service customer product""".split()
)
# Words of Malaysian and Bruneian Malay that Indonesian does not use (or uses for something else).
MALAY = frozenset(
    """awak nak je kat teruk seronok kedai jom lebuhraya baharu sikit tengok faham beritahu memandu pelitup
    majlis kenduri mahu sahaja kejap sekejap kerana pejabat ofis basikal lori polis tandas bilik ialah iaitu
    khabar encik puan cikgu pakcik makcik korang diorang camne ape sbb tgk blh bleh nk mcm wang
    menyampah jalanraya kerajaan macamana takde khabar risau amaran kesihatan kes berucap semula
    selepas percutian servis rosak kemalangan lawak jumaat solat ni la jumpa esok kawan betul""".split()
)
JAVANESE = frozenset(
    """ora iki kuwi kae opo karo wis uwis durung sing ning neng lan kanthi yen nek mboten sampun kula
    panjenengan tenan apik elek njaluk mangan turu omah sego piye kepiye ngopo wong iso biso
    arep lho wae ae luwih akeh sithik pancen bocah dhewe dewe awakmu kowe sampeyan njenengan matur
    nuwun sugeng pinten menika niki punika kados saged badhe ingkang kaliyan ugi langkung sanget sae awon
    ndelok weruh krungu rasane iku regane panganan ngombe tuku adol nganggo rek jancuk ayo""".split()
)
SUNDANESE = frozenset(
    """abdi teu henteu pisan nu jeung ieu eta geus acan mah oge kana sok naon kumaha alus
     kacida tiasa bade hoyong sareng kanggo pikeun nyaeta janten kedah tos parantos atuh euy
    mun lamun kieu kitu bae sakedik seueur loba saeutik meuli dahar nginum imah dieu ditu didieu kamari
    ayeuna engke isuk wengi kuring maneh anjeun sadayana hatur nuhun  wilujeng""".split()
)
# Only these are told apart from Indonesian; "ayo" and "mah" alone are too common in Indonesian to count.
_REGIONAL = (("ms", MALAY), ("jv", JAVANESE), ("su", SUNDANESE))
_WEAK = frozenset(
    """ayo mah wae ae dewe lho sok nu loba kitu iku neng nek sing lan wong iso yen bocah eta abdi
    servis solat ni la jumpa esok kawan betul""".split()
)
# What `identify` can answer besides "other".
LANGUAGES = frozenset({"id", "en", "ms", "jv", "su"})
# Languages spoken inside Indonesia: a surge in them is not a sign that talk crossed a border.
INDONESIAN_REGIONAL = frozenset({"jv", "su"})


def _votes() -> dict[str, tuple[float, float, float, float, float]]:
    """Each known word's votes for (Indonesian, English, Malay, Javanese, Sundanese): one lookup per token."""
    votes: dict[str, tuple[float, float, float, float, float]] = {}
    for word in INDONESIAN | ENGLISH | MALAY | JAVANESE | SUNDANESE:
        weight = 0.5 if word in _WEAK else 1.0
        votes[word] = (
            float(word in INDONESIAN),
            float(word in ENGLISH and word not in INDONESIAN),
            weight * (word in MALAY),
            weight * (word in JAVANESE),
            weight * (word in SUNDANESE),
        )
    return votes


_VOTES = _votes()
_CODES = ("ms", "jv", "su")


def identify(tokens: Sequence[str]) -> str:
    """'id', 'en', 'ms', 'jv', 'su' or 'other' for a tokenised text (see sigap.scoring.domain.text.tokens)."""
    indonesian = english = malay = javanese = sundanese = 0.0
    votes = _VOTES
    for token in tokens:
        vote = votes.get(token)
        if vote is not None:
            indonesian += vote[0]
            english += vote[1]
            malay += vote[2]
            javanese += vote[3]
            sundanese += vote[4]
        elif _SUFFIXED.match(token):
            indonesian += 1
    if malay or javanese or sundanese:
        regional = (malay, javanese, sundanese)
        hits = max(regional)
        if (hits >= 2 and hits * 2 >= english) or (hits >= 1 and hits >= indonesian and hits > english):
            return _CODES[regional.index(hits)]
    if indonesian == english == 0:
        return "other"
    return "id" if indonesian >= english else "en"


def is_indonesian_side(language: str) -> bool:
    """Whether a text is scored with the Indonesian features (everything but English)."""
    return language != "en"


_WORD = re.compile(r"[a-z']+")


def writing_language(text: str) -> Language:
    """The language to answer a text in: English when it reads as English, else Indonesian (Malay, Javanese and
    Sundanese readers read Indonesian; a text with no known word gets Indonesian, the product's first language)."""
    return Language.ENGLISH if identify(_WORD.findall(text.lower())) == "en" else Language.INDONESIAN

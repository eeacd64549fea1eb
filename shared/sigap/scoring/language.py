"""Offline language identification for short posts: Indonesian, English or other.

Function words decide: every Indonesian or English sentence, however informal, is full of them ("yang",
"tidak", "the", "is"), and slang has already been folded to standard forms by `sigap.scoring.text`.
"""

from __future__ import annotations

from collections.abc import Sequence

INDONESIAN = frozenset(
    """yang dan di ke dari ini itu tidak dengan untuk ada saya kamu kami kita mereka dia akan sudah belum
    bisa juga karena tapi atau jadi kalau sangat banget sekali lagi saja pada oleh dalam adalah bukan jangan
    apa siapa kenapa bagaimana mana sini situ sama aja deh dong sih kok nih tuh lah pun yg sdh mau harus
    banyak sedikit semua setiap masih baru lama kayak seperti gitu begitu terus mohon tolong terima kasih
    kenapa enak buruk bagus mantap kecewa beli pesan produk harga pelayanan tempat makanan minuman orang
    hari ini kemarin besok nya punya buat bikin lebih paling""".split()
)
ENGLISH = frozenset(
    """the a an is are was were be been being to of and in on at for with this that these those it its i you
    he she we they my your our their not no never but or so if then than very really just also too what
    who why how when where which there here do does did don't doesn't didn't can can't will won't would
    should could have has had am i'm it's is that's get got from about after before again all any because
    by more most only over same some such thanks thank please still up out off one time like love hate
    good bad great worst best service customer product""".split()
)


def identify(tokens: Sequence[str]) -> str:
    """'id', 'en' or 'other' for a tokenised text (see sigap.scoring.text.tokens)."""
    indonesian = english = 0
    for token in tokens:
        if token in INDONESIAN:
            indonesian += 1
        elif token in ENGLISH:
            english += 1
    if indonesian == english == 0:
        return "other"
    return "id" if indonesian >= english else "en"

"""Text normalisation shared by every scorer: lower-casing, informal spelling and slang folded to standard
forms, emoji mapped to sentiment tokens, elongations squeezed ("bagusss" → "baguss"), and tokenisation."""

from __future__ import annotations

import re
import unicodedata
from importlib import resources

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"(?<!\w)@\w+")
_HASHTAG = re.compile(r"#(\w+)")
_ELONGATED = re.compile(r"(\w)\1{2,}")
_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[!?]|[.,;:]+")
# Laughter in all its spellings ("wkwkwk", "wkwkwkw", "hahahah", "hehehe", "awokawok", "xixixi", "lolol") is one
# token, so the model learns one weight for it from conversation instead of many from the odd review.
_LAUGHTER = re.compile(r"^(?:w(?:kw)+k?w?|(?:kw){2,}k?|(?:ha|he|hi){2,}h?|(?:a?wok)+|(?:xi){2,}|lo(?:lo)*l|lmf?ao)$")
_LAUGHTER_STARTS = frozenset("wkhaxl")  # the regex only for tokens that could be laughter: most cannot
_REDUPLICATION = re.compile(r"\b([a-z]+)2\b")
# Leetspeak of "alay" writing, only inside words that also hold letters ("b4ik", "s3nang").
_ALAY = str.maketrans({"4": "a", "3": "e", "1": "i", "0": "o", "5": "s", "7": "t"})
_ALAY_WORD = re.compile(r"\b(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]+\b")

POSITIVE_EMOJI = frozenset("😀😃😄😁😆😊🙂😍🥰😘👍👏🙏💯❤💕💖✨🎉🤩😎👌🥳😇💪🔥")
NEGATIVE_EMOJI = frozenset("😠😡🤬😤😞😔😢😭😩😫😒🙄👎💔🤮🤢😷☠😱😨😰🥵🤦😑😐")

# Informal Indonesian and English spellings folded to one standard token each.
SLANG: dict[str, str] = {
    # negation
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "engga": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "ndak": "tidak",
    "kagak": "tidak",
    "kaga": "tidak",
    "g": "tidak",
    "nda": "tidak",
    "gaada": "tidak ada",
    "gada": "tidak ada",
    "blm": "belum",
    "blom": "belum",
    "bkn": "bukan",
    "jgn": "jangan",
    "jangn": "jangan",
    # intensifiers and fillers
    "bgt": "banget",
    "bngt": "banget",
    "bgtt": "banget",
    "sngt": "sangat",
    "sgt": "sangat",
    "bener": "benar",
    "bnr": "benar",
    "emg": "memang",
    "emang": "memang",
    "udh": "sudah",
    "udah": "sudah",
    "sdh": "sudah",
    "dah": "sudah",
    "aja": "saja",
    "aj": "saja",
    "jd": "jadi",
    "jdi": "jadi",
    "krn": "karena",
    "karna": "karena",
    "dgn": "dengan",
    "dg": "dengan",
    "yg": "yang",
    "utk": "untuk",
    "tp": "tapi",
    "tpi": "tapi",
    "trs": "terus",
    "trus": "terus",
    "klo": "kalau",
    "kalo": "kalau",
    "sy": "saya",
    "gw": "saya",
    "gue": "saya",
    "aku": "saya",
    "lu": "kamu",
    "lo": "kamu",
    "elo": "kamu",
    "km": "kamu",
    "bs": "bisa",
    "bsa": "bisa",
    "org": "orang",
    "orng": "orang",
    "sm": "sama",
    "pd": "pada",
    "dr": "dari",
    "dri": "dari",
    "lg": "lagi",
    "lgi": "lagi",
    "sj": "saja",
    "bbrp": "beberapa",
    "hrs": "harus",
    "kyk": "kayak",
    "kek": "kayak",
    "gmn": "bagaimana",
    "gimana": "bagaimana",
    "knp": "kenapa",
    "napa": "kenapa",
    "mksh": "terima kasih",
    "makasih": "terima kasih",
    "makasi": "terima kasih",
    "trims": "terima kasih",
    "thx": "thanks",
    "tq": "thanks",
    "ty": "thanks",
    "pls": "please",
    "plz": "please",
    "u": "you",
    "ur": "your",
    "r": "are",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "cant": "can't",
    "wont": "won't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "aint": "ain't",
    "im": "i'm",
    "ive": "i've",
    "idk": "i don't know",
    "smh": "disappointed",
    "wtf": "angry",
    "omg": "wow",
    "lol": "haha",
    "lmao": "haha",
    "wkwk": "haha",
    "wkwkwk": "haha",
    "awokawok": "haha",
    "hehe": "haha",
    "gapapa": "oke",
    "gpp": "oke",
    "nggapapa": "oke",
    "anjir": "anjing",
    "anjrit": "anjing",
    "anjay": "wow",
    "bgst": "bangsat",
    "bngst": "bangsat",
    "tolol": "bodoh",
    "goblok": "bodoh",
    "gblk": "bodoh",
    "ancur": "hancur",
    "jelek": "buruk",
    "jlk": "buruk",
    "mantul": "mantap",
    "mantep": "mantap",
    "mantab": "mantap",
    "bagusss": "bagus",
    "ok": "oke",
    "okay": "oke",
    "okey": "oke",
    "sip": "bagus",
    "recomended": "recommended",
    "rekomen": "rekomendasi",
    "recommend": "recommend",
    "ngecewain": "kecewa",
    "kecewain": "kecewa",
    "nyesel": "menyesal",
    "nyesal": "menyesal",
    "lemot": "lambat",
    "lelet": "lambat",
    "ribet": "rumit",
    "nipu": "menipu",
    "ditipu": "tertipu",
    "boong": "bohong",
    "bokis": "bohong",
    "hoax": "hoaks",
    "hoks": "hoaks",
    "keracun": "keracunan",
    "dongo": "bodoh",
    "parah": "parah",
    "cs": "customer service",
    "gercep": "cepat",
    "cpt": "cepat",
    "mahal": "mahal",
    "mhl": "mahal",
    "murmer": "murah",
    "mrh": "murah",
}


_TOKEN_OF = {"positive": " emojipos ", "negative": " emojineg "}


def _emoji_table() -> dict[int, str]:
    """VADER-derived emoji polarities (see infra/scripts/build_emoji_table.py), with Sigap's own lists on top."""
    table: dict[int, str] = {}
    derived = resources.files("sigap.scoring.domain").joinpath("emoji_sentiment.tsv").read_text(encoding="utf-8")
    for line in derived.splitlines():
        emoji, _, polarity = line.partition("\t")
        if emoji and polarity in _TOKEN_OF:
            table[ord(emoji)] = _TOKEN_OF[polarity]
    table |= {ord(char): " emojipos " for char in POSITIVE_EMOJI}
    table |= {ord(char): " emojineg " for char in NEGATIVE_EMOJI}
    return table


_EMOJI_TABLE = _emoji_table()
# Classic emoticons (checked on the text as written, before lower-casing turns ":D" into ":d").
_EMOTICONS = re.compile(r"(?<!\w)(?::-?\)|:-?D|;-?\)|:-?P|<3|xD|XD)(?!\w)|(?<!\w)(?::-?\(|:'\(|D:|-_-)(?!\w)")


def _fold_emoji(text: str) -> str:
    if any(mark in text for mark in (":", ";", "<3", "-_-", "xD", "XD")):
        text = _EMOTICONS.sub(
            lambda m: " emojineg " if "(" in m.group(0) or m.group(0) in ("D:", "-_-") else " emojipos ", text
        )
    return text if text.isascii() else text.translate(_EMOJI_TABLE)


def normalise(text: str) -> str:
    """Lower-cased, de-accented text with URLs, @handles and emoji replaced by placeholder tokens."""
    # Each substitution runs only when its trigger is present: most posts need two or three of them.
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _fold_emoji(text)
    if "http" in text or "www." in text:
        text = _URL.sub(" urltoken ", text)
    if "@" in text:
        text = _MENTION.sub(" usertoken ", text)
    if "#" in text:
        text = _HASHTAG.sub(r" \1 ", text)
    text = text.lower().replace("’", "'").replace("`", "'")
    if _DIGIT.search(text):
        text = _REDUPLICATION.sub(r"\1-\1", text)  # "hati2" → "hati-hati"
        text = _ALAY_WORD.sub(lambda match: match.group(0).translate(_ALAY), text)
    return _ELONGATED.sub(r"\1\1", text)


# Idioms whose words mislead: "bukan main" (no game) means "extremely", "tidak kalah" (not losing) "as good".
IDIOMS: dict[tuple[str, str], str] = {
    ("bukan", "main"): "sangat",
    ("tidak", "kalah"): "setara",
    ("no", "problem"): "oke",
    ("no", "worries"): "oke",
    ("not", "bad"): "lumayan",
    # Advice and reassurance, not complaints: "jangan lupa bawa payung", "tidak apa-apa".
    ("jangan", "lupa"): "ingat",
    ("don't", "forget"): "remember",
    ("tidak", "apa-apa"): "oke",
    ("tidak", "papa"): "oke",
    ("tidak", "masalah"): "oke",
}
BREAK = "."
# Tokens that end a clause: negation and other scopes stop here.
CLAUSE_ENDS = frozenset({BREAK, "!", "?"})


def tokens(text: str) -> list[str]:
    """Normalised tokens with slang folded and idioms replaced; ',.;:' runs become one "." break token."""
    words: list[str] = []
    for token in _TOKEN.findall(normalise(text)):
        if token[0] in ".,;:":
            if words and words[-1] != BREAK:
                words.append(BREAK)
            continue
        replacement = SLANG.get(token)
        if replacement is None and token[0] in _LAUGHTER_STARTS and _LAUGHTER.match(token):
            replacement = "haha"
        if replacement is None:
            words.append(token)
        else:
            words.extend(replacement.split())
    folded: list[str] = []
    for word in words:
        if folded and (folded[-1], word) in IDIOMS:
            folded[-1] = IDIOMS[(folded[-1], word)]
        else:
            folded.append(word)
    return folded

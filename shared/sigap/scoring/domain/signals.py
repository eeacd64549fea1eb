"""Crisis signals: phrases in Indonesian and English that tell a crisis team what kind of fire this is.

Each pattern is a sequence of normalised tokens (see sigap.scoring.domain.text) with a category and a severity in
0..1. A pattern preceded within three tokens by a negator ("tidak beracun", "not poisoned", "bukan penipuan")
does not fire: the text denies the claim rather than making it. Hoax talk is the exception: "bukan hoaks"
still means a hoax is being discussed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sigap.scoring.domain.features import NEGATION_REACH, NEGATORS
from sigap.scoring.domain.text import CLAUSE_ENDS

SAFETY = "safety_health"
LEGAL = "legal"
FRAUD = "fraud"
SERVICE = "service_failure"
PRIVACY = "data_privacy"
BOYCOTT = "boycott"
HOAX = "hoax_misinformation"
DISCRIMINATION = "discrimination"
MISCONDUCT = "executive_misconduct"

CATEGORIES = (SAFETY, LEGAL, FRAUD, SERVICE, PRIVACY, BOYCOTT, HOAX, DISCRIMINATION, MISCONDUCT)

_PATTERNS: dict[str, tuple[float, str]] = {
    # safety and health
    "beracun": (0.9, SAFETY),
    "keracunan": (0.95, SAFETY),
    "racun": (0.85, SAFETY),
    "diracun": (0.9, SAFETY),
    "poison": (0.85, SAFETY),
    "poisoned": (0.95, SAFETY),
    "poisonous": (0.9, SAFETY),
    "poisoning": (0.95, SAFETY),
    "toxic": (0.7, SAFETY),
    "contaminated": (0.85, SAFETY),
    "tercemar": (0.8, SAFETY),
    "terkontaminasi": (0.85, SAFETY),
    "kedaluwarsa": (0.6, SAFETY),
    "kadaluarsa": (0.6, SAFETY),
    "expired": (0.5, SAFETY),
    "belatung": (0.8, SAFETY),
    "maggot": (0.8, SAFETY),
    "maggots": (0.8, SAFETY),
    "formalin": (0.85, SAFETY),
    "boraks": (0.85, SAFETY),
    "mual": (0.5, SAFETY),
    "muntah": (0.6, SAFETY),
    "diare": (0.6, SAFETY),
    "sakit perut": (0.6, SAFETY),
    "masuk rs": (0.8, SAFETY),
    "masuk rumah sakit": (0.8, SAFETY),
    "dirawat": (0.6, SAFETY),
    "hospitalised": (0.85, SAFETY),
    "hospitalized": (0.85, SAFETY),
    "food poisoning": (0.95, SAFETY),
    "meninggal": (1.0, SAFETY),
    "tewas": (1.0, SAFETY),
    "died": (1.0, SAFETY),
    "death": (0.9, SAFETY),
    "berbahaya": (0.7, SAFETY),
    "dangerous": (0.7, SAFETY),
    "unsafe": (0.75, SAFETY),
    "allergic reaction": (0.8, SAFETY),
    "recall": (0.7, SAFETY),
    "ditarik dari peredaran": (0.8, SAFETY),
    "penarikan produk": (0.75, SAFETY),
    "made my kid sick": (0.8, SAFETY),
    "bahan kimia": (0.6, SAFETY),
    "kebakaran": (0.8, SAFETY),
    "meledak": (0.85, SAFETY),
    "exploded": (0.85, SAFETY),
    "caught fire": (0.85, SAFETY),
    # legal and defamation
    "somasi": (0.85, LEGAL),
    "lapor polisi": (0.85, LEGAL),
    "ke polisi": (0.8, LEGAL),
    "melaporkan": (0.6, LEGAL),
    "dilaporkan": (0.6, LEGAL),
    "uu ite": (0.9, LEGAL),
    "pencemaran nama baik": (0.9, LEGAL),
    "gugat": (0.8, LEGAL),
    "gugatan": (0.8, LEGAL),
    "menggugat": (0.8, LEGAL),
    "digugat": (0.8, LEGAL),
    "tuntut": (0.7, LEGAL),
    "menuntut": (0.7, LEGAL),
    "tuntutan": (0.7, LEGAL),
    "pengacara": (0.7, LEGAL),
    "kuasa hukum": (0.75, LEGAL),
    "jalur hukum": (0.8, LEGAL),
    "pengadilan": (0.75, LEGAL),
    "lawsuit": (0.85, LEGAL),
    "sue": (0.8, LEGAL),
    "suing": (0.85, LEGAL),
    "sued": (0.85, LEGAL),
    "lawyer": (0.7, LEGAL),
    "legal action": (0.85, LEGAL),
    "class action": (0.9, LEGAL),
    "court": (0.6, LEGAL),
    "defamation": (0.85, LEGAL),
    "ylki": (0.7, LEGAL),
    "bpsk": (0.7, LEGAL),
    "ombudsman": (0.7, LEGAL),
    "consumer protection": (0.7, LEGAL),
    "reporting this to": (0.6, LEGAL),
    # fraud
    "penipuan": (0.85, FRAUD),
    "penipu": (0.85, FRAUD),
    "menipu": (0.8, FRAUD),
    "tertipu": (0.85, FRAUD),
    "ditipu": (0.85, FRAUD),
    "kena tipu": (0.85, FRAUD),
    "scam": (0.85, FRAUD),
    "scammer": (0.85, FRAUD),
    "scammed": (0.9, FRAUD),
    "fraud": (0.9, FRAUD),
    "phishing": (0.8, FRAUD),
    "investasi bodong": (0.9, FRAUD),
    "saldo hilang": (0.8, FRAUD),
    "uang hilang": (0.8, FRAUD),
    "dana hilang": (0.8, FRAUD),
    "charged twice": (0.7, FRAUD),
    "double charge": (0.7, FRAUD),
    "unauthorized": (0.7, FRAUD),
    "unauthorised": (0.7, FRAUD),
    "barang palsu": (0.7, FRAUD),
    "counterfeit": (0.75, FRAUD),
    "kode otp": (0.5, FRAUD),
    "mengatasnamakan": (0.6, FRAUD),
    # service failure
    "gangguan": (0.5, SERVICE),
    "down": (0.45, SERVICE),
    "error": (0.45, SERVICE),
    "outage": (0.55, SERVICE),
    "tidak bisa login": (0.5, SERVICE),
    "gagal transfer": (0.55, SERVICE),
    "transfer gagal": (0.55, SERVICE),
    "gagal bayar": (0.5, SERVICE),
    "payment failed": (0.55, SERVICE),
    "delay": (0.4, SERVICE),
    "delayed": (0.4, SERVICE),
    "cancelled": (0.4, SERVICE),
    "dibatalkan": (0.4, SERVICE),
    "tidak dibalas": (0.45, SERVICE),
    "no response": (0.45, SERVICE),
    "not working": (0.5, SERVICE),
    "tidak berfungsi": (0.5, SERVICE),
    "crash": (0.5, SERVICE),
    "crashing": (0.5, SERVICE),
    "belum sampai": (0.4, SERVICE),
    "belum datang": (0.4, SERVICE),
    "never arrived": (0.45, SERVICE),
    "still waiting": (0.4, SERVICE),
    "lost my luggage": (0.5, SERVICE),
    "on hold": (0.35, SERVICE),
    "lemot": (0.35, SERVICE),
    "sinyal hilang": (0.45, SERVICE),
    "mati lampu": (0.45, SERVICE),
    # data breach and privacy
    "data bocor": (0.9, PRIVACY),
    "kebocoran data": (0.95, PRIVACY),
    "bocor": (0.6, PRIVACY),
    "data breach": (0.95, PRIVACY),
    "breach": (0.8, PRIVACY),
    "leaked": (0.8, PRIVACY),
    "leak": (0.6, PRIVACY),
    "hacked": (0.85, PRIVACY),
    "diretas": (0.85, PRIVACY),
    "peretasan": (0.85, PRIVACY),
    "data pribadi": (0.7, PRIVACY),
    "privacy": (0.6, PRIVACY),
    "privasi": (0.6, PRIVACY),
    "dijual datanya": (0.9, PRIVACY),
    "personal data": (0.7, PRIVACY),
    # boycott
    "boikot": (0.8, BOYCOTT),
    "boycott": (0.8, BOYCOTT),
    "uninstall": (0.5, BOYCOTT),
    "jangan beli": (0.6, BOYCOTT),
    "stop buying": (0.65, BOYCOTT),
    "never buying": (0.6, BOYCOTT),
    "tidak akan beli": (0.55, BOYCOTT),
    "gak bakal beli": (0.55, BOYCOTT),
    "tidak bakal beli": (0.55, BOYCOTT),
    "kapok": (0.45, BOYCOTT),
    "pindah provider": (0.4, BOYCOTT),
    "avoid it": (0.55, BOYCOTT),
    "stay away": (0.6, BOYCOTT),
    # hoax and misinformation
    "hoaks": (0.75, HOAX),
    "hoax": (0.75, HOAX),
    "berita palsu": (0.75, HOAX),
    "fake news": (0.75, HOAX),
    "disinformasi": (0.75, HOAX),
    "misinformasi": (0.7, HOAX),
    "misinformation": (0.7, HOAX),
    "disinformation": (0.75, HOAX),
    "pesan berantai": (0.7, HOAX),
    "chain message": (0.7, HOAX),
    "sebarkan": (0.45, HOAX),
    "viral": (0.4, HOAX),
    "rumour": (0.55, HOAX),
    "rumor": (0.55, HOAX),
    "isu": (0.35, HOAX),
    "klarifikasi": (0.45, HOAX),
    # discrimination
    "rasis": (0.85, DISCRIMINATION),
    "rasisme": (0.85, DISCRIMINATION),
    "racist": (0.85, DISCRIMINATION),
    "racism": (0.85, DISCRIMINATION),
    "diskriminasi": (0.85, DISCRIMINATION),
    "discrimination": (0.85, DISCRIMINATION),
    "diskriminatif": (0.85, DISCRIMINATION),
    "sexist": (0.8, DISCRIMINATION),
    "seksis": (0.8, DISCRIMINATION),
    "pelecehan": (0.85, DISCRIMINATION),
    "harassment": (0.85, DISCRIMINATION),
    "body shaming": (0.7, DISCRIMINATION),
    "sara": (0.7, DISCRIMINATION),
    "homophobic": (0.8, DISCRIMINATION),
    "intoleran": (0.75, DISCRIMINATION),
    # executive misconduct
    "korupsi": (0.9, MISCONDUCT),
    "suap": (0.85, MISCONDUCT),
    "penyuapan": (0.85, MISCONDUCT),
    "bribery": (0.85, MISCONDUCT),
    "bribe": (0.8, MISCONDUCT),
    "corruption": (0.9, MISCONDUCT),
    "embezzlement": (0.9, MISCONDUCT),
    "penggelapan": (0.85, MISCONDUCT),
    "skandal": (0.75, MISCONDUCT),
    "scandal": (0.75, MISCONDUCT),
    "kpk": (0.8, MISCONDUCT),
    "tersangka": (0.7, MISCONDUCT),
    "insider trading": (0.85, MISCONDUCT),
    "ceo should resign": (0.8, MISCONDUCT),
    "mundur dari jabatan": (0.6, MISCONDUCT),
    "direktur ditangkap": (0.9, MISCONDUCT),
    "ceo arrested": (0.9, MISCONDUCT),
    "selingkuh": (0.5, MISCONDUCT),
}
# Categories whose claim stands even when negated: denying a hoax still means a hoax is going round.
NEGATION_IMMUNE = frozenset({HOAX})


class SignalHit(NamedTuple):
    """A crisis signal found in a text (stored as sigap.kernel.models.Signal)."""

    category: str
    severity: float
    evidence: str


@dataclass(frozen=True)
class _Pattern:
    words: tuple[str, ...]
    severity: float
    category: str


def _index() -> dict[str, list[_Pattern]]:
    by_first: dict[str, list[_Pattern]] = {}
    for phrase, (severity, category) in _PATTERNS.items():
        words = tuple(phrase.split())
        by_first.setdefault(words[0], []).append(_Pattern(words, severity, category))
    for patterns in by_first.values():
        patterns.sort(key=lambda pattern: -len(pattern.words))  # longest phrase first
    return by_first


_BY_FIRST_WORD = _index()


def _negated(words: Sequence[str], start: int) -> bool:
    for word in reversed(words[max(0, start - NEGATION_REACH) : start]):
        if word in CLAUSE_ENDS:
            return False
        if word in NEGATORS:
            return True
    return False


def find_signals(words: Sequence[str]) -> list[SignalHit]:
    """The strongest signal of each category found in the tokenised text, most severe first."""
    best: dict[str, SignalHit] = {}
    for index, word in enumerate(words):
        for pattern in _BY_FIRST_WORD.get(word, ()):
            end = index + len(pattern.words)
            if tuple(words[index:end]) != pattern.words:
                continue
            if pattern.category not in NEGATION_IMMUNE and _negated(words, index):
                break
            current = best.get(pattern.category)
            if current is None or pattern.severity > current.severity:
                best[pattern.category] = SignalHit(pattern.category, pattern.severity, " ".join(pattern.words))
            break
    return sorted(best.values(), key=lambda signal: (-signal.severity, signal.category))

"""Builds the labelled multi-brand streams the detection benchmark replays, with their ground truth.

    python bench/detection/build_streams.py        # writes bench/detection/streams/*.jsonl.gz and truth.json

Deterministic (seeded). Weeks of ordinary traffic per brand, with a daily rhythm (quiet nights, busy evenings)
and a weekly one (quieter weekends), quiet and busy brands; into it go crises of different shapes and traps
that must not alert. Ordinary texts are real labelled posts and reviews from data/ (SmSA and NusaX validation
splits, Sigap's own evaluation sets; see data/README.md for their licences), each line keeping its gold label
as `label` (the published rules are handed it; Sigap scores the text itself). Crisis and trap texts are
written here from templates, varied per author, as such posts are.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "streams"
SEED = 20261202

# --------------------------------------------------------------------------- ordinary texts, with gold labels


def _pool() -> dict[str, list[str]]:
    pool: dict[str, list[str]] = {
        f"{label}{suffix}": [] for label in ("negative", "neutral", "positive") for suffix in ("", "_en")
    }
    data = ROOT / "data"
    with (data / "smsa" / "valid_preprocess.tsv").open(encoding="utf-8") as handle:
        for text, label in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(text) < 400:
                pool[label].append(text)
    for language in ("indonesian", "english"):
        with (data / "nusax_senti" / language / "valid.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                pool[row["label"]].append(row["text"])
                if language == "english":
                    pool[row["label"] + "_en"].append(row["text"])
    for name in ("social_id", "social_en", "holdout_id", "holdout_en", "holdout2_id", "holdout2_en"):
        with (data / "sigap_eval" / f"{name}.tsv").open(encoding="utf-8") as handle:
            for line in handle:
                text, _, label = line.rstrip("\n").rpartition("\t")
                if label in pool and text:
                    pool[label].append(text)
                    if name.endswith("_en"):
                        pool[label + "_en"].append(text)
    return pool


# --------------------------------------------------------------------------- crisis and trap templates

SAFETY_ID = [
    "{b} yang saya beli kemarin rasanya aneh, anak saya langsung muntah dan diare",
    "habis minum {b} perut saya sakit banget, ada yang ngalamin juga?",
    "tolong cek {b} batch minggu ini, adik saya keracunan setelah minum",
    "ada belatung di botol {b} ??? jijik banget, gimana QC nya",
    "{b} kok bau kimia ya, temen kantor 3 orang mual semua",
    "anak tetangga masuk rumah sakit setelah minum {b}, serem",
    "jangan beli {b} dulu guys, banyak yang keracunan",
]
SAFETY_EN = [
    "my kid threw up right after drinking {b}, anyone else?",
    "found something floating in my {b} bottle, this is disgusting and unsafe",
    "{b} made my whole family sick last night, food poisoning for sure",
]
OUTAGE_ID = [
    "aplikasi {b} error terus dari tadi, gak bisa login sama sekali",
    "{b} down ya? transfer gagal, saldo kepotong",
    "gangguan lagi {b}, mau bayar tagihan gagal terus. parah",
    "sudah 2 jam {b} tidak bisa dipakai, cs tidak dibalas",
    "saldo hilang setelah transfer gagal di {b}, tolong dong",
]
OUTAGE_EN = [
    "{b} app is down again, payment failed twice and money is gone",
    "can't log in to {b} for hours, no response from support",
    "{b} outage is ridiculous, my transfer failed and I got charged twice",
]
BREACH = [
    "data pelanggan {b} bocor dan dijual di forum, ini serius banget",
    "kebocoran data {b}? nomor hp sama alamat saya ada di file yang beredar",
    "{b} data breach: my personal data is in the leaked dump",
    "akun saya diretas setelah kebocoran data {b}, tanggung jawab dong",
    "privasi pelanggan {b} tidak dijaga, data pribadi kita dijual",
]
HOAX_FORWARD = (
    "{fw}PENTING!!! Jangan beli {b} kemasan botol!! Kata teman saya yang kerja di RS sudah ada anak keracunan "
    "setelah minum ini, katanya ada zat berbahaya. Sebarkan ke keluarga sebelum terlambat!!! {tail}"
)
HOAX_TAILS = ["", "Dari grup alumni.", "-- diteruskan dari milis", "Semoga bermanfaat.", "(copas grup sebelah)"]
HOAX_BLOG = [
    "Beredar pesan berantai {b} beracun di milis dan grup WA. Belum ada keterangan resmi. Benarkah?",
    "Pesan berantai soal {b} bikin panik orang tua. {b} harus segera klarifikasi!",
    "Is {b} really poisonous? A viral chain message says children were hospitalised.",
]
LEGAL_NEWS = [
    "Konsumen Gugat {b} ke Pengadilan, Tuding Produk Menyebabkan Keracunan Massal di Tiga Kota",
    "{b} Digugat Class Action oleh Ratusan Konsumen, Kuasa Hukum Siapkan Bukti",
]
LEGAL_SOCIAL = [
    "baru baca berita {b} digugat konsumen, pantes aja banyak yang sakit",
    "wah {b} kena gugatan class action, parah sih kalau benar",
    "jadi {b} dituntut ke pengadilan? saya juga pernah sakit habis minum itu",
    "{b} sued by hundreds of customers, I knew something was wrong",
    "kalau {b} terbukti salah harus tanggung jawab, saya ikut lapor ke YLKI",
]
NEUTRAL_RECALL = [
    "BPOM umumkan penarikan produk {b} batch 2611 dari peredaran, konsumen diminta mengembalikan",
    "apakah {b} yang saya beli termasuk yang ditarik dari peredaran? nomor batch di mana ya",
    "info: {b} recall batch tertentu, cek kode di tutup botol",
    "{b} announces a voluntary recall of one batch, refunds at all stores",
    "min {b}, cara cek batch yang kena recall gimana?",
    "di minimarket dekat rumah {b} sudah ditarik dari rak, katanya ada penarikan produk",
]
STORM = [
    "{b} cancelled my flight again, stuck at the airport with no hotel voucher",
    "three hours on hold with {b} and still no rebooking. flight cancelled, no explanation",
    "{b} flight delayed 6 hours then cancelled. worst airline ever",
    "my {b} flight got cancelled and the app keeps crashing when I try to rebook",
    "{b} lost my luggage and cancelled my connection, thanks for nothing",
    "hundreds of us stranded at the gate, {b} staff just walked away",
]
VIRAL_COMPLAINT = (
    "RT @traveller_mia: {b} broke my wheelchair and told me it's not their problem. I can't get home. Please share"
)
VIRAL_REPLIES = [
    "this is disgusting {b}, fix this now",
    "shame on you {b}, how do you treat disabled passengers like this",
    "{b} you need to answer this publicly",
]
PRICE_BACKLASH = [
    "tarif {b} naik lagi, mahal banget sekarang",
    "{b} makin mahal, gak worth it",
    "kecewa sama {b}, harganya naik terus tapi pelayanan sama aja",
    "{b} fares went up again, ridiculous",
    "pindah aja deh dari {b}, kemahalan",
    "kenaikan tarif {b} bikin kesel, pelanggan setia dilupakan",
]
RANT = [
    "{b} PENIPU!!! uang saya tidak dikembalikan",
    "sudah seminggu komplain ke {b} tidak ada respon, penipuan ini",
    "@{b} jawab dong!!! saya ditipu",
    "saya akan lapor polisi soal {b}, pelayanan sampah",
    "{b} scam, never buying again, worst company",
    "masih belum ada jawaban dari {b}. PENIPUAN",
]
CAMPAIGN = [
    "Ikutan promo {b} 11.11! Diskon 50% dan hadiah langsung, seru banget #{tag}",
    "{b} lagi ada giveaway, yuk ikutan! #{tag}",
    "suka banget sama varian baru {b}, enak dan segar #{tag}",
    "Loving the new {b} flavour, great campaign! #{tag}",
]
BACKLASH_NEUTRAL = [
    "iklan baru {b} lagi rame dibahas di timeline",
    "udah liat iklan {b} yang baru? banyak yang bahas",
    "{b}'s new ad is all over my feed today",
    "jadi {b} beneran bikin iklan kayak gitu ya",
    "ada yang tau kenapa iklan {b} ditarik?",
    "everyone is talking about the {b} ad",
    "iklan {b} bikin orang debat di sini",
    "thread soal iklan {b} kemarin, baca dulu sebelum komentar",
    "{b} belum kasih tanggapan soal iklannya",
]
BACKLASH_NEGATIVE = [
    "iklan {b} gak sensitif banget, kecewa",
    "the {b} ad is tone deaf, unfollowing",
    "boikot {b} sampai minta maaf soal iklannya",
    "malu-maluin, {b} bikin iklan yang merendahkan perempuan",
]
BACKLASH_POSITIVE = ["menurutku iklan {b} biasa aja sih, lucu malah", "honestly the {b} ad was funny, chill"]
RETWEET = "RT @{handle}: makasih {b}, paketku sampai cepet banget, mantap pelayanannya 🙏"
SPAM = "Dapatkan saldo GRATIS 500rb dari {b}! Klik bit.ly/{code} sekarang, terbatas hari ini saja"

FIRST_NAMES = "andi budi citra dewi eka fajar gita hadi indah joko kiki lina made nina oki putri rudi sari tono"


@dataclass(frozen=True)
class Brand:
    slug: str
    name: str
    per_hour: float  # mean mentions per hour of ordinary traffic
    negative_share: float
    english: bool = False  # ordinary traffic in English only (an airline's international customers)
    shape: str | None = None  # a NAB realTweets series whose real hourly volume shapes ordinary traffic
    from_day: float = 0.0  # ordinary traffic starts this many days in: a brand that joins mid-stream


@dataclass
class Event:
    tenant: str
    kind: str
    label: str  # what the truth file calls it: a crisis shape or a trap
    start: datetime
    minutes: int
    crisis: bool


# daily rhythm (UTC hour → weight; brands are in Jakarta, UTC+7: busy 18-23 WIB, quiet 01-06 WIB)
def _daily(hour_utc: int) -> float:
    local = (hour_utc + 7) % 24
    return 0.25 + 0.75 * (0.5 + 0.5 * math.sin((local - 9) / 24 * 2 * math.pi)) + (0.4 if 18 <= local <= 22 else 0)


def _weekly(moment: datetime) -> float:
    return 0.7 if (moment + timedelta(hours=7)).weekday() >= 5 else 1.0


class Writer:
    def __init__(self, rng: random.Random, pool: dict[str, list[str]]) -> None:
        self.rng, self.pool = rng, pool
        self.lines: list[dict[str, Any]] = []
        self._count = 0

    def author(self, prefix: str = "") -> str:
        names = FIRST_NAMES.split()
        return f"@{prefix}{self.rng.choice(names)}{self.rng.randrange(1, 400_000)}"

    def add(self, brand: Brand, moment: datetime, text: str, label: str, **extra: Any) -> None:
        self._count += 1
        channel = (
            extra.pop("channel", None)
            or self.rng.choices(["social", "forum", "review", "blog", "news"], weights=[70, 12, 12, 5, 1])[0]
        )
        followers = extra.pop("followers", None)
        if followers is None:
            # ordinary news mentions come from regional and trade outlets; national ones are given by the caller
            followers = int(self.rng.lognormvariate(6, 1.6) if channel != "news" else self.rng.lognormvariate(9, 1.2))
        line: dict[str, Any] = {
            "tenant": brand.slug,
            "id": f"{brand.slug}-{self._count:07d}",
            "source": extra.pop("source", "listening-tool"),
            "channel": channel,
            "author": {"handle": extra.pop("author", None) or self.author(), "followers": followers},
            "text": text,
            "created_at": moment.isoformat(timespec="seconds"),
            "label": label,
        }
        line.update(extra)
        self.lines.append(line)

    def ordinary(self, brand: Brand, start: datetime, days: int, lulls: list[tuple[datetime, datetime]]) -> None:
        """A Poisson stream with daily and weekly rhythm; during a lull (a holiday), a third of it. A brand with
        a `shape` follows a real brand's hourly volume instead (its quiet hours, bursts and all)."""
        moment = start + timedelta(days=brand.from_day)
        end = start + timedelta(days=days)
        shape = _nab_shape(brand.shape, moment) if brand.shape else None
        while moment < end:
            if shape is not None:
                rate = brand.per_hour * next(shape)
            else:
                rate = brand.per_hour * _daily(moment.hour) * _weekly(moment)
            if any(low <= moment < high for low, high in lulls):
                rate *= 0.3
            for _ in range(_poisson(self.rng, rate)):
                at = moment + timedelta(seconds=self.rng.randrange(3600))
                rest = 1 - brand.negative_share
                label = self.rng.choices(
                    ["negative", "neutral", "positive"], weights=[brand.negative_share, rest * 0.55, rest * 0.45]
                )[0]
                text = self.rng.choice(self.pool[f"{label}_en"] if brand.english else self.pool[label])
                if self.rng.random() < 0.5:
                    text = f"{brand.name} {text}" if self.rng.random() < 0.5 else f"{text} @{brand.slug}"
                self.add(brand, at, text, label)
            moment += timedelta(hours=1)


def _nab_shape(series: str, first: datetime) -> Iterator[float]:
    """A NAB realTweets brand's real volume, hour by hour, as multiples of its mean hour: from the same hour of
    the day and weekday 12 hours later (a US brand's evening on Jakarta's evening), skipping the hours in or
    near its labelled anomaly windows (those are NAB's crises, not ordinary days), and cycling if it runs out."""
    folder = ROOT / "data" / "nab_realtweets"
    windows = [
        (datetime.fromisoformat(a[:19]).replace(tzinfo=UTC), datetime.fromisoformat(b[:19]).replace(tzinfo=UTC))
        for a, b in json.loads((folder / "windows.json").read_text(encoding="utf-8"))[f"Twitter_volume_{series}.csv"]
    ]
    hours: dict[datetime, int] = {}
    with (folder / f"Twitter_volume_{series}.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            moment = datetime.fromisoformat(row["timestamp"][:19]).replace(tzinfo=UTC)
            hour = moment.replace(minute=0, second=0)
            hours[hour] = hours.get(hour, 0) + int(float(row["value"]))
    usable = sorted(
        (hour, count)
        for hour, count in hours.items()
        if not any(low - timedelta(hours=12) <= hour <= high + timedelta(hours=12) for low, high in windows)
    )
    mean = sum(count for _, count in usable) / len(usable)
    aligned = [
        index
        for index, (hour, _) in enumerate(usable)
        if hour.hour == (first.hour + 12) % 24 and hour.weekday() == (first + timedelta(hours=12)).weekday()
    ]
    index = aligned[0] if aligned else 0
    while True:
        yield usable[index % len(usable)][1] / mean
        index += 1


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth for small means, normal approximation above (no numpy needed to rebuild the streams)
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _shaped(rng: random.Random, minutes: int, total: int, shape: str) -> list[float]:
    """Minute offsets of `total` posts over `minutes`: sudden (most at once, then decaying), slow (growing
    linearly), exponential (forwarding: doubling), flat."""
    offsets = []
    for _ in range(total):
        u = rng.random()
        if shape == "sudden":
            offsets.append(min(minutes - 1, rng.expovariate(1 / (minutes / 4))))
        elif shape == "slow":
            offsets.append(minutes * math.sqrt(u))
        elif shape == "exponential":
            offsets.append(minutes * (1 + math.log2(0.03 + 0.97 * u) / math.log2(1 / 0.03)))
        else:
            offsets.append(minutes * u)
    return sorted(offsets)


def _vary(rng: random.Random, text: str, *, happy: bool = False) -> str:
    """Each author words a post a little differently: the same claim, not a copy."""
    if happy:
        endings = ["", "!!", " 😍", " 🥰", "...", " mantap", " yay", " #recommended", " 👍"]
        starts = ["", "guys ", "fyi ", "wah ", "", "asli ", "omg "]
    else:
        endings = ["", "!!", " 😡", " 😭", "...", " tolong", " pls", " wtf", " #kecewa", " @cs"]
        starts = ["", "serius, ", "guys ", "fyi ", "duh ", "hmm ", "", "", "ya ampun ", "omg "]
    return f"{rng.choice(starts)}{text}{rng.choice(endings)}"


def crisis_texts(writer: Writer, brand: Brand, event: Event) -> None:
    rng, b = writer.rng, brand.name
    start, minutes = event.start, event.minutes

    def at(offset: float) -> datetime:
        return start + timedelta(minutes=offset, seconds=rng.randrange(60))

    kind = event.kind
    if kind == "sudden_outage":
        for offset in _shaped(rng, minutes, 260, "sudden"):
            pool = OUTAGE_EN if rng.random() < 0.3 else OUTAGE_ID
            writer.add(brand, at(offset), _vary(rng, rng.choice(pool).format(b=b)), "negative", channel="social")
    elif kind == "slow_safety":
        for offset in _shaped(rng, minutes, 140, "slow"):
            pool = SAFETY_EN if rng.random() < 0.25 else SAFETY_ID
            writer.add(
                brand,
                at(offset),
                _vary(rng, rng.choice(pool).format(b=b)),
                "negative",
                channel=rng.choice(["social", "social", "review", "forum"]),
            )
    elif kind == "hoax_forward":
        for offset in _shaped(rng, minutes, 160, "exponential"):
            fw = rng.choice(["", "FW: ", "Fwd: ", "FW: FW: ", "Re: FW: "])
            text = HOAX_FORWARD.format(fw=fw, b=b, tail=rng.choice(HOAX_TAILS))
            domain = rng.choice(["milis.example", "mail.example", "grup.example"])
            writer.add(
                brand,
                at(offset),
                text,
                "negative",
                channel="email",
                source="inbound-email",
                author=f"{writer.author().lstrip('@')}@{domain}",
                followers=None,
            )
        for offset in _shaped(rng, minutes, 25, "exponential"):
            if offset > minutes * 0.4:
                writer.add(brand, at(offset), rng.choice(HOAX_BLOG).format(b=b), "negative", channel="blog")
        writer.add(
            brand,
            at(minutes * 0.8),
            f"Pesan Berantai {b} Beracun Beredar, Warga Resah dan Anak Dilarikan ke RS",
            "negative",
            channel="news",
            source="feed-poller",
            author="@detikcom",
            followers=18_000_000,
        )
    elif kind == "news_pickup":
        writer.add(
            brand,
            at(0),
            rng.choice(LEGAL_NEWS).format(b=b),
            "negative",
            channel="news",
            source="feed-poller",
            author="@kompascom",
            followers=9_000_000,
        )
        for offset in _shaped(rng, minutes, 90, "sudden"):
            writer.add(brand, at(offset + 2), _vary(rng, rng.choice(LEGAL_SOCIAL).format(b=b)), "negative")
    elif kind == "neutral_recall":
        writer.add(
            brand,
            at(0),
            NEUTRAL_RECALL[0].format(b=b),
            "neutral",
            channel="news",
            source="feed-poller",
            author="@antaranews",
            followers=1_500_000,
        )
        for offset in _shaped(rng, minutes, 150, "sudden"):
            writer.add(brand, at(offset + 1), _vary(rng, rng.choice(NEUTRAL_RECALL[1:]).format(b=b)), "neutral")
    elif kind == "data_breach":
        for offset in _shaped(rng, minutes, 120, "slow"):
            writer.add(brand, at(offset), _vary(rng, rng.choice(BREACH).format(b=b)), "negative")
    elif kind == "storm":
        for offset in _shaped(rng, minutes, 320, "sudden"):
            writer.add(brand, at(offset), _vary(rng, rng.choice(STORM).format(b=b)), "negative", channel="social")
    elif kind == "viral_complaint":
        for offset in _shaped(rng, minutes, 140, "exponential"):
            if rng.random() < 0.75:
                writer.add(brand, at(offset), VIRAL_COMPLAINT.format(b=b), "negative", channel="social")
            else:
                writer.add(brand, at(offset), _vary(rng, rng.choice(VIRAL_REPLIES).format(b=b)), "negative")
    elif kind == "price_backlash":
        # a slow, moderate backlash: the brand's negative talk about doubles and stays so for hours, with no
        # crisis word in it (no single minute or hour looks like a spike)
        extra = round(brand.per_hour * brand.negative_share * 1.6 * minutes / 60)
        for offset in _shaped(rng, minutes, extra, "flat"):
            writer.add(brand, at(offset), _vary(rng, rng.choice(PRICE_BACKLASH).format(b=b)), "negative")
    elif kind in ("dawn_complaints", "modest_complaints"):
        # negative talk that only doubles or triples, building over hours: real complaints (the labelled pool),
        # twice the brand's average negative hour on top of what it would have had anyway
        extra = round(brand.per_hour * brand.negative_share * 2 * minutes / 60)
        for offset in _shaped(rng, minutes, extra, "slow"):
            text = rng.choice(writer.pool["negative_en"] if brand.english else writer.pool["negative"])
            writer.add(brand, at(offset), f"{b} {text}" if rng.random() < 0.6 else f"{text} @{brand.slug}", "negative")
    elif kind in ("neutral_backlash", "quiet_backlash"):
        # a marketing backlash: loud (four times the usual volume) but mostly talk about the ad, labelled neutral;
        # the quiet one is no more negative than the brand's usual talk
        weights = [60, 30, 10] if kind == "neutral_backlash" else [75, 15, 10]
        for offset in _shaped(rng, minutes, round(brand.per_hour * 3 * minutes / 60), "slow"):
            label = rng.choices(["neutral", "negative", "positive"], weights=weights)[0]
            pool = {"neutral": BACKLASH_NEUTRAL, "negative": BACKLASH_NEGATIVE, "positive": BACKLASH_POSITIVE}[label]
            writer.add(brand, at(offset), _vary(rng, rng.choice(pool).format(b=b), happy=label == "positive"), label)
    elif kind == "retweet_wave":
        # one happy customer's post retweeted by 150 people in a quarter of an hour: volume, no crisis
        handle = writer.author().lstrip("@")
        for offset in _shaped(rng, minutes, 150, "sudden"):
            writer.add(brand, at(offset), RETWEET.format(handle=handle, b=b), "positive", channel="social")
    elif kind == "rant":
        handle = writer.author("angry")
        for offset in _shaped(rng, minutes, 35, "flat"):
            writer.add(brand, at(offset), rng.choice(RANT).format(b=b), "negative", author=handle, channel="social")
    elif kind == "campaign":
        tag = f"{brand.slug.replace('-', '')}1111"
        for offset in _shaped(rng, minutes, int(brand.per_hour * minutes / 60 * 3) + 150, "flat"):
            writer.add(brand, at(offset), _vary(rng, rng.choice(CAMPAIGN).format(b=b, tag=tag), happy=True), "positive")
    elif kind == "spam":
        code = "x7Yq2"
        for offset in _shaped(rng, minutes, 300, "flat"):
            writer.add(
                brand,
                at(offset),
                SPAM.format(b=b, code=code),
                "neutral",
                author=writer.author("promo"),
                channel="social",
                followers=rng.randrange(0, 40),
            )
    else:
        raise ValueError(kind)


@dataclass(frozen=True)
class StreamPlan:
    name: str
    start: datetime
    days: int
    brands: list[Brand]
    events: list[tuple[str, str, float, int]]  # brand slug, kind, day offset (days from start), minutes
    lulls: list[tuple[str, float, float]]  # brand slug, day offset, hours


CRISES = {
    "sudden_outage",
    "slow_safety",
    "hoax_forward",
    "news_pickup",
    "neutral_recall",
    "data_breach",
    "storm",
    "viral_complaint",
    "price_backlash",
    "dawn_complaints",
    "modest_complaints",
    "neutral_backlash",
    "quiet_backlash",
}

PLANS = [
    StreamPlan(
        name="fmcg",
        start=datetime(2026, 9, 7, tzinfo=UTC),
        days=21,
        brands=[
            Brand("teh-segar", "Teh Segar", 40, 0.18),
            Brand("kopi-senja", "Kopi Senja", 12, 0.15),
            Brand("mie-kilat", "Mie Kilat", 90, 0.22),
            Brand("susu-murni", "Susu Murni", 4, 0.12),
        ],
        events=[
            ("teh-segar", "hoax_forward", 15.10, 240),
            ("teh-segar", "campaign", 9.45, 360),
            ("kopi-senja", "rant", 8.55, 70),
            ("kopi-senja", "slow_safety", 17.30, 480),
            ("mie-kilat", "spam", 12.2, 60),
            ("mie-kilat", "neutral_recall", 19.05, 300),
            ("susu-murni", "rant", 11.6, 50),
            ("susu-murni", "news_pickup", 16.45, 240),
        ],
        lulls=[("teh-segar", 6.0, 30), ("mie-kilat", 6.0, 30), ("kopi-senja", 6.0, 30)],
    ),
    StreamPlan(
        name="services",
        start=datetime(2026, 10, 5, tzinfo=UTC),
        days=21,
        brands=[
            Brand("bank-nusa", "Bank Nusa", 60, 0.28),
            Brand("telko-kita", "Telko Kita", 120, 0.35),
            Brand("ojek-cepat", "Ojek Cepat", 25, 0.25),
            Brand("klinik-sehat", "Klinik Sehat", 6, 0.2),
        ],
        events=[
            ("bank-nusa", "sudden_outage", 14.40, 180),
            ("bank-nusa", "rant", 9.3, 60),
            ("telko-kita", "data_breach", 16.15, 360),
            ("telko-kita", "campaign", 10.4, 480),
            ("ojek-cepat", "spam", 8.9, 90),
            ("ojek-cepat", "rant", 13.55, 40),
            ("ojek-cepat", "price_backlash", 17.25, 360),
            ("klinik-sehat", "news_pickup", 18.6, 240),
            ("klinik-sehat", "spam", 12.1, 45),
        ],
        lulls=[("bank-nusa", 11.0, 36), ("telko-kita", 11.0, 36)],
    ),
    # Nine days, English, mostly negative everyday traffic (an airline's public complaints desk), and a
    # crisis on the first day, before there is any history: the cold start a new tenant lives through.
    StreamPlan(
        name="airlines",
        start=datetime(2026, 2, 16, tzinfo=UTC),
        days=9,
        brands=[
            Brand("sky-nusantara", "SkyNusantara", 30, 0.62, english=True),
            Brand("garuda-biru", "Garuda Biru", 18, 0.55, english=True),
            Brand("air-merdeka", "Air Merdeka", 8, 0.6, english=True),
            Brand("terbang-hemat", "Terbang Hemat", 3, 0.5, english=True),
        ],
        events=[
            ("sky-nusantara", "storm", 0.75, 360),
            ("sky-nusantara", "rant", 4.4, 60),
            ("garuda-biru", "viral_complaint", 5.6, 300),
            ("air-merdeka", "storm", 6.3, 300),
            ("air-merdeka", "spam", 3.2, 60),
            ("terbang-hemat", "rant", 2.5, 45),
        ],
        lulls=[],
    ),
    # Realistic shapes the first three streams lack: ordinary traffic with real brands' hourly volume (NAB
    # realTweets: quiet nights, bursts that are nobody's crisis), crises that only double or triple negative
    # talk over hours, two of them at dawn, one on a brand a day after it joined, and a marketing backlash that
    # is loud but mostly neutral.
    StreamPlan(
        name="realistic",
        start=datetime(2026, 5, 4, tzinfo=UTC),
        days=14,
        brands=[
            Brand("tiket-kilat", "Tiket Kilat", 35, 0.3, shape="KO"),
            Brand("asuransi-aman", "Asuransi Aman", 10, 0.2, shape="IBM"),
            Brand("busana-lokal", "Busana Lokal", 45, 0.15, shape="GOOG"),
            Brand("kopi-baru", "Kopi Baru", 20, 0.2, shape="CRM", from_day=8.0),
            Brand("pulsa-murah", "Pulsa Murah", 90, 0.3, shape="AMZN"),
        ],
        events=[
            ("tiket-kilat", "dawn_complaints", 9.92, 180),  # 05:00 WIB
            ("tiket-kilat", "retweet_wave", 6.55, 15),
            ("tiket-kilat", "quiet_backlash", 12.15, 180),
            ("asuransi-aman", "dawn_complaints", 11.90, 150),  # 04:30 WIB
            ("asuransi-aman", "rant", 7.4, 60),
            ("busana-lokal", "neutral_backlash", 10.10, 240),
            ("busana-lokal", "campaign", 5.45, 300),
            ("kopi-baru", "modest_complaints", 8.75, 180),
            ("pulsa-murah", "modest_complaints", 12.3, 150),
            ("pulsa-murah", "retweet_wave", 9.6, 15),
        ],
        lulls=[],
    ),
]


def build(plan: StreamPlan, pool: dict[str, list[str]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rng = random.Random(f"{SEED}-{plan.name}")
    writer = Writer(rng, pool)
    by_slug = {brand.slug: brand for brand in plan.brands}
    for brand in plan.brands:
        lulls = [
            (plan.start + timedelta(days=day), plan.start + timedelta(days=day, hours=hours))
            for slug, day, hours in plan.lulls
            if slug == brand.slug
        ]
        writer.ordinary(brand, plan.start, plan.days, lulls)
    truth = []
    for slug, kind, day, minutes in plan.events:
        start = (plan.start + timedelta(days=day)).replace(second=0, microsecond=0)
        event = Event(slug, kind, kind, start, minutes, kind in CRISES)
        before = len(writer.lines)
        crisis_texts(writer, by_slug[slug], event)
        onset = min(line["created_at"] for line in writer.lines[before:])
        truth.append(
            {
                "stream": plan.name,
                "tenant": slug,
                "kind": kind,
                "crisis": event.crisis,
                "onset": onset,
                "end": (start + timedelta(minutes=minutes)).isoformat(timespec="seconds"),
                "mentions": len(writer.lines) - before,
            }
        )
    for slug, day, hours in plan.lulls:
        start = plan.start + timedelta(days=day)
        truth.append(
            {
                "stream": plan.name,
                "tenant": slug,
                "kind": "holiday_lull",
                "crisis": False,
                "onset": start.isoformat(timespec="seconds"),
                "end": (start + timedelta(hours=hours)).isoformat(timespec="seconds"),
                "mentions": 0,
            }
        )
    writer.lines.sort(key=lambda line: line["created_at"])
    return writer.lines, truth


def main() -> None:
    pool = _pool()
    OUT.mkdir(parents=True, exist_ok=True)
    truth: dict[str, Any] = {"seed": SEED, "streams": {}, "events": []}
    for plan in PLANS:
        lines, events = build(plan, pool)
        path = OUT / f"{plan.name}.jsonl.gz"
        # mtime=0: the same input gives the same bytes, so a rebuild shows no diff
        with gzip.GzipFile(path, "wb", mtime=0) as raw:
            raw.write("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8"))
        truth["streams"][plan.name] = {
            "file": path.name,
            "start": plan.start.isoformat(),
            "days": plan.days,
            "tenants": [brand.slug for brand in plan.brands],
            "mentions": len(lines),
        }
        truth["events"].extend(events)
        print(f"{path.relative_to(ROOT)}: {len(lines)} mentions, {len(plan.brands)} brands, {plan.days} days")
    (OUT / "truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Builds tools/sigap_tools/demo/scenario.jsonl: a bottled-tea poisoning hoax spreading across channels among
ordinary brand chatter. Deterministic (seeded); texts of the chatter come from data/ (see data/README.md).

    python infra/scripts/build_demo_scenario.py
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tools" / "sigap_tools" / "demo" / "scenario.jsonl"
BRAND = "Teh Segar"

HOAX_EMAIL = (
    "{fw}PENTING!!! Jangan minum {brand} botol kemasan 350ml!! Teman saya di RS bilang sudah ada 3 anak "
    "keracunan setelah minum teh ini, katanya mengandung zat berbahaya. Tolong sebarkan ke keluarga dan "
    "teman2 kalian sebelum terlambat!!! {tail}"
)
EMAIL_TAILS = [
    "",
    "Dari grup alumni.",
    "-- diteruskan dari milis ibu-ibu",
    "Semoga bermanfaat.",
    "Info dari grup kantor.",
    "Sent from my BlackBerry",
    "Salam, Budi",
    "(copas dari grup sebelah)",
]
FW = ["", "FW: ", "Fwd: ", "FW: FW: ", "Fwd: Fwd: Fwd: ", "Re: FW: "]

BLOG_POSTS = [
    "Heboh pesan berantai soal {brand} beracun. Saya coba telusuri: belum ada keterangan resmi dari BPOM "
    "maupun rumah sakit yang disebut. Hati-hati menyebar kabar yang belum jelas.",
    "Waspada! Beredar kabar {brand} kemasan botol menyebabkan keracunan pada anak-anak. Berikut isi pesan "
    "yang beredar di grup WhatsApp dan milis.",
    "Is {brand} bottled tea really poisonous? A viral chain message claims three children were hospitalised. "
    "Here is what we know so far, and what we don't.",
    "Pengalaman saya minum {brand} sejak SMA, tidak pernah ada masalah. Tapi pesan berantai ini bikin orang "
    "tua panik. Perusahaan harus segera klarifikasi!",
]
FORUM_POSTS = [
    "ada yg tau bener gak {brand} beracun? anak gw tiap hari minum itu 😰",
    "gan, pesan berantai {brand} keracunan itu hoaks apa bukan sih? bingung gw",
    "udah buang semua stok {brand} di rumah, ga mau ambil resiko",
    "katanya ada yg masuk RS gara2 {brand}, serem bgt",
    "anyone else seeing the {brand} poisoning message? sounds like a hoax to me",
    "perusahaannya diem aja, makin curiga gw. klarifikasi dong!",
    "boikot aja {brand} sampe ada penjelasan resmi",
    "kalau memang aman kenapa belum ada pernyataan dari {brand}? aneh",
]
NEWS_POSTS = [
    "Pesan Berantai {brand} Beracun Beredar, Warga Resah. Sejumlah orang tua mengaku khawatir setelah menerima "
    "pesan yang menyebut minuman teh kemasan tersebut menyebabkan keracunan.",
    "BPOM Pastikan {brand} Aman Dikonsumsi, Pesan Berantai Disebut Hoaks. Hasil uji laboratorium tidak "
    "menemukan zat berbahaya pada sampel yang diuji.",
    "Viral claim that {brand} tea poisoned children is false, food regulator says after lab tests.",
    "Produsen {brand} Laporkan Penyebar Hoaks ke Polisi. Perusahaan menyebut pesan berantai itu merugikan.",
    "Penjualan {brand} di Sejumlah Minimarket Turun Usai Pesan Berantai Keracunan Viral.",
]
SOCIAL_POSTS = [
    "Serius {brand} beracun?? Anak gw baru minum tadi siang 😭😭",
    "Jangan minum {brand} dulu guys, katanya ada yang keracunan!!!",
    "Ini hoaks kan? {brand} udah puluhan tahun aman2 aja #TehSegar",
    "Kecewa banget sama {brand}, udah rame gini masih diem aja 😡",
    "{brand} please clarify!! my whole family group chat is panicking",
    "Just saw the {brand} poison message on my mom's WhatsApp... is this real?",
    "Thanks {brand} for the silence. Really reassuring 🙄",
    "Gw tetep minum {brand}, pesan berantai gak jelas sumbernya",
    "BPOM udah bilang aman kok, jangan asal share hoaks ya guys 🙏",
    "boikot {brand} sampai ada klarifikasi resmi!!",
    "Lapor polisi aja yang nyebarin hoaks {brand}, kasian pedagang kecil",
    "{brand} is my favourite drink, I don't believe this hoax for a second ❤️",
    "wkwk grup keluarga gw heboh soal {brand} beracun, capek jelasinnya",
    "Kalo beneran ada yg keracunan, {brand} harus tanggung jawab!!",
    "Already threw away a whole crate of {brand}. Not risking my kids' health.",
    "Mantap {brand} cepat klarifikasi, hasil lab BPOM juga aman 👍",
]
TICKETS = [
    "Saya mau tanya apakah {brand} botol 350ml aman diminum? Saya dapat pesan katanya beracun.",
    "Anak saya mual setelah minum {brand}, apakah ada hubungannya dengan berita keracunan?",
    "Mohon penjelasan resmi soal pesan berantai {brand} keracunan, pelanggan di toko saya pada tanya.",
    "Saya ingin refund {brand} yang sudah saya beli, saya takut dengan kabar beracun.",
    "Hello, is there an official statement about the {brand} poisoning rumour? Our cafe customers keep asking.",
    "CS kalian susah dihubungi, dari tadi pagi telpon gak diangkat. Tolong jelaskan soal kabar beracun!",
]
DELIVERY_COMPLAINTS = [
    "Pesanan {brand} 2 karton via aplikasi belum sampai juga, udah 5 hari. CS lambat banget",
    "Thanks for the 3 hour delay on my {brand} order, great service as always",
    "kurir {brand} official store telat mulu, kapok pesen online",
    "My {brand} delivery arrived with half the bottles crushed. Very disappointed.",
    "Udah komplain ke {brand} soal pesanan rusak, gak ada balasan sama sekali",
    "Pengiriman {brand} cepat dan rapi, makasih!",
]


def _read_chatter() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    with (ROOT / "data/smsa/valid_preprocess.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            text, _, _label = line.rstrip("\n").rpartition("\t")
            if 40 <= len(text) <= 280:
                texts.append((text, "id"))
    for language in ("english", "indonesian"):
        with (ROOT / f"data/nusax_senti/{language}/valid.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if len(row["text"]) <= 400:
                    texts.append((row["text"], "en" if language == "english" else "id"))
    return texts


def build() -> list[dict[str, object]]:
    rng = random.Random(20261122)
    mentions: list[dict[str, object]] = []

    def add(
        kind: str,
        channel: str,
        text: str,
        minutes_ago: int,
        handle: str,
        followers: int | None,
        source: str,
        verified: bool = False,
        shares: int = 0,
        url: str | None = None,
    ) -> None:
        number = len(mentions) + 1
        mention: dict[str, object] = {
            "id": f"demo-{kind}-{number:04d}",
            "source": source,
            "channel": channel,
            "text": text,
            "minutes_ago": minutes_ago,
            "author": {"handle": handle, "followers": followers, "verified": verified},
            "engagement": {
                "likes": rng.randint(0, 40) * (shares + 1),
                "shares": shares,
                "comments": rng.randint(0, 12),
            },
        }
        if url:
            mention["url"] = url
        mentions.append(mention)

    # The hoax starts about five hours ago in mailing lists and spreads outward; news follows later.
    for index in range(150):
        text = HOAX_EMAIL.format(fw=rng.choice(FW), brand=BRAND, tail=rng.choice(EMAIL_TAILS)).strip()
        add(
            "email",
            "email",
            text,
            300 - index * 2 + rng.randint(-3, 3),
            f"member{rng.randint(1, 400)}@milis.example",
            None,
            "inbound-email",
        )
    for index in range(24):
        add(
            "blog",
            "blog",
            BLOG_POSTS[index % len(BLOG_POSTS)].format(brand=BRAND),
            240 - index * 8,
            f"blogger{index}",
            rng.randint(300, 20_000),
            "feed-poller",
            url=f"https://blog{index}.example/teh-segar",
        )
    for index in range(40):
        add(
            "forum",
            "forum",
            FORUM_POSTS[index % len(FORUM_POSTS)].format(brand=BRAND),
            220 - index * 5,
            f"kaskuser{rng.randint(1, 5000)}",
            rng.randint(10, 3000),
            "listening-tool",
        )
    for index, text in enumerate(NEWS_POSTS * 2):
        add(
            "news",
            "news",
            text.format(brand=BRAND),
            150 - index * 14,
            f"news-desk-{index % 5}",
            rng.randint(100_000, 2_000_000),
            "feed-poller",
            verified=True,
            url=f"https://news{index % 5}.example/{index}",
        )
    for index in range(120):
        add(
            "social",
            "social",
            SOCIAL_POSTS[index % len(SOCIAL_POSTS)].format(brand=BRAND),
            200 - index,
            f"@user{rng.randint(1, 100_000)}",
            rng.randint(20, 150_000),
            "listening-tool",
            verified=rng.random() < 0.03,
            shares=rng.randint(0, 300),
        )
    for index in range(36):
        add(
            "ticket",
            "ticket",
            TICKETS[index % len(TICKETS)].format(brand=BRAND),
            180 - index * 4,
            f"customer{rng.randint(1, 10_000)}",
            None,
            "contact-centre",
        )
    for index in range(36):
        add(
            "delivery",
            rng.choice(["social", "review"]),
            DELIVERY_COMPLAINTS[index % len(DELIVERY_COMPLAINTS)].format(brand=BRAND),
            rng.randint(5, 360),
            f"@buyer{rng.randint(1, 50_000)}",
            rng.randint(20, 5000),
            "listening-tool",
        )
    chatter = _read_chatter()
    rng.shuffle(chatter)
    for text, _language in chatter[:220]:
        add(
            "chatter",
            rng.choice(["review", "social", "forum"]),
            text,
            rng.randint(1, 360),
            f"@fan{rng.randint(1, 100_000)}",
            rng.randint(10, 20_000),
            "listening-tool",
        )
    rng.shuffle(mentions)
    return mentions


def main() -> None:
    mentions = build()
    OUT.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in mentions), encoding="utf-8")
    print(f"wrote {len(mentions)} mentions to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""What the tone check says about each rule, in each language: why it matters, and what to write instead."""

from __future__ import annotations

from sigap.kernel.language import Language
from sigap.statements.domain.tone.models import ToneRule

ADVICE: dict[ToneRule, dict[Language, tuple[str, str]]] = {
    ToneRule.EMOTIONAL_TONE: {
        Language.ENGLISH: (
            "Shouting, runs of exclamation marks, insults, sarcasm or anger read as a brand losing its temper.",
            "Write calmly in sentence case, one full stop at a time, and address the concern, not the people.",
        ),
        Language.INDONESIAN: (
            "Huruf kapital semua, tanda seru berulang, hinaan, sindiran atau kemarahan terbaca sebagai merek yang "
            "kehilangan kendali.",
            "Tulis dengan tenang dalam huruf biasa dan jawab kekhawatirannya, bukan orangnya.",
        ),
    },
    ToneRule.LEGAL_THREAT: {
        Language.ENGLISH: (
            "Threatening the public with the police or lawyers is what turned complaints into national scandals.",
            "Remove the threat. If a crime is involved, say you are cooperating with the authorities, without "
            "warning anyone.",
        ),
        Language.INDONESIAN: (
            "Ancaman somasi, polisi atau UU ITE kepada publik adalah yang mengubah keluhan menjadi skandal nasional.",
            "Hapus ancamannya. Jika ada tindak pidana, sampaikan bahwa Anda bekerja sama dengan pihak berwenang, "
            "tanpa mengancam siapa pun.",
        ),
    },
    ToneRule.BARE_DENIAL: {
        Language.ENGLISH: (
            "A denial with no facts or evidence asks people to take the brand's word for it, and few will.",
            "Give the facts behind the denial: the test results, the regulator's finding, with links to them.",
        ),
        Language.INDONESIAN: (
            "Bantahan tanpa fakta atau bukti meminta orang percaya begitu saja, dan sedikit yang akan percaya.",
            "Sertakan faktanya: hasil uji laboratorium, temuan BPOM atau regulator, beserta tautannya.",
        ),
    },
    ToneRule.BLAMES_PUBLIC: {
        Language.ENGLISH: (
            "Blaming customers, victims or the public for the crisis turns them against the brand.",
            "Take responsibility for what is yours and tell people what they can do, without faulting them.",
        ),
        Language.INDONESIAN: (
            "Menyalahkan konsumen, korban atau warganet membuat publik berbalik melawan merek.",
            "Akui bagian yang menjadi tanggung jawab perusahaan dan sampaikan apa yang bisa dilakukan publik, "
            "tanpa menyalahkan mereka.",
        ),
    },
    ToneRule.SPECULATION: {
        Language.ENGLISH: (
            "Guessing at causes, or pointing at competitors or 'certain parties', before the facts are known.",
            "State only what is established, and say when the investigation will report.",
        ),
        Language.INDONESIAN: (
            "Menebak penyebab, atau menuding pesaing atau 'pihak tertentu', sebelum faktanya diketahui.",
            "Sampaikan hanya yang sudah pasti, dan kapan hasil penyelidikan akan diumumkan.",
        ),
    },
    ToneRule.MISSING_CONTACT: {
        Language.ENGLISH: (
            "The statement does not say how to reach the company.",
            "Add the contact centre: a phone number, an e-mail address or a WhatsApp line, and its hours.",
        ),
        Language.INDONESIAN: (
            "Pernyataan ini tidak menyebutkan cara menghubungi perusahaan.",
            "Tambahkan layanan konsumen: nomor telepon, alamat e-mail atau WhatsApp, beserta jam layanannya.",
        ),
    },
    ToneRule.MISSING_ACTION: {
        Language.ENGLISH: (
            "The statement does not say what the company is doing about it.",
            "Say what you are doing: investigating, recalling, testing, refunding, working with the regulator.",
        ),
        Language.INDONESIAN: (
            "Pernyataan ini tidak menyebutkan apa yang sedang dilakukan perusahaan.",
            "Sebutkan langkahnya: menyelidiki, menarik produk, menguji, mengganti, bekerja sama dengan regulator.",
        ),
    },
    ToneRule.MISSING_NEXT_UPDATE: {
        Language.ENGLISH: (
            "The statement does not say when the next update will come.",
            "Promise the next update with a time, for example 'Our next update will be at 18:00 WIB today.'",
        ),
        Language.INDONESIAN: (
            "Pernyataan ini tidak menyebutkan kapan kabar berikutnya disampaikan.",
            "Janjikan pembaruan berikutnya beserta waktunya, misalnya 'Pembaruan berikutnya pukul 18.00 WIB hari ini.'",
        ),
    },
    ToneRule.LONG_SENTENCE: {
        Language.ENGLISH: (
            "This sentence is long enough to lose a reader on a phone.",
            "Split it into two or three short sentences.",
        ),
        Language.INDONESIAN: (
            "Kalimat ini terlalu panjang untuk dibaca di ponsel.",
            "Pecah menjadi dua atau tiga kalimat pendek.",
        ),
    },
    ToneRule.JARGON: {
        Language.ENGLISH: (
            "Legal or corporate jargon makes a statement sound evasive.",
            "Use the plain word a customer would use.",
        ),
        Language.INDONESIAN: (
            "Istilah hukum atau korporat membuat pernyataan terdengar mengelak.",
            "Gunakan kata sehari-hari yang dipakai konsumen.",
        ),
    },
}

"""The tone check: what crisis guidance warns a statement against, in Indonesian and English, informal spellings
included. Each finding names its rule, a severity (errors block approval unless overridden with a reason), the
offending span, an explanation and a suggestion, in the statement's language.

Rules match on a normalised copy of the text (lower case, letters repeated three times or more collapsed: "bohonggg"
reads "bohong", "hoaxxx" reads "hoax") whose every character remembers where it came from, so spans point at the
text the author wrote. Rules that look for something missing (a contact, an action, the next update) report an
empty span at the start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from sigap.kernel.language import Language


class ToneRule(StrEnum):
    EMOTIONAL_TONE = "emotional_tone"
    LEGAL_THREAT = "legal_threat"
    BARE_DENIAL = "bare_denial"
    BLAMES_PUBLIC = "blames_public"
    SPECULATION = "speculation"
    MISSING_CONTACT = "missing_contact"
    MISSING_ACTION = "missing_action"
    MISSING_NEXT_UPDATE = "missing_next_update"
    LONG_SENTENCE = "long_sentence"
    JARGON = "jargon"


class FindingSeverity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Span(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0, description="Offset of the first character, in the text as written")
    end: int = Field(ge=0, description="Offset after the last character")
    text: str


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule: ToneRule
    severity: FindingSeverity
    span: Span
    explanation: str
    suggestion: str


SEVERITY = {
    ToneRule.EMOTIONAL_TONE: FindingSeverity.ERROR,
    ToneRule.LEGAL_THREAT: FindingSeverity.ERROR,
    ToneRule.BARE_DENIAL: FindingSeverity.ERROR,
    ToneRule.BLAMES_PUBLIC: FindingSeverity.ERROR,
    ToneRule.SPECULATION: FindingSeverity.ERROR,
    ToneRule.MISSING_CONTACT: FindingSeverity.WARNING,
    ToneRule.MISSING_ACTION: FindingSeverity.WARNING,
    ToneRule.MISSING_NEXT_UPDATE: FindingSeverity.WARNING,
    ToneRule.LONG_SENTENCE: FindingSeverity.WARNING,
    ToneRule.JARGON: FindingSeverity.WARNING,
}

# (explanation, suggestion) per rule and language.
_ADVICE: dict[ToneRule, dict[Language, tuple[str, str]]] = {
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

LONG_SENTENCE_WORDS = 45


class _Text:
    """A normalised copy of the text that maps each of its characters back to the original."""

    def __init__(self, original: str) -> None:
        self.original = original
        chars: list[str] = []
        origin: list[int] = []
        index = 0
        while index < len(original):
            lowered = original[index].lower()
            if len(lowered) != 1:
                lowered = original[index]
            run_end = index + 1
            while run_end < len(original) and original[run_end].lower() == lowered:
                run_end += 1
            # A letter typed three or more times in a row is one letter ("hoaksss", "bodooo"); doubles stay
            # ("maaf", "saat").
            repeats = 1 if lowered.isalpha() and run_end - index >= 3 else run_end - index
            for offset in range(repeats):
                chars.append(lowered)
                origin.append(index + offset)
            index = run_end
        self.normal = "".join(chars)
        self.origin = origin

    def span(self, start: int, end: int) -> Span:
        if start >= end:
            return Span(start=0, end=0, text="")
        first = self.origin[start]
        last = self.origin[end - 1] + 1
        while last < len(self.original) and self.original[last].lower() == self.original[last - 1].lower():
            if not self.original[last].isalpha():
                break
            last += 1  # the dropped copies of a repeated letter belong to the span
        return Span(start=first, end=last, text=self.original[first:last])


def _words(*alternatives: str) -> str:
    return r"(?:" + "|".join(alternatives) + r")"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.UNICODE)


_B = r"(?<![\w-])"  # a word starts here
_E = r"(?![\w])"  # a word ends here
_GAP = r"(?:\W+\w+){0,%d}?\W+"  # up to N words between two parts

# --- emotional tone ---------------------------------------------------------------------------------------------
_ACRONYMS = frozenset(
    "BPOM BBPOM SNI MUI UU ITE WHO FDA PT TBK CEO COO CFO CTO WIB WITA WIT SMS URL FAQ PDF KTP HALAL ISO HACCP BPJS "
    "OJK KPPU YLKI LPPOM PIRT COVID HIV DNA PCR USA UK EU PBB RI DKI NKRI BUMN BPK KPK DPR TV CS CC WA HQ PR GMP "
    "LAB QR NIE MD ML RS RSUD IGD ICU".split()
)
_EXCLAMATIONS = _compile(r"[!?]*![!?]*!+[!?]*|\?+!+|!+\?+")
_INSULTS = _compile(
    _B
    + _words(
        r"bodoh",
        r"bodo",
        r"tolol",
        r"goblo[kg]",
        r"bego",
        r"dungu",
        r"idiot\w*",
        r"otak udang",
        r"sinting",
        r"kampungan",
        r"norak",
        r"lebay",
        r"alay",
        r"pecundang",
        r"nyinyir",
        r"julid",
        r"kurang kerjaan",
        r"cari sensasi",
        r"numpang (?:tenar|viral|terkenal)",
        r"kekanak-kanakan",
        r"tidak tahu diri",
        r"tak tahu diri",
        r"stupid\w*",
        r"morons?",
        r"dumb",
        r"pathetic",
        r"clueless",
        r"ignorant",
        r"ridiculous",
        r"absurd",
        r"garbage",
        r"trolls?",
        r"haters?",
        r"keyboard warriors?",
        r"attention[- ]seek\w*",
        r"childish",
        r"losers?",
        r"nonsense",
    )
    + _E
)
_SARCASM = _compile(
    _words(
        r"terima ?kasih (?:banyak |ya )?(?:atas|untuk|buat) (?:\w+ )?(?:hoaks|hoax|fitnah|tuduhan|gosip|kebohongan)\w*",
        r"makasih (?:atas|untuk|buat) (?:\w+ )?(?:hoaks|hoax|fitnah|tuduhan|gosip)\w*",
        r"selamat,? (?:anda|kalian) (?:berhasil|sukses)",
        r"hebat sekali",
        r"pintar sekali",
        r"pinter banget",
        r"silakan (?:saja |aja )?(?:terus )?percaya",
        r"thanks? (?:a lot |so much )?for (?:the |your |all the )?(?:\w+ )?(?:rumou?rs?|lies|hoax\w*|fake news|gossip)",
        r"congratulations (?:to|on) (?:everyone|those|all) (?:who|of you)",
        r"nice try",
        r"good job (?:spreading|sharing)",
        r"oh (?:sure|great|really|please)",
        r"yeah,? right",
        r"keep (?:believing|dreaming)",
    )
)
_ANGER = _compile(
    _words(
        r"(?:kami|saya|kita) (?:sangat |sudah |benar-benar |sungguh )*(?:muak|geram|kesal|marah|murka|jengkel|gerah)",
        r"keterlaluan",
        r"kurang ajar",
        r"sudah cukup",
        r"beraninya",
        r"(?:we are|we're|i am|i'm) (?:so |very |absolutely |truly )*(?:furious|outraged|angry|disgusted|fed up|"
        r"sick and tired|sick of)",
        r"outrageous",
        r"how dare",
        r"enough is enough",
        r"shame on",
        r"disgraceful",
        r"memalukan",
    )
)
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’]{1,}\b")


def _shouting(text: str) -> Iterator[tuple[int, int]]:
    """Runs of two or more all-capital words that are not acronyms, or one such word of five or more letters
    shouted with an exclamation mark. Not shouting: a heading that is a whole line of capitals with no '!'
    ("SIARAN PERS", "## KLARIFIKASI RESMI"), and a company's registered name after PT or CV ("PT TEH SEGAR
    INDONESIA Tbk")."""
    run: list[re.Match[str]] = []

    def shouted() -> bool:
        start, end = run[0].start(), run[-1].end()
        after = text[end : end + 3]
        if "!" in after:
            return True
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[line_start : len(text) if line_end < 0 else line_end]
        if re.fullmatch(r"[#*_\s]*[A-Z][A-Z'’\s,:&/-]*[.:]?[*_\s]*", line):
            return False  # the whole line is the run: a heading
        return not re.search(r"\b(?:PT|CV)\s+$", text[max(0, start - 4) : start])

    def flush() -> Iterator[tuple[int, int]]:
        if len(run) >= 2 and sum(len(m.group()) for m in run) >= 6 and shouted():
            yield run[0].start(), run[-1].end()
        elif len(run) == 1 and len(run[0].group()) >= 5 and text[run[0].end() : run[0].end() + 1] == "!":
            yield run[0].start(), run[0].end()

    previous_end = -1
    for match in _CAPS_WORD.finditer(text):
        word = match.group().strip("'’")
        if word in _ACRONYMS or any(ch.isdigit() for ch in word):
            yield from flush()
            run = []
            previous_end = -1
            continue
        between = text[previous_end : match.start()] if previous_end >= 0 else ""
        if run and (between.strip(" ,!") != "" or "\n" in between):
            yield from flush()
            run = []
        run.append(match)
        previous_end = match.end()
    yield from flush()


# --- legal threat -----------------------------------------------------------------------------------------------
_POLICE = _words(
    r"polisi",
    r"kepolisian",
    r"bareskrim",
    r"polda",
    r"polres",
    r"polsek",
    r"aparat(?: penegak hukum)?",
    r"pihak (?:berwajib|berwenang)",
    r"penegak hukum",
    r"cyber ?crime",
    r"siber",
)
_LEGAL_THREAT = _compile(
    _words(
        _B + r"(?:men|di)?somasi\w*",
        _B + r"(?:me)?lapor(?:kan|in|kn)?" + _GAP % 6 + r"(?:ke )?" + _POLICE,
        _B + r"(?:di|ter|kami )?polisikan",
        _B + r"(?:jalur|ranah|langkah|tindakan|upaya|proses|tuntutan|gugatan|konsekuensi|sanksi|jerat) hukum",
        _B + r"(?:menuntut|dituntut|tuntut|tuntutan|gugat|gugatan|menggugat|digugat)" + _E,
        _B + r"(?:pidana|dipidana|dipenjara|penjara|dijerat|menjerat)" + _E,
        _B + r"pasal \d+",
        _B + r"(?:uu|undang-undang) (?:no\.? ?\d+ )?(?:tahun \d+ )?(?:tentang )?(?:ite|informasi dan transaksi)",
        _B + r"pencemaran nama baik",
        _B + r"(?:kuasa hukum|pengacara|advokat) kami",
        _B + r"tidak (?:akan )?segan(?:-segan)? (?:untuk )?(?:menempuh|melaporkan|mengambil|menindak|menuntut)",
        _B + r"(?:lawsuits?|sue|sued|suing)" + _E,
        _B + r"legal (?:action|steps|measures|consequences|proceedings|recourse)",
        _B + r"(?:take|taking|bring|bringing) (?:\w+ ){0,3}to court",
        _B + r"cease[- ]and[- ]desist",
        _B + r"(?:defamation|defamatory|libel\w*|slander\w*)",
        _B + r"prosecut\w+",
        _B + r"report\w* (?:\w+ ){0,5}to the (?:police|authorities)",
        _B + r"police (?:report|complaint)s?",
        _B + r"(?:our|my) (?:lawyers?|attorneys?|legal team)",
        _B + r"press(?:ing)? charges",
        _B + r"criminal (?:charges|complaint)",
        _B + r"held (?:legally )?(?:accountable|liable) (?:in|by|under) (?:law|court)",
    )
)

# --- bare denial ------------------------------------------------------------------------------------------------
_DENIAL = _compile(
    _words(
        _B + r"(?:tidak|tdk|gak|ga|nggak|ngga|enggak|tak) (?:benar|bener|betul)" + _E,
        _B + r"(?:hoaks|hoax|hoks|hox)\w*",
        _B + r"berita (?:bohong|palsu)",
        _B + r"bohong" + _E,
        _B + r"fitnah\w*",
        _B + r"(?:tidak|tanpa) (?:ber)?dasar" + _E,
        _B + r"(?:kabar|informasi|isu|info) (?:palsu|bohong|yang (?:tidak|tdk) benar)",
        _B + r"(?:kami )?membantah(?: keras)?",
        _B + r"fake news",
        _B
        + r"(?:is|are|was|were) (?:completely |totally |simply |absolutely )?(?:not true|untrue|false|fake|a lie|lies)",
        _B + r"(?:untrue|baseless|unfounded|fabricated)" + _E,
        _B + r"(?:categorically|strongly|firmly) (?:deny|denies|reject)",
        _B + r"we deny",
        _B + r"not true",
    )
)
_EVIDENCE = _compile(
    _words(
        r"https?://",
        r"\]\(",
        r"www\.",
        _B + r"hasil (?:uji|lab\w*|pemeriksaan|pengujian|tes|test|analisis|penelitian|audit|investigasi)",
        _B + r"(?:uji|laboratori)\w*",
        _B + r"b?bpom",
        _B + r"regulator\w*",
        _B + r"sertifika\w+",
        _B + r"(?:bukti|data|dokumen|temuan) (?:\w+ ){0,3}(?:menunjukkan|membuktikan|resmi|lengkap)",
        _B + r"nomor (?:registrasi|izin)|izin edar",
        _B + r"(?:lab|laborator\w+|tests?|tested|testing|test results|analysis|audit\w*|inspection\w*|certif\w+)" + _E,
        _B + r"(?:evidence|findings?|documents?) (?:show\w*|confirm\w*|from|published|is|are)",
        _B + r"independent",
    )
)

# --- blames the public ------------------------------------------------------------------------------------------
_PUBLIC = _words(
    r"konsumen",
    r"pelanggan",
    r"pembeli",
    r"pengguna",
    r"pemakai",
    r"netizen",
    r"netijen",
    r"warganet",
    r"warga net",
    r"masyarakat",
    r"publik",
    r"korban",
    r"pasien",
    r"anda",
    r"kalian",
    r"mereka",
    r"orang-orang",
    r"penyebar\w*",
    r"customers?",
    r"consumers?",
    r"users?",
    r"buyers?",
    r"netizens?",
    r"the public",
    r"people",
    r"victims?",
    r"patients?",
    r"those who",
    r"you",
    r"they",
    r"guests?",
    r"passengers?",
    r"residents?",
    r"drivers?",
    r"owners?",
    r"parents?",
    r"fans?",
    r"followers?",
    r"tamu",
    r"penumpang",
    r"warga",
    r"pemilik",
    r"pengemudi",
    r"orang tua",
    r"penggemar",
)
_BLAME = _words(
    r"salah",
    r"kesalahan",
    r"kelalaian",
    r"lalai",
    r"ceroboh",
    r"teledor",
    r"tidak (?:membaca|mengikuti|teliti|hati-hati|berhati-hati|cermat|bijak|paham|mengerti)",
    r"tdk (?:membaca|mengikuti|teliti|paham)",
    r"kurang (?:teliti|hati-hati|cermat|bijak|edukasi|pintar|paham|cerdas|literasi)",
    r"mudah (?:percaya|terprovokasi|termakan|tertipu|dibohongi)",
    r"gampang (?:percaya|termakan|tertipu|diprovokasi)",
    r"termakan",
    r"asal (?:share|sebar|bagi|percaya)",
    r"menyalahgunakan",
    r"seharusnya",
    r"harusnya",
    r"makanya",
    r"sendiri yang",
    r"faults?",
    r"to blame",
    r"blame",
    r"careless\w*",
    r"negligen\w+",
    r"misus\w+",
    r"did not (?:read|follow|store|check)",
    r"didn'?t (?:read|follow|store|check|bother)",
    r"should have",
    r"improper(?:ly)?",
    r"incorrect(?:ly)?",
    r"mishandl\w+",
    r"gullible",
    r"irresponsibl\w+",
    r"overreact\w*",
    r"hysteri\w+",
    r"blindly",
    r"fell for",
    r"falling for",
    r"made (?:\w+ ){0,3}worse",
    r"worsened",
    r"memperparah",
    r"nekat",
    r"ikut menyebabkan",
    r"memperburuk",
    r"bikin (?:makin |tambah )?parah",
)
_BLAMES = _compile(_B + _PUBLIC + r"(?P<gap>(?:\W+\w+){0,8}?)\W+" + r"(?P<blame>" + _BLAME + r")" + _E)
_BLAMES_REVERSED = _compile(_B + r"(?:seharusnya|harusnya|mestinya|semestinya)\W+" + _PUBLIC + _E)
_FIRST_PERSON = _compile(_B + _words(r"kami", r"kita", r"we", r"our", r"us", r"saya", r"i") + _E)
_NEGATION = _compile(
    _B + _words(r"bukan", r"not", r"no", r"never", r"tidak ada", r"tanpa", r"nothing", r"isn't", r"wasn't") + _E
)

# --- speculation ------------------------------------------------------------------------------------------------
_SPECULATION_ALONE = _compile(
    _words(
        _B + r"(?:kami |kita |saya )?(?:menduga|curiga|mencurigai|menyangka)",
        _B + r"jangan-jangan",
        _B + r"(?:ada )?(?:pihak|oknum) (?:tertentu|yang ingin|yang sengaja|yang tidak bertanggung jawab)",
        _B + r"ulah (?:pesaing|kompetitor|oknum|pihak)",
        _B + r"sabotase",
        _B + r"persaingan (?:bisnis|usaha)",
        _B + r"kampanye hitam|black campaign",
        _B + r"(?:dalang|ditunggangi|diorkestrasi|digerakkan oleh)",
        _B + r"(?:pesaing|kompetitor)",
        _B + r"(?:we|i) (?:suspect|assume|guess)",
        _B + r"sabotag\w+",
        _B + r"(?:competitors?|rivals?)" + _E,
        _B + r"smear campaign",
        _B + r"orchestrated",
        _B + r"coordinated (?:attack|campaign)",
        _B + r"bad actors",
        _B + r"certain (?:parties|people|groups|individuals)",
        _B + r"(?:someone|somebody) (?:is|was|must be) behind",
    )
)
_SPECULATION_HEDGE = _compile(
    _words(
        _B + r"diduga(?: kuat)?",
        _B + r"kemungkinan(?: besar)?",
        _B + r"mungkin",
        _B + r"barangkali",
        _B + r"sepertinya|tampaknya|kelihatannya|sepertinya",
        _B + r"(?:kami|kita) (?:yakin|percaya|menilai|rasa|pikir)",
        _B + r"(?:we|i) (?:believe|think|feel)",
        _B + r"probably|likely|possibly|presumably|apparently",
        _B + r"(?:may|might|could|must) (?:have been|be)",
        _B + r"(?:appears|seems) (?:to|that)",
    )
)
_CAUSE = _compile(
    _B
    + _words(
        r"disebabkan",
        r"penyebab\w*",
        r"karena",
        r"akibat",
        r"ulah",
        r"oleh",
        r"sengaja",
        r"caused?",
        r"causing",
        r"due to",
        r"because",
        r"behind",
        r"result of",
        r"the work of",
        r"responsible",
        r"deliberate\w*",
        r"intentional\w*",
        r"tamper\w*",
    )
    + _E
)
_NO_EVIDENCE_OF = _compile(
    _words(r"tidak ada (?:indikasi|bukti|tanda)", r"no (?:evidence|sign|indication)s? (?:of|that)", r"not") + r"\W*$"
)

# --- what a statement must contain ------------------------------------------------------------------------------
_CONTACT = _compile(
    _words(
        r"[\w.+-]+@[\w-]+\.[\w.-]+",
        r"\+?\d[\d .()-]{5,}\d",
        _B + r"\d{4,6}" + _E,
        _B + r"(?:hubungi|menghubungi|kontak|contact|call|telepon|telp|tel|whatsapp|wa|hotline|email|e-mail)" + _E,
        _B + r"(?:layanan|pusat) (?:konsumen|pelanggan|pengaduan|bantuan|informasi)",
        _B + r"(?:call|contact|care) ?(?:cent(?:er|re)|line)",
        _B + r"customer (?:care|service|support|line)",
        _B + r"(?:reach|write to|email|e-mail|message) us",
        _B + r"careline",
        r"https?://\S*(?:bantuan|help|support|contact|kontak|pengaduan)",
    )
)
_ID_ACTION_ROOTS = (
    "tarik tarik kembali hentikan selidiki periksa uji ganti kembalikan tinjau evaluasi perbaiki telusuri serahkan "
    "kirim investigasi buka sediakan tanggung audit perketat tambah tambahkan laporkan dampingi kumpulkan tutup "
    "tangguhkan bekukan pastikan pulihkan blokir hubungi siapkan tunjuk bersihkan tukar bayar biayai amankan "
    "nonaktifkan isolasi kerahkan pantau cek revisi bentuk latih undang selesaikan proses kaji tindaklanjuti rawat "
    "obati evakuasi setop gratiskan turunkan sisir temui kunjungi jemput antar data"
).split()
# The same roots with the prefixes Indonesian puts on them: men-, mem-, meng-, meny- (sound changes included),
# di- for the passive, and the bare root after "kami" ("cabang itu kami tutup").
_ID_ACTIVE = _words(
    r"me(?:n|m|ng|ny)?\w*(?:" + "|".join(root[1:] for root in _ID_ACTION_ROOTS) + r")\w*",
    r"bekerja(?: sama)?",
    r"berkoordinasi",
    r"berupaya",
    r"berusaha",
    r"bertemu",
    r"berkomitmen",
)
_ID_PASSIVE = _words(r"di(?:" + "|".join(_ID_ACTION_ROOTS) + r")\w*")
_ID_BARE = _words(*_ID_ACTION_ROOTS)
_ID_MARKER = _words(
    r"kami",
    r"kita",
    r"tim",
    r"perusahaan",
    r"manajemen",
    r"akan",
    r"sedang",
    r"telah",
    r"sudah",
    r"tengah",
    r"segera",
    r"terus",
    r"kini",
    r"mulai",
    r"juga",
    r"langsung",
    r"masih",
)
_EN_SUBJECT = _words(
    r"we", r"we're", r"we've", r"we'll", r"our \w+", r"the company", r"\w+ teams?", r"(?:any|every|all) \w+ \w+"
)
_EN_ACTION = _words(
    r"recall\w*",
    r"halt\w*",
    r"paus\w+",
    r"suspend\w*",
    r"investigat\w+",
    r"\w*test\w*",
    r"work\w*",
    r"cooperat\w+",
    r"refund\w*",
    r"replac\w+",
    r"review\w*",
    r"inspect\w+",
    r"audit\w*",
    r"contact\w*",
    r"reach\w* out",
    r"offer\w*",
    r"provid\w+",
    r"set up",
    r"open\w*",
    r"launch\w*",
    r"commission\w*",
    r"fix\w*",
    r"strengthen\w*",
    r"tighten\w*",
    r"sent",
    r"send\w*",
    r"shar\w+",
    r"publish\w*",
    r"report\w*",
    r"pull\w*",
    r"remov\w+",
    r"stop\w*",
    r"clos\w+",
    r"ensur\w+",
    r"check\w*",
    r"visit\w*",
    r"cover\w*",
    r"compensat\w+",
    r"retrain\w*",
    r"add\w*",
    r"hired?",
    r"appoint\w*",
    r"withdr[ae]w\w*",
    r"notif\w+",
    r"restor\w+",
    r"block\w*",
    r"arrang\w+",
    r"continu\w* to \w+",
    r"speak\w*",
    r"spoke",
    r"meet\w*",
    r"met",
    r"call\w*",
    r"trac\w+",
    r"monitor\w*",
    r"exchang\w+",
    r"repair\w*",
    r"collect\w*",
    r"secur\w+",
    r"patch\w*",
    r"deploy\w*",
    r"assign\w*",
    r"evacuat\w+",
    r"treat\w*",
    r"suppl\w+",
)
# What a company says it feels or knows is not something it is doing.
_ID_NOT_ACTION = (
    _words(
        r"mem?ahami",
        r"mengerti",
        r"menyadari",
        r"mengetahui",
        r"mendengar",
        r"menerima",
        r"menyesal\w*",
        r"menyayangkan",
        r"menghargai",
        r"mengapresiasi",
        r"mengucapkan",
        r"memohon",
        r"meminta maaf",
        r"merasa",
        r"mengimbau",
        r"mengharapkan",
        r"melihat",
        r"membaca",
        r"memperhatikan",
        r"mencermati",
        r"mengikuti",
        r"menunggu",
        r"mengira",
        r"menduga",
        r"mencurigai",
        r"meyakini",
        r"menilai",
        r"menganggap",
    )
    + r"\b"
)
_EN_NOT_ACTION = (
    _words(
        r"heard",
        r"received",
        r"receiving",
        r"seen",
        r"noticed",
        r"learned",
        r"learnt",
        r"understood",
        r"saddened",
        r"concerned",
        r"worried",
        r"disappointed",
        r"committed",
        r"shocked",
        r"surprised",
        r"troubled",
        r"pleased",
        r"alarmed",
        r"hearing",
        r"seeing",
        r"reading",
        r"feeling",
        r"waiting",
        r"hoping",
        r"aware",
        r"noted",
        r"following",
        r"watching",
        r"experiencing",
        r"facing",
        r"asked",
        r"asking",
        r"accused",
        r"blamed",
        r"expected",
        r"expecting",
        r"suspected",
        r"assumed",
        r"guessed",
        r"believed",
        r"thinking",
        r"being",
    )
    + r"\b"
)
_ACTION = _compile(
    _words(
        _B + _ID_MARKER + r" (?:\w+ )?" + _ID_ACTIVE + _E,
        _B + _ID_MARKER + r" (?:\w+ )?" + _ID_PASSIVE + _E,
        _B + r"(?:kami|kita) " + _ID_BARE + _E,
        _B + _EN_SUBJECT + r"(?: (?:are|have|will|had|has|immediately|already|now|also|today|been|still|is|"
        r"'re|'ve|'ll|can|be))* " + _EN_ACTION + _E,
        _B
        + r"(?:being|been|be) (?:\w+ )?"
        + _words(
            r"re\w+",
            r"test\w*",
            r"inspect\w*",
            r"replac\w+",
            r"recall\w*",
            r"review\w*",
            r"investigat\w+",
            r"repair\w*",
            r"fix\w*",
            r"clos\w+",
            r"restor\w+",
            r"refund\w*",
        )
        + _E,
        _B + r"(?:kami|kita|tim \w+|tim|\w+ kami|perusahaan) (?:telah|sudah|sedang|akan|tengah|segera|terus) "
        r"(?!" + _ID_NOT_ACTION + r")me\w+",
        _B + _EN_SUBJECT + r" (?:have|'ve|had|has) (?:already |now |also |just )?(?!" + _EN_NOT_ACTION + r")\w+ed" + _E,
        _B + _EN_SUBJECT + r" (?:are|'re|is) (?:now |still |also |already )?(?!" + _EN_NOT_ACTION + r")\w+ing" + _E,
        _B + r"will receive (?:a |an )?(?:\w+ )?(?:refund|credit|compensation|replacement|voucher)",
        _B + r"(?:penarikan|penghentian|investigasi|penyelidikan|kompensasi|ganti rugi|pengembalian dana|"
        r"penggantian|tanpa biaya|gratis|free of charge|compensation|refunds?|recall)" + _E,
    )
)
_UPDATE_WORD = _words(
    r"pembaruan",
    r"pemutakhiran",
    r"update\w*",
    r"informasi",
    r"kabar",
    r"perkembangan",
    r"laporan",
    r"penjelasan",
    r"pengumuman",
    r"keterangan",
    r"hasil\w*",
)
_TIME_MARKER = _words(
    r"pukul",
    r"jam \d",
    r"\d{1,2}[.:]\d{2}",
    r"wib|wita|wit|utc|gmt",
    r"besok",
    r"hari ini",
    r"malam ini",
    r"sore ini",
    r"siang ini",
    r"pagi ini",
    r"lusa",
    r"(?:dalam|setiap|tiap) (?:\d+|satu|dua|tiga|empat|enam|dua belas|24) jam",
    r"(?:dalam|setiap|tiap) (?:\d+|satu|dua|tiga) hari",
    r"paling lambat",
    r"selambat-lambatnya",
    r"senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu",
    r"tomorrow",
    r"tonight",
    r"today",
    r"this (?:evening|afternoon|morning|week)",
    r"(?:within|in|every) (?:the next )?(?:\d+|one|two|three|four|six|twelve|24|48) (?:hours?|days?)",
    r"by (?:\d|noon|midday|the end of)",
    r"at \d",
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday",
    r"\d{1,2} (?:jan\w*|feb\w*|mar\w*|apr\w*|mei|may|jun\w*|jul\w*|agu\w*|aug\w*|sep\w*|okt\w*|oct\w*|nov\w*|des\w*"
    r"|dec\w*)",
    r"(?:a\.m\.|p\.m\.|am|pm)",
    r"setiap hari",
    r"every day|daily",
)
_TELL = _words(
    r"publish\w*",
    r"shar\w+",
    r"post\w*",
    r"updat\w+",
    r"report\w*",
    r"announc\w+",
    r"inform\w*",
    r"tell",
    r"send",
    r"outcome",
    r"results?",
    r"findings?",
    r"progress",
    r"news",
    r"(?:me|di)?(?:nyampaikan|sampaikan)\w*",
    r"(?:meng|di)?umumkan\w*",
    r"(?:meng)?kabar\w*",
    r"(?:me|di)?laporkan\w*",
    r"(?:meng|di)?informasikan\w*",
    r"(?:mem|di)?bagikan\w*",
    r"(?:mem|di)?perbarui\w*",
    r"pembaruan",
    r"hasil\w*",
    r"perkembangan\w*",
    r"penjelasan",
    r"pengumuman",
    r"pemutakhiran",
    r"informasi",
    r"kabar",
)
_NEXT_UPDATE = _compile(
    _words(
        _B + r"(?:next|further|another|following|final) updates?",
        _B + r"(?:(?:mem|di)perbarui\w*|updat\w*|(?:meng|di)umumkan\w*|publish\w*|post\w*)(?:\W+\w+){0,8}?\W+"
        r"(?:setiap|tiap|every|each|daily)" + _E,
        _B + r"(?:pembaruan|update|informasi|kabar|laporan|pengumuman) (?:\w+ ){0,2}"
        r"(?:berikutnya|selanjutnya|terakhir|terbaru)",
        _B
        + r"(?:we will|we'll|we shall|we are going to|kami akan|kita akan|akan kami|will be|akan di\w+)"
        + _GAP % 10
        + _TELL,
        _B + _UPDATE_WORD + r"(?:\W+\w+){0,10}?\W+(?:akan )?(?:kami |disampaikan|diumumkan|dibagikan|diperbarui|"
        r"will be|will follow|follows?|coming|menyusul)",
    )
)
_TIME = _compile(_B + _TIME_MARKER + _E)
_JARGON = _compile(
    _B
    + _words(
        r"force majeure",
        r"pursuant to",
        r"heretofore",
        r"hereinafter",
        r"notwithstanding",
        r"aforementioned",
        r"synerg\w+",
        r"paradigm\w*",
        r"bahwasanya",
        r"sehubungan dengan hal tersebut di atas",
        r"dengan hormat kami sampaikan bahwasanya",
    )
    + _E
)
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)


@dataclass(frozen=True)
class _Hit:
    rule: ToneRule
    start: int
    end: int


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    for match in _SENTENCE.finditer(text):
        if match.group().strip():
            yield match.start(), match.end()


def _emotional(text: _Text) -> Iterator[_Hit]:
    for start, end in _shouting(text.original):
        # _shouting works on the original (it needs the capitals); map back through the normalised offsets.
        yield _Hit(ToneRule.EMOTIONAL_TONE, _normal_offset(text, start), _normal_offset(text, end))
    for pattern in (_EXCLAMATIONS, _INSULTS, _SARCASM, _ANGER):
        for match in pattern.finditer(text.normal):
            yield _Hit(ToneRule.EMOTIONAL_TONE, match.start(), match.end())


def _normal_offset(text: _Text, original_offset: int) -> int:
    for index, origin in enumerate(text.origin):
        if origin >= original_offset:
            return index
    return len(text.origin)


def _legal(text: _Text) -> Iterator[_Hit]:
    for match in _LEGAL_THREAT.finditer(text.normal):
        yield _Hit(ToneRule.LEGAL_THREAT, match.start(), match.end())


_CONTACT_URL = _compile(r"https?://\S*(?:bantuan|help|support|contact|kontak|pengaduan|hubungi)\S*")


def _bare_denial(text: _Text) -> Iterator[_Hit]:
    # A link to the help desk is a way to complain, not evidence.
    if _EVIDENCE.search(_CONTACT_URL.sub(" ", text.normal)):
        return
    for match in _DENIAL.finditer(text.normal):
        yield _Hit(ToneRule.BARE_DENIAL, match.start(), match.end())


def _blames(text: _Text) -> Iterator[_Hit]:
    for start, end in _sentences(text.normal):
        sentence = text.normal[start:end]
        for match in _BLAMES.finditer(sentence):
            if _FIRST_PERSON.search(match.group("gap")):
                continue  # "customers ... we failed to": the company blames itself
            if _NEGATION.search(sentence[max(0, match.start() - 20) : match.start("blame")]):
                continue  # "not the customers' fault"
            yield _Hit(ToneRule.BLAMES_PUBLIC, start + match.start(), start + match.end())
        for match in _BLAMES_REVERSED.finditer(sentence):
            yield _Hit(ToneRule.BLAMES_PUBLIC, start + match.start(), start + match.end())


def _speculation(text: _Text) -> Iterator[_Hit]:
    for start, end in _sentences(text.normal):
        sentence = text.normal[start:end]
        for match in _SPECULATION_ALONE.finditer(sentence):
            if _NO_EVIDENCE_OF.search(sentence[: match.start()][-40:]):
                continue  # "there is no evidence of sabotage"
            yield _Hit(ToneRule.SPECULATION, start + match.start(), start + match.end())
        if _CAUSE.search(sentence):
            for match in _SPECULATION_HEDGE.finditer(sentence):
                if _NO_EVIDENCE_OF.search(sentence[: match.start()][-12:]):
                    continue
                yield _Hit(ToneRule.SPECULATION, start + match.start(), start + match.end())


def _missing(text: _Text) -> Iterator[_Hit]:
    if not _CONTACT.search(text.normal):
        yield _Hit(ToneRule.MISSING_CONTACT, 0, 0)
    if not _ACTION.search(text.normal):
        yield _Hit(ToneRule.MISSING_ACTION, 0, 0)
    promised = any(
        _NEXT_UPDATE.search(text.normal[start:end]) and _TIME.search(text.normal[start:end])
        for start, end in _sentences(text.normal)
    )
    if not promised:
        yield _Hit(ToneRule.MISSING_NEXT_UPDATE, 0, 0)


def _readability(text: _Text) -> Iterator[_Hit]:
    for start, end in _sentences(text.normal):
        if len(re.findall(r"\w+", text.normal[start:end])) > LONG_SENTENCE_WORDS:
            yield _Hit(ToneRule.LONG_SENTENCE, start, end)
    for match in _JARGON.finditer(text.normal):
        yield _Hit(ToneRule.JARGON, match.start(), match.end())


_CHECKS: tuple[Callable[[_Text], Iterator[_Hit]], ...] = (
    _emotional,
    _legal,
    _bare_denial,
    _blames,
    _speculation,
    _missing,
    _readability,
)

_INDONESIAN_WORDS = frozenset(
    "yang dan di ke dari ini itu kami kita tidak untuk dengan akan pada adalah dalam kepada telah sedang atau "
    "juga produk konsumen kabar hari".split()
)
_ENGLISH_WORDS = frozenset(
    "the and of to in is are we our not for with will on that this have has be by from you your".split()
)


def guess_language(text: str) -> Language:
    words = re.findall(r"[a-z]+", text.lower())
    indonesian = sum(word in _INDONESIAN_WORDS for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    return Language.ENGLISH if english > indonesian else Language.INDONESIAN


def check(text: str, language: Language | None = None) -> list[Finding]:
    """Every finding on one statement text (Markdown or plain), in the order they appear."""
    normalised = _Text(text)
    advice_language = language or guess_language(text)
    findings: list[Finding] = []
    seen: set[tuple[ToneRule, int, int]] = set()
    for check_one in _CHECKS:
        for hit in check_one(normalised):
            span = normalised.span(hit.start, hit.end)
            key = (hit.rule, span.start, span.end)
            if key in seen or any(_overlaps(key, other) for other in seen if other[0] == hit.rule):
                continue
            seen.add(key)
            explanation, suggestion = _ADVICE[hit.rule][advice_language]
            findings.append(
                Finding(
                    rule=hit.rule,
                    severity=SEVERITY[hit.rule],
                    span=span,
                    explanation=explanation,
                    suggestion=suggestion,
                )
            )
    return sorted(findings, key=lambda finding: (finding.span.start, finding.rule.value))


def _overlaps(one: tuple[ToneRule, int, int], other: tuple[ToneRule, int, int]) -> bool:
    return one[1] < other[2] and other[1] < one[2]


def blocking(findings: list[Finding]) -> list[Finding]:
    """The findings that stop a statement being approved unless overridden."""
    return [finding for finding in findings if finding.severity is FindingSeverity.ERROR]

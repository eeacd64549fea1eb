"""The tone check's word lists and patterns, in Indonesian and English, informal spellings included. They match
on the normalised text (lower case, a letter typed three times or more read once); see `tone.check`."""

from __future__ import annotations

import re
from collections.abc import Iterator


def any_of(*alternatives: str) -> str:
    return r"(?:" + "|".join(alternatives) + r")"


def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.UNICODE)


B = r"(?<![\w-])"  # a word starts here
E = r"(?![\w])"  # a word ends here
GAP = r"(?:\W+\w+){0,%d}?\W+"  # up to N words between two parts

# --- emotional tone ---------------------------------------------------------------------------------------------
ACRONYMS = frozenset(
    "BPOM BBPOM SNI MUI UU ITE WHO FDA PT TBK CEO COO CFO CTO WIB WITA WIT SMS URL FAQ PDF KTP HALAL ISO HACCP BPJS "
    "OJK KPPU YLKI LPPOM PIRT COVID HIV DNA PCR USA UK EU PBB RI DKI NKRI BUMN BPK KPK DPR TV CS CC WA HQ PR GMP "
    "LAB QR NIE MD ML RS RSUD IGD ICU".split()
)
EXCLAMATIONS = compiled(r"[!?]*![!?]*!+[!?]*|\?+!+|!+\?+")
INSULTS = compiled(
    B
    + any_of(
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
    + E
)
SARCASM = compiled(
    any_of(
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
        r"why (?:on earth |in the world )?would (?:we|anyone|a company)",
        r"how could we (?:ever|possibly)",
        r"(?:apa|buat apa|untuk apa) (?:untungnya|gunanya) (?:bagi|buat|untuk) kami",
        r"mana mungkin kami",
        r"kok (?:bisa|mau) (?:ya )?(?:orang|netizen|kalian|masyarakat|anda)",
        r"(?:hoaks|hoax|isu|berita|fitnah) murahan",
        r"cheap (?:rumou?rs?|lies|hoax\w*|gossip)",
        r"apparently,? (?:some|certain|a few) (?:people|folks|users|netizens|experts)",
        r"know(?:s)? (?:more|better) (?:\w+ ){0,5}than (?:our|the|actual|real)",
        r"(?:katanya|rupanya) (?:ada )?(?:yang )?lebih (?:tahu|paham|pintar)",
    )
)
ANGER = compiled(
    any_of(
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
        # exasperation and scorn, whoever the sentence names
        B + r"(?:tired|sick|weary) of" + E,
        B + r"fed up" + E,
        B + r"enough with" + E,
        B + r"(?:laughable|pathetic)" + E,
        B + r"(?:capek|lelah|bosan) (?:dengan|sama|menghadapi)" + E,
        B + r"konyol" + E,
        B + r"tega" + E,
    )
)
CAPS_WORD = re.compile(r"\b[A-Z][A-Z'’]{1,}\b")


def shouting(text: str) -> Iterator[tuple[int, int]]:
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
    for match in CAPS_WORD.finditer(text):
        word = match.group().strip("'’")
        if word in ACRONYMS or any(ch.isdigit() for ch in word):
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
POLICE = any_of(
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
LEGAL_THREAT = compiled(
    any_of(
        B + r"(?:men|di)?somasi\w*",
        B + r"(?:me)?lapor(?:kan|in|kn)?" + GAP % 6 + r"(?:ke )?" + POLICE,
        B + r"(?:di|ter|kami )?polisikan",
        B + r"(?:jalur|ranah|langkah|tindakan|upaya|proses|tuntutan|gugatan|konsekuensi|sanksi|jerat) hukum",
        B + r"(?:menuntut|dituntut|tuntut|tuntutan|gugat|gugatan|menggugat|digugat)" + E,
        B + r"(?:pidana|dipidana|dipenjara|penjara|dijerat|menjerat)" + E,
        B + r"pasal \d+",
        B + r"(?:uu|undang-undang) (?:no\.? ?\d+ )?(?:tahun \d+ )?(?:tentang )?(?:ite|informasi dan transaksi)",
        B + r"pencemaran nama baik",
        B + r"(?:kuasa hukum|pengacara|advokat) kami",
        B + r"tidak (?:akan )?segan(?:-segan)? (?:untuk )?(?:menempuh|melaporkan|mengambil|menindak|menuntut)",
        B + r"(?:lawsuits?|sue|sued|suing)" + E,
        B + r"legal (?:action|steps|measures|consequences|proceedings|recourse)",
        B + r"(?:take|taking|bring|bringing) (?:\w+ ){0,3}to court",
        B + r"cease[- ]and[- ]desist",
        B + r"(?:defamation|defamatory|libel\w*|slander\w*)",
        B + r"prosecut\w+",
        B + r"report\w* (?:\w+ ){0,5}to the (?:police|authorities)",
        B + r"police (?:report|complaint)s?",
        B + r"(?:our|my) (?:lawyers?|attorneys?|legal team|solicitors?|counsel|law firm)",
        B + r"(?:proses|tindak|tindaklanjuti|tempuh|bawa)\w* (?:\w+ ){0,3}(?:sesuai|secara|ke) "
        r"(?:ketentuan |jalur |ranah )?hukum",
        B + r"reserve (?:the|our|all) rights? to (?:take|pursue|seek)",
        B + r"press(?:ing)? charges",
        B + r"criminal (?:charges|complaint)",
        B + r"held (?:legally )?(?:accountable|liable) (?:in|by|under) (?:law|court)",
    )
)

# --- bare denial ------------------------------------------------------------------------------------------------
DENIAL = compiled(
    any_of(
        B + r"(?:tidak|tdk|gak|ga|nggak|ngga|enggak|tak) (?:benar|bener|betul)" + E,
        B + r"(?:hoaks|hoax|hoks|hox)\w*",
        B + r"berita (?:bohong|palsu)",
        B + r"bohong" + E,
        B + r"fitnah\w*",
        B + r"(?:tidak|tanpa) (?:ber)?dasar" + E,
        B + r"(?:kabar|informasi|isu|info) (?:palsu|bohong|yang (?:tidak|tdk) benar)",
        B + r"(?:kami )?membantah(?: keras)?",
        B + r"fake news",
        B
        + r"(?:is|are|was|were) (?:completely |totally |simply |absolutely )?(?:not true|untrue|false|fake|a lie|lies)",
        B + r"(?:untrue|baseless|unfounded|fabricated)" + E,
        B + r"(?:categorically|strongly|firmly) (?:deny|denies|reject)",
        B + r"we deny",
        B + r"not true",
        B + r"no truth (?:whatsoever )?(?:to|in)",
        B + r"tidak dapat dipertanggungjawabkan" + E,
    )
)
EVIDENCE = compiled(
    any_of(
        r"https?://",
        r"\]\(",
        r"www\.",
        B + r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/[\w/.-]*\w",  # a page named by its address without the scheme
        B + r"hasil (?:uji|lab\w*|pemeriksaan|pengujian|tes|test|analisis|penelitian|audit|investigasi)",
        B + r"(?:uji|laboratori)\w*",
        B + r"b?bpom",
        B + r"regulator\w*",
        B + r"sertifika\w+",
        B + r"(?:bukti|data|dokumen|temuan) (?:\w+ ){0,3}(?:menunjukkan|membuktikan|resmi|lengkap)",
        B + r"nomor (?:registrasi|izin)|izin edar",
        B + r"(?:lab|laborator\w+|tests?|tested|testing|test results|analysis|audit\w*|inspection\w*|certif\w+)" + E,
        B + r"(?:evidence|findings?|documents?) (?:show\w*|confirm\w*|from|published|is|are)",
        B + r"independent",
    )
)

# --- blames the public ------------------------------------------------------------------------------------------
PUBLIC = any_of(
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
    r"nasabah",
    r"pengunjung",
    r"penonton",
    r"pembaca",
    r"mahasiswa",
    r"siswa",
    r"pemudik",
    r"pengendara",
    r"pemegang polis",
    r"riders?",
    r"members?",
    r"subscribers?",
    r"shoppers?",
    r"travell?ers?",
    r"students?",
    r"clients?",
    r"visitors?",
    r"viewers?",
    r"readers?",
    r"motorists?",
    r"commuters?",
    r"policyholders?",
)
BLAME = any_of(
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
    r"(?:shared|gave(?: away)?|disclosed|handed over|membagikan|memberikan|menyebarkan) (?:[\w-]+ ){0,3}"
    r"(?:codes?|otp|pins?|passwords?|kode|kata sandi|sandi)",
    r"(?:set|entered|typed|chose|picked|selected|used|memasukkan|memilih|mengisi|memakai) (?:the |a |an )?"
    r"(?:wrong|incorrect|salah)",
    r"salah (?:memasukkan|memilih|mengisi|input|ketik)",
    r"tidak (?:melengkapi|mematuhi|menjaga|memperbarui|mengaktifkan|mengganti|menaati|memperhatikan)",
    r"ignor\w* (?:\w+ ){0,2}(?:warnings?|instructions?|advice|rules|guidance|guidelines)",
    r"mengabaikan (?:\w+ ){0,2}(?:peringatan|imbauan|petunjuk|aturan|instruksi)",
    r"put (?:their|your) own",
    r"yang (?:datang |tiba |hadir )?(?:terlambat|telat|lupa|mengabaikan|nekat|memaksa)",
    r"who (?:arrived late|came late|were late|was late|forgot|ignored|insisted)",
)
# The public named as the cause: "because riders ...", "karena masyarakat tidak ...".
CAUSED_BY_PUBLIC = compiled(
    B + r"(?:because|since|karena|akibat|gara-gara|due to|caused by|disebabkan oleh)\W+(?:(?:some|many|most|a few|"
    r"several|sebagian|beberapa|banyak|para|the|our) )?"
    + PUBLIC
    + r"\W+(?:yang )?(?:tidak|tak|gak|belum|lupa|salah|terlambat|telat|lalai|mengabaikan|membagikan|memberikan|"
    r"set|entered|typed|chose|picked|shared|gave|ignored|forgot|failed|did not|didn't|arrived late|were late|"
    r"clicked|misused|kept|stored|left|opened|downloaded|installed|bought|ate|drank|menyimpan|membiarkan|membuka|"
    r"mengklik|mengunduh|memasang|membeli|mengonsumsi|memakai|menggunakan)" + E
)
# Sorry for how people feel, not for what happened: "sorry that some customers feel upset", "mohon maaf apabila
# ada pihak yang merasa tersinggung", "we regret that a few guests were disappointed".
NON_APOLOGY = compiled(
    B
    + r"(?:sorry|apologi[sz]e|regret|maaf)(?:\W+\w+){0,4}?\W+(?:if|that|jika|apabila|bila|kalau|seandainya|who|yang)"
    + r"(?:\W+\w+){0,6}?\W+(?:feel|feels|felt|were|was|are|is|merasa|terasa|may have been|might have been|"
    r"may be|might be)\W+"
    + r"(?:upset|offended|disappointed|hurt|uncomfortable|unhappy|confused|misled|tersinggung|kecewa|tidak nyaman|"
    r"dirugikan|sakit hati|bingung)" + E
)
# Harm said to happen whenever the public does something: "these incidents happen when parents leave ...".
HAPPENS_WHEN_PUBLIC = compiled(
    B
    + r"(?:happen\w*|occur\w*|terjadi|muncul) (?:\w+ )?(?:when|whenever|if|because|ketika|saat|karena|kalau|bila|jika)"
    + r"\W+(?:(?:some|many|the|para|sebagian) )?"
    + PUBLIC
    + r"(?!\W+(?:kami|kita)\b)"  # "pengemudi kami": the company's own people, not the public
    + E
)
# Whoever reused a leaked or weak password is a customer: saying so puts the breach on them.
CREDENTIALS_BLAMED = compiled(
    B + r"(?:used|reused|re-used|chose|picked|memakai|menggunakan) (?:\w+ ){0,3}(?:weak|leaked|simple|the same|lemah|"
    r"bocor|sama) (?:\w+ )?(?:passwords?|kata sandi|sandi)(?:\W+\w+){0,3}?\W+(?:that|which|yang)?"
    + r"|"
    + B
    + r"(?:passwords?|kata sandi|sandi) (?:that|which|yang) (?:had |has )?(?:already )?(?:leaked|bocor)"
)
# Talking down to the people who complain: "try restarting your phone before complaining".
PATRONISING = compiled(
    B + r"(?:try|coba|please|silakan|mohon)(?:\W+\w+){0,5}?\W+(?:before|sebelum) (?:complaining|komplain|protes|"
    r"mengeluh|posting|ngomel|nyinyir|spreading|menyebar\w*)" + E
)
BLAMES = compiled(B + PUBLIC + r"(?P<gap>(?:\W+\w+){0,8}?)\W+" + r"(?P<blame>" + BLAME + r")" + E)
BLAMES_REVERSED = compiled(B + r"(?:seharusnya|harusnya|mestinya|semestinya)\W+" + PUBLIC + E)
FIRST_PERSON = compiled(B + any_of(r"kami", r"kita", r"we", r"our", r"us", r"saya", r"i") + E)
NEGATION = compiled(
    B + any_of(r"bukan", r"not", r"no", r"never", r"tidak ada", r"tanpa", r"nothing", r"isn't", r"wasn't") + E
)

# --- speculation ------------------------------------------------------------------------------------------------
SPECULATION_ALONE = compiled(
    any_of(
        B + r"(?:kami |kita |saya )?(?:menduga|curiga|mencurigai|menyangka)",
        B + r"jangan-jangan",
        B + r"(?:ada )?(?:pihak|oknum) (?:tertentu|yang ingin|yang sengaja|yang tidak bertanggung jawab)",
        B + r"ulah (?:pesaing|kompetitor|oknum|pihak)",
        B + r"sabotase",
        B + r"persaingan (?:bisnis|usaha)",
        B + r"kampanye hitam|black campaign",
        B + r"(?:dalang|ditunggangi|diorkestrasi|digerakkan oleh)",
        B + r"(?:pesaing|kompetitor)",
        B + r"(?:we|i) (?:suspect|assume|guess)",
        B + r"sabotag\w+",
        B + r"(?:competitors?|rivals?)" + E,
        B + r"smear campaign",
        B + r"orchestrated",
        B + r"coordinated (?:attack|campaign)",
        B + r"bad actors",
        B + r"certain (?:parties|people|groups|individuals)",
        B + r"(?:someone|somebody) (?:is|was|must be) behind",
    )
)
SPECULATION_HEDGE = compiled(
    any_of(
        B + r"diduga(?: kuat)?",
        B + r"kemungkinan(?: besar)?",
        B + r"mungkin",
        B + r"barangkali",
        B + r"sepertinya|tampaknya|kelihatannya|sepertinya",
        B + r"(?:kami|kita) (?:yakin|percaya|menilai|rasa|pikir)",
        B + r"(?:we|i) (?:believe|think|feel)",
        B + r"probably|likely|possibly|presumably|apparently",
        B + r"(?:may|might|could|must) (?:have been|be)",
        B + r"(?:appears|seems) (?:to|that)",
    )
)
CAUSE = compiled(
    B
    + any_of(
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
        r"started by",
        r"set by",
        r"sabotag\w+",
        r"dalang\w*",
    )
    + E
)
NO_EVIDENCE_OF = compiled(
    any_of(r"tidak ada (?:indikasi|bukti|tanda)", r"no (?:evidence|sign|indication)s? (?:of|that)", r"not") + r"\W*$"
)

# --- what a statement must contain ------------------------------------------------------------------------------
CONTACT = compiled(
    any_of(
        r"[\w.+-]+@[\w-]+\.[\w.-]+",
        r"\+?\d[\d .()-]{5,}\d",
        B + r"\d{4,6}" + E,
        B + r"(?:hubungi|menghubungi|kontak|contact|call|telepon|telp|tel|whatsapp|wa|hotline|email|e-mail)" + E,
        B + r"(?:layanan|pusat) (?:konsumen|pelanggan|pengaduan|bantuan|informasi)",
        B + r"(?:call|contact|care) ?(?:cent(?:er|re)|line)",
        B + r"customer (?:care|service|support|line)",
        B + r"(?:reach|write to|email|e-mail|message) us",
        B + r"careline",
        # a short public number after what it is for: "Informasi: 119 ext 9", "call 188"
        B + r"(?:call|telepon|telp|hubungi|informasi|info|hotline|bantuan|help|darurat|emergency|pengaduan)\W{1,3}"
        r"\d{3}(?:\s*(?:ext|ekst)\.?\s*\d+)?" + E,
        r"https?://\S*(?:bantuan|help|support|contact|kontak|pengaduan)",
    )
)
ID_ACTION_ROOTS = (
    "tarik tarik kembali hentikan selidiki periksa uji ganti kembalikan tinjau evaluasi perbaiki telusuri serahkan "
    "kirim investigasi buka sediakan tanggung audit perketat tambah tambahkan laporkan dampingi kumpulkan tutup "
    "tangguhkan bekukan pastikan pulihkan blokir hubungi siapkan tunjuk bersihkan tukar bayar biayai amankan "
    "nonaktifkan isolasi kerahkan pantau cek revisi bentuk latih undang selesaikan proses kaji tindaklanjuti rawat "
    "obati evakuasi setop gratiskan turunkan sisir temui kunjungi jemput antar data"
).split()
# The same roots with the prefixes Indonesian puts on them: men-, mem-, meng-, meny- (sound changes included),
# di- for the passive, and the bare root after "kami" ("cabang itu kami tutup").
ID_ACTIVE = any_of(
    r"me(?:n|m|ng|ny)?\w*(?:" + "|".join(root[1:] for root in ID_ACTION_ROOTS) + r")\w*",
    r"bekerja(?: sama)?",
    r"berkoordinasi",
    r"berupaya",
    r"berusaha",
    r"bertemu",
    r"berkomitmen",
)
ID_PASSIVE = any_of(r"di(?:" + "|".join(ID_ACTION_ROOTS) + r")\w*")
ID_BARE = any_of(*ID_ACTION_ROOTS)
ID_MARKER = any_of(
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
    r"udah",  # casual "sudah"
    r"teknisi",
    r"petugas",
)
EN_SUBJECT = any_of(
    r"we",
    r"we're",
    r"we've",
    r"we'll",
    r"our \w+",
    r"the company",
    r"\w+ teams?",
    r"(?:any|every|all) \w+ \w+",
    r"(?:crews?|engineers?|technicians?|staff|officers?|nurses?|doctors?|workers?|teams?|plumbers?|drivers?)",
)
EN_ACTION = any_of(
    r"recall\w*",
    r"halt\w*",
    r"paus\w+",
    r"suspend\w*",
    r"investigat\w+",
    r"\w*test\w*",
    r"work(?:s|ing|ed)? (?:with|on|to|around|through|together|closely)",
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
    r"(?:send\w*|shar\w+|publish\w*|report\w*)"
    r"(?! (?:an |the |our |more |further |a |you )?(?:updates?|news|information|details|more)\b)",
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
# Passives that say what is known or felt, not what is being done ("sudah diketahui", "sedang diduga").
ID_NOT_DONE = any_of(
    r"ketahui",
    r"duga",
    r"kabarkan",
    r"beritakan",
    r"sebut",
    r"anggap",
    r"rasakan",
    r"harapkan",
    r"tuduh",
    r"nilai",
    # telling is not doing: "akan disampaikan", "dapat dihubungi"
    r"sampaikan",
    r"umumkan",
    r"informasikan",
    r"beritahukan",
    r"hubungi",
)
# What a company says it feels or knows is not something it is doing.
ID_NOT_ACTION = (
    any_of(
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
EN_NOT_ACTION = (
    any_of(
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
ACTION = compiled(
    any_of(
        B + ID_MARKER + r" (?:\w+ )?" + ID_ACTIVE + E,
        B + ID_MARKER + r" (?:\w+ )?" + ID_PASSIVE + E,
        B + r"(?:kami|kita) " + ID_BARE + E,
        B + EN_SUBJECT + r"(?: (?:are|have|will|had|has|immediately|already|now|also|today|been|still|is|"
        r"'re|'ve|'ll|can|be))* " + EN_ACTION + E,
        B
        + r"(?:being|been|be) (?:\w+ )?"
        + any_of(
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
        + E,
        B + r"(?:petugas|teknisi|relawan|staf|pegawai|karyawan|dinas|tim)(?: \w+){0,3} (?:telah|sudah|sedang|akan|"
        r"tengah|segera|terus) (?!" + ID_NOT_ACTION + r")me\w+",
        B + r"(?:kami|kita|tim \w+|tim|\w+ kami|perusahaan) (?:telah|sudah|sedang|akan|tengah|segera|terus) "
        r"(?!" + ID_NOT_ACTION + r")me\w+",
        B + EN_SUBJECT + r" (?:have|'ve|had|has) (?:already |now |also |just )?(?!" + EN_NOT_ACTION + r")\w+ed" + E,
        B + EN_SUBJECT + r" (?:are|'re|is) (?:now |still |also |already )?(?!" + EN_NOT_ACTION + r")\w+ing" + E,
        B
        + r"(?:sudah|udah|telah|sedang|lagi|tengah|akan|segera|kini|langsung) di(?!"
        + ID_NOT_DONE
        + r")[a-z]{3,}"
        + E,
        B + r"(?:is|are|was|were) (?:now |still |also )?being (?!" + EN_NOT_ACTION + r")\w+(?:ed|en|wn|lt)" + E,
        B + r"(?:has|have) (?:now |also |already )?been (?!" + EN_NOT_ACTION + r")\w+ed" + E,
        B + r"(?:is|are) (?:now )?(?:stationed|deployed|on site|at the scene|in place|underway)" + E,
        # what is done again ("the pool has reopened", "service has been restored"), whoever the subject is
        B + r"(?:has|have|had) (?:now |also |already |since )?(?:been )?(?!received|remained|realised|realized|"
        r"regretted|requested|reported|refused)re\w+ed" + E,
        B + r"(?:sudah|udah|lagi|sedang|bakal|akan|langsung) (?:\w+ )?(?!ingin|lain|yakin|mungkin|kemarin|main|dingin|"
        r"miskin|pusing|prihatin|batin)(?:nge)?[a-z]{3,}in" + E,
        B + r"will receive (?:a |an )?(?:\w+ )?(?:refund|credit|compensation|replacement|voucher)",
        B + r"(?:we're|we've|we'll) (?:now |also |already |still |just )?(?!" + EN_NOT_ACTION + r")\w+(?:ing|ed)" + E,
        # a bare verb after "sudah kami": "sampel sudah kami ambil"
        B + r"(?:sudah|telah|sedang|segera|langsung|akan) kami (?!" + ID_NOT_DONE + r"|kabari\w*|perbarui|bagikan|"
        r"harap\w*|terima\w*|update)[a-z]{3,}" + E,
        B + EN_SUBJECT + r" (?:have|'ve|has|had) (?:now |also |already |just )?(?:made|built|set up|put|taken|given|"
        r"brought|begun|done|shut|cut|paid|hired|sent|found|moved)" + E,
        B + EN_SUBJECT + r" (?:have|'ve|has|had) (?:now |also |already |just )?asked (?:our|the|all|every|each) \w+ to",
        B + r"(?:penarikan|penghentian|investigasi|penyelidikan|kompensasi|ganti rugi|pengembalian dana|"
        r"penggantian|tanpa biaya|gratis|free of charge|compensation|refunds?|recall)" + E,
    )
)
UPDATE_WORD = any_of(
    r"info",
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
TIME_MARKER = any_of(
    r"pukul",
    r"jam \d{1,2}",
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
    r"\d{1,2}(?:[.:]\d{2})? ?(?:am|pm|a\.m\.|p\.m\.)",
    r"setiap hari",
    r"every day|daily",
)
TELL = any_of(
    r"let (?:\w+ ){0,3}know",
    r"keterangan",
    r"lanjutan",
    r"confirm\w*",
    r"notice",
    r"again",
    r"(?:mem|di)?beri(?:kan)? kabar",
    r"kabarin",
    r"kabari\w*",
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
NEXT_UPDATE = compiled(
    any_of(
        B + r"(?:next|further|another|following|final|new) (?:updates?|notices?|statements?|announcements?|"
        r"bulletins?|briefings?|reports?|posts?|information)",
        B + r"(?:check back|come back|cek (?:lagi|kembali)|pantau (?:terus )?(?:halaman|laman))",
        B + r"(?:will|akan) (?:\w+ ){0,2}" + TELL + E,
        B + r"more (?:news |info |information |details |updates? )?(?:at|by|around)" + E,
        B + r"(?:updat\w*|kabar\w*|post\w*|informasikan|umumkan)\W+(?:lagi|again|kembali)" + E,
        # the bare verb after "kami": "kami perbarui setiap hari", "data terbaru kami umumkan setiap Senin"
        B + r"(?:kami|kita) (?:\w+ )?(?:perbarui|umumkan|sampaikan|kabarkan|informasikan|laporkan|bagikan|update|"
        r"posting|unggah|kabarin|kabari|infokan|infoin)" + E,
        B + r"(?:kami|kita|we|we'll) (?:\w+ ){0,2}" + TELL + r"(?:\W+\w+){0,3}?\W+(?:lagi|again)" + E,
        B + r"(?:(?:mem|di)perbarui\w*|updat\w*|(?:meng|di)umumkan\w*|publish\w*|post\w*)(?:\W+\w+){0,8}?\W+"
        r"(?:setiap|tiap|every|each|daily)" + E,
        B + r"(?:pembaruan|update|informasi|kabar|laporan|pengumuman) (?:\w+ ){0,2}"
        r"(?:berikutnya|selanjutnya|terakhir|terbaru)",
        B
        + r"(?:we will|we'll|we shall|we are going to|kami akan|kita akan|akan kami|will be|akan di\w+)"
        + GAP % 10
        + TELL,
        B + UPDATE_WORD + r"(?:\W+\w+){0,10}?\W+(?:akan )?(?:kami |disampaikan|diumumkan|dibagikan|diperbarui|"
        r"will be|will follow|follows?|coming|menyusul)",
    )
)
TIME = compiled(B + TIME_MARKER + E)
JARGON = compiled(
    B
    + any_of(
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
    + E
)

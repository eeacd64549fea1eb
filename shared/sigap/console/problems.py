"""What the console says when it cannot do what was asked, in English and Bahasa Indonesia (the page's language).

The console's own problems are written in both. What Sigap's API or the user pool refused comes in their words,
which are English (they are written for developers): an Indonesian page says in Indonesian what happened and
quotes them, rather than showing an English sentence alone."""

from __future__ import annotations

from sigap.kernel.language import Language

_ENGLISH = {
    "api": "{detail}",
    "unavailable": "{detail}; retry in a moment",
    "no_tenant": "no such tenant",
    "no_such": "no such {what}",
    "open_from_incident": "no such incident: open the statement from its incident's page",
    "no_step": "no such step",
    "no_change": "no such change",
    "no_settings": "no such settings",
    "add_channel_or_source": "add a channel or a source",
    "choose_state": "choose a state",
    "write_note": "write the note first",
    "nothing_to_silence": "nothing to silence",
    "incident_title": "give the incident a title",
    "field_refused": "{what}: {detail}",
    "not_json": "{what}: not JSON ({detail})",
    "foreign_form": "this form did not come from the console's own page: reload the page and try again",
    "foreign_sign_out": "this sign-out did not come from the console's own form: use the Sign out button",
    "form_expired": "this form has expired or was opened in another browser: sign in again",
    "enter_credentials": "enter your e-mail address and password",
    "new_password_length": "enter a new password of at most 256 characters",
    "no_user_pool": "sign-in is not set up on this stack (no user pool): use the API with a key",
    "wrong_credentials": "the e-mail address or the password is wrong",
    "password_reset": "your password must be reset: ask an admin of your tenant",
    "not_confirmed": "your account is not confirmed yet: ask an admin of your tenant",
    "sign_in_expired": "this sign-in has expired: sign in again with your temporary password",
    "password_rejected": "{detail}",
    "unsupported_step": "the user pool asked for {detail}, which the console cannot do",
    "sign_in_refused": "{detail}",
}
_INDONESIAN = {
    "api": "Sigap menolak permintaan ini. Penjelasannya (dalam bahasa Inggris): {detail}",
    "unavailable": "Sigap belum menjawab; coba lagi sebentar lagi. Penjelasannya (dalam bahasa Inggris): {detail}",
    "no_tenant": "Tenant ini tidak ada.",
    "no_such": "{what} ini tidak ada.",
    "open_from_incident": "Insiden ini tidak ada: buka pernyataan dari halaman insidennya.",
    "no_step": "Langkah ini tidak ada.",
    "no_change": "Perubahan ini tidak ada.",
    "no_settings": "Pengaturan ini tidak ada.",
    "add_channel_or_source": "Tambahkan saluran atau sumber.",
    "choose_state": "Pilih status.",
    "write_note": "Tulis catatannya dulu.",
    "nothing_to_silence": "Tidak ada yang dapat dibisukan.",
    "incident_title": "Beri judul insidennya.",
    "field_refused": "{what}: Sigap menolaknya. Penjelasannya (dalam bahasa Inggris): {detail}",
    "not_json": "{what}: bukan JSON ({detail})",
    "foreign_form": "Formulir ini tidak berasal dari halaman konsol sendiri: muat ulang halaman lalu coba lagi.",
    "foreign_sign_out": "Permintaan keluar ini tidak berasal dari formulir konsol: gunakan tombol Keluar.",
    "form_expired": "Formulir ini sudah kedaluwarsa atau dibuka di peramban lain: masuk lagi.",
    "enter_credentials": "Masukkan alamat e-mail dan kata sandi Anda.",
    "new_password_length": "Masukkan kata sandi baru, paling banyak 256 karakter.",
    "no_user_pool": "Masuk belum disiapkan di stack ini (tidak ada user pool): gunakan API dengan kunci.",
    "wrong_credentials": "Alamat e-mail atau kata sandinya salah.",
    "password_reset": "Kata sandi Anda harus diatur ulang: minta admin tenant Anda.",
    "not_confirmed": "Akun Anda belum dikonfirmasi: minta admin tenant Anda.",
    "sign_in_expired": "Proses masuk ini sudah kedaluwarsa: masuk lagi dengan kata sandi sementara Anda.",
    "password_rejected": "Kata sandi itu tidak memenuhi aturan. Penjelasannya (dalam bahasa Inggris): {detail}",
    "unsupported_step": "User pool meminta {detail}, yang tidak dapat dilakukan konsol.",
    "sign_in_refused": "Proses masuk ditolak. Penjelasannya (dalam bahasa Inggris): {detail}",
}
# The things a page can name as missing, in the sentence "<thing> ini tidak ada."
_THINGS = {
    Language.ENGLISH: {},
    Language.INDONESIAN: {
        "alert": "Peringatan",
        "incident": "Insiden",
        "statement": "Pernyataan",
        "story": "Cerita",
        "mention": "Sebutan",
    },
}
PROBLEMS: dict[Language, dict[str, str]] = {Language.ENGLISH: _ENGLISH, Language.INDONESIAN: _INDONESIAN}


def say(language: Language, problem: str, *, what: str = "", detail: str = "") -> str:
    """The problem in the page's language; `what` a thing named in `_THINGS` or a form's field, `detail` the
    words of whatever refused (the API, the user pool) as they gave them."""
    things = _THINGS[language]
    return PROBLEMS[language][problem].format(what=things.get(what, what), detail=detail)

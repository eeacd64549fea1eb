"""Builds shared/sigap/scoring/domain/emoji_sentiment.tsv: which emoji read as positive or negative.

Each emoji in VADER's emoji lexicon (data/vader/emoji_utf8_lexicon.txt, MIT) is scored by the VADER valences
of the words of its description ("smiling face with heart-eyes"); a sum of at least 1 is positive, at most -1
negative. Sigap's own emoji lists in sigap.scoring.domain.text take precedence, and laughter stays unmapped: in
Indonesian complaints "😂" is as often mockery as joy.

    python infra/scripts/build_emoji_table.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "shared" / "sigap" / "scoring" / "domain" / "emoji_sentiment.tsv"
THRESHOLD = 1.0
AMBIGUOUS = frozenset("😂🤣😅😆😹")


def build() -> list[tuple[str, str]]:
    lexicon = {}
    for line in (ROOT / "data" / "vader" / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        word, valence, *_ = line.split("\t")
        lexicon[word] = float(valence)
    table = []
    for line in (ROOT / "data" / "vader" / "emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines():
        emoji, _, description = line.partition("\t")
        if len(emoji) != 1 or emoji in AMBIGUOUS:  # single code points only: what str.translate can map
            continue
        score = sum(lexicon.get(word, 0.0) for word in description.lower().replace("-", " ").split())
        if score >= THRESHOLD:
            table.append((emoji, "positive"))
        elif score <= -THRESHOLD:
            table.append((emoji, "negative"))
    return sorted(table)


def render(table: list[tuple[str, str]]) -> str:
    return "".join(f"{emoji}\t{polarity}\n" for emoji, polarity in table)


def main() -> None:
    table = build()
    OUT.write_text(render(table), encoding="utf-8")
    print(f"wrote {len(table)} emoji to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

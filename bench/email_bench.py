"""E-mail parsing: messages per second through the e-mail door's reading (MIME, forward layers, digests, HTML) on
the folder of real-shaped messages in tests/data/email, each read many times with its own Message-ID."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 300


def report() -> None:
    from sigap.sources.email_door import mention_in
    from sigap.sources.email_message import read_email

    messages = {path.name: path.read_bytes() for path in sorted((ROOT / "tests" / "data" / "email").glob("*.eml"))}
    now = datetime.now(UTC)
    print("### E-mail door: reading received messages (standard library email, forward layers, digests)\n")
    print("| message | mentions each | messages/s |")
    print("|---|---:|---:|")
    total_messages = total_seconds = 0.0
    for name, raw in messages.items():
        started = time.perf_counter()
        for round_number in range(ROUNDS):
            read = read_email(raw.replace(b"Message-ID: <", f"Message-ID: <r{round_number}-".encode(), 1))
            for mention in read.mentions:
                mention_in(mention, "email", now)
        seconds = time.perf_counter() - started
        total_messages += ROUNDS
        total_seconds += seconds
        print(f"| {name} | {len(read.mentions)} | {ROUNDS / seconds:,.0f} |")
    print(f"| all {len(messages)} kinds | | {total_messages / total_seconds:,.0f} |\n")


if __name__ == "__main__":
    report()

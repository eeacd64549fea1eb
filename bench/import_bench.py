"""Bulk import: rows per second and peak memory of the import function's code on a 1 MB and a 100 MB CSV export
(the X export preset), each in a child process of its own. The file is read from disk in the chunks S3 would
send; claims and the queue are in memory, so the figures are the reading, mapping and batching alone (the local
stack's moto would measure moto). Memory must stay flat: the 100 MB file may not need more than the 1 MB one."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SIZES_MB = (1, 100)


def _export(path: Path, megabytes: int) -> int:
    """A dataset-like CSV export of about `megabytes` MB: quoted commas, a line break in every 50th text."""
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("tweet_id,airline_sentiment,text,tweet_created,name,retweet_count,user_timezone\n")
        while out.tell() < megabytes * 1024 * 1024:
            text = f"@TehSegar botol ke-{rows} bocor, bau aneh; CS belum jawab" + (
                "\nbaris kedua" if rows % 50 == 0 else ""
            )
            out.write(f'{5_700_000_000_000 + rows},negative,"{text}",2026-11-22 10:{rows % 60:02d}:00 +0700,'
                      f"user{rows % 9973},{rows % 7},Jakarta\n")  # fmt: skip
            rows += 1
    return rows


@dataclass
class _Jobs:
    saved: int = 0
    job: Any = None

    def get(self, tenant_id: str, import_id: str) -> Any:
        return self.job

    def save(self, job: Any, expected_version: int) -> Any:
        self.saved += 1
        self.job = job.model_copy(update={"version": expected_version + 1})
        return self.job


@dataclass
class _Files:
    path: Path

    def size(self, key: str) -> int:
        return self.path.stat().st_size

    def chunks(self, key: str, offset: int) -> Iterator[bytes]:
        with self.path.open("rb") as file:
            file.seek(offset)
            while chunk := file.read(256 * 1024):
                yield chunk

    def write(self, key: str, body: bytes) -> None:
        pass


@dataclass
class _Ledger:
    """Every mention claimed (the export has no repeats): remembering ids here would measure this fake's memory."""

    claimed: int = 0

    def known(self, tenant_id: str, mention_ids: Sequence[str]) -> set[str]:
        return set()  # no quota in the bench: never asked

    def claim(self, tenant_id: str, mentions: Sequence[Any], expires_at: int) -> Any:
        from sigap.mentions.claiming import Claims

        self.claimed += len(mentions)
        return Claims(claimed=[mention.id for mention in mentions])


@dataclass
class _Sink:
    sent: int = 0

    def send(self, mentions: Sequence[Any], correlation_id: str | None = None) -> None:
        self.sent += len(mentions)


def child(path: Path) -> None:
    from sigap.ingest.mapping.presets import PRESETS
    from sigap.sources.domain import SourceIn, registered
    from sigap.sources.importer import Importer
    from sigap.sources.imports import ImportFormat, ImportIn, new_import

    now = datetime.now(UTC)
    source, _ = registered("bench", SourceIn(name="x", preset="x-export"), now)
    assert source.mapping == PRESETS["x-export"].mapping
    jobs = _Jobs(job=new_import("bench", ImportIn(source="x", format=ImportFormat.CSV), now))
    sink = _Sink()
    importer = Importer(jobs=jobs, files=_Files(path), sources=_Sources(source), ledger=_Ledger(), sink=sink,
                        clock=lambda: datetime.now(UTC), quota_of=lambda tenant_id, at: None,
                        remaining_millis=lambda: 10**9)  # fmt: skip
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    importer.run("bench", jobs.job.import_id)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counts = jobs.job.counts
    print(json.dumps({"rows": counts.rows, "accepted": counts.accepted, "rejected": counts.rejected,
                      "queued": sink.sent, "seconds": seconds, "baseline_kb": baseline, "peak_kb": peak,
                      "state": jobs.job.state.value}))  # fmt: skip


@dataclass
class _Sources:
    source: Any

    def get(self, tenant_id: str, name: str) -> Any:
        return self.source

    def record(self, tenant_id: str, name: str, **counts: Any) -> None:
        self.counts = counts


def report() -> None:
    print("### Bulk import: the import function's code on a CSV export (X preset), claims and queue in memory\n")
    print("| file | rows | accepted | rows/s | MB/s | peak RSS | RSS before the import |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="sigap-import-bench-") as folder:
        for megabytes in SIZES_MB:
            path = Path(folder) / f"export-{megabytes}mb.csv"
            _export(path, megabytes)
            answer = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                                    check=True, cwd=ROOT)  # fmt: skip
            result = json.loads(answer.stdout.strip().splitlines()[-1])
            assert result["state"] == "done", result
            size = path.stat().st_size / 1024 / 1024
            print(f"| {size:.0f} MB | {result['rows']:,} | {result['accepted']:,} | "
                  f"{result['rows'] / result['seconds']:,.0f} | {size / result['seconds']:.2f} | "
                  f"{result['peak_kb'] / 1024:.0f} MB | {result['baseline_kb'] / 1024:.0f} MB |")  # fmt: skip
    print()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]))
    else:
        report()

"""Running an import: the uploaded file streamed from its checkpoint, each row mapped by the source's mapping,
good rows ingested as every door ingests (claimed once per (tenant, id), queued for scoring) a batch at a time,
rejected rows written to the report with their line and reason, and the checkpoint saved after every batch, so
an import stopped anywhere (a timeout, a crash, a redelivered message) resumes where it was and loses nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sigap.ingest.domain import DailyQuota, KnownMentions, MentionSink, accept_within_quota
from sigap.ingest.mapping.model import RecordProblem, UnmappablePayloadError, map_payload, map_record
from sigap.kernel.errors import MentionTooLargeError
from sigap.kernel.models import MentionIn
from sigap.platform.observability import logger
from sigap.sources.domain import Source
from sigap.sources.import_reader import Row, rows
from sigap.sources.imports import (
    MAX_IMPORT_BYTES,
    MAX_REPORTED_PROBLEMS,
    Checkpoint,
    ImportCounts,
    ImportFormat,
    ImportJob,
    ImportState,
    report_key,
    upload_key,
)

BATCH_MENTIONS = 500
# An invocation stops to hand over (a continuation message) when less than this is left: a batch takes seconds.
HAND_OVER_MILLIS = 60_000


class Jobs(Protocol):
    def get(self, tenant_id: str, import_id: str) -> ImportJob | None: ...
    def save(self, job: ImportJob, expected_version: int) -> ImportJob: ...


class Files(Protocol):
    def size(self, key: str) -> int | None: ...
    def chunks(self, key: str, offset: int) -> Any: ...
    def write(self, key: str, body: bytes) -> None: ...


class SourceLookup(Protocol):
    def get(self, tenant_id: str, name: str) -> Source | None: ...
    def record(self, tenant_id: str, name: str, *, accepted: int, duplicates: int, rejected: int, at: datetime,
               error: str | None = None, succeeded: bool = False, filtered: int = 0) -> None: ...  # fmt: skip


@dataclass
class _Batch:
    mentions: list[tuple[int, MentionIn]] = field(default_factory=list)  # each with its line in the file
    problems: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    rejected: int = 0  # rows (or records in a JSON line) that did not become a mention; a row may have problems
    after: Checkpoint | None = None


@dataclass
class Importer:
    jobs: Jobs
    files: Files
    sources: SourceLookup
    ledger: KnownMentions
    sink: MentionSink
    clock: Callable[[], datetime]
    quota_of: Callable[[str, datetime], DailyQuota | None]  # the client's daily quota, applied batch by batch
    remaining_millis: Callable[[], int]

    def run(self, tenant_id: str, import_id: str) -> bool:
        """Works on the import until it is done or time is short; True if it must be continued."""
        job = self.jobs.get(tenant_id, import_id)
        if job is None or job.state in (ImportState.DONE, ImportState.FAILED):
            return False  # not an import's upload, or one already finished (a redelivered event)
        key = upload_key(tenant_id, import_id)
        size = self.files.size(key)
        if size is None:
            return False  # the event came before the object is visible, or it was deleted: nothing to read
        source = self.sources.get(tenant_id, job.source)
        if source is None or source.mapping is None or size > MAX_IMPORT_BYTES:
            reason = f"the source {job.source!r} was removed" if source is None or source.mapping is None else (
                f"the file is {size} bytes; the limit is {MAX_IMPORT_BYTES}")  # fmt: skip
            self.jobs.save(job.model_copy(update={"state": ImportState.FAILED, "error": reason,
                                                  "finished_at": self.clock()}), job.version)  # fmt: skip
            return False
        if job.state is ImportState.AWAITING_UPLOAD:
            started = job.model_copy(update={"state": ImportState.RUNNING, "started_at": self.clock(), "size": size})
            job = self.jobs.save(started, job.version)
        return self._work(job, source, key)

    def _work(self, job: ImportJob, source: Source, key: str) -> bool:
        batch = _Batch()
        for row in rows(self.files.chunks(key, job.checkpoint.offset), job.format, job.checkpoint):
            self._add(batch, row, job, source)
            if len(batch.mentions) >= BATCH_MENTIONS or batch.rows >= 2 * BATCH_MENTIONS:
                job = self._flush(job, batch, source)
                batch = _Batch()
                if self.remaining_millis() < HAND_OVER_MILLIS:
                    logger.info("import handed over", extra={"import_id": job.import_id, "line": job.checkpoint.line})
                    return True
        job = self._flush(job, batch, source)
        done = job.model_copy(
            update={
                "state": ImportState.DONE,
                "finished_at": self.clock(),
                "checkpoint": job.checkpoint.model_copy(update={"offset": job.size or job.checkpoint.offset}),
            }
        )
        self.jobs.save(done, job.version)
        self._count_in_health(done)
        return False

    def _count_in_health(self, done: ImportJob) -> None:
        """The finished import's counts in its source's health, once (only the run that saved it as done gets
        here). Bookkeeping: if it cannot be written (logged by the store), the import's own counts say it all."""
        counts = done.counts
        problem = (
            f"{counts.rejected} rows of import {done.import_id} rejected: see its report" if counts.rejected else None
        )
        self.sources.record(done.tenant_id, done.source, accepted=counts.accepted, duplicates=counts.duplicates,
                            rejected=counts.rejected, filtered=counts.filtered, at=self.clock(), error=problem,
                            succeeded=True)  # fmt: skip

    def _add(self, batch: _Batch, row: Row, job: ImportJob, source: Source) -> None:
        batch.rows += 1
        batch.after = row.after
        if row.problem is not None:
            batch.rejected += 1
            batch.problems.append({"line": row.line, "field": "row", "expression": None, "problem": row.problem})
            return
        mapping = source.mapping
        assert mapping is not None  # run() fails an import whose source has none (a feed)
        now = self.clock()
        found: list[MentionIn] = []
        problems: list[RecordProblem] = []
        if job.format is ImportFormat.CSV:
            outcome = map_record(row.value, mapping, 0, source=source.name, channel=source.channel,
                                 received_at=now)  # fmt: skip
            found, problems = ([outcome], []) if isinstance(outcome, MentionIn) else ([], outcome)
        else:
            try:
                mapped = map_payload(row.value, mapping, source=source.name, channel=source.channel,
                                     received_at=now)  # fmt: skip
                found, problems = mapped.mentions, mapped.rejected
            except UnmappablePayloadError as exc:
                problems = [exc.problem]
        batch.mentions.extend((row.line, mention) for mention in found)
        batch.rejected += len({problem.record for problem in problems})
        batch.problems.extend(
            {"line": row.line, "record": problem.record, "field": problem.field, "expression": problem.expression,
             "problem": problem.problem}
            for problem in problems
        )  # fmt: skip

    def _flush(self, job: ImportJob, batch: _Batch, source: Source) -> ImportJob:
        if batch.after is None:
            return job
        accepted = duplicates = 0
        _, unwanted = source.wanted([mention for _, mention in batch.mentions])
        filtered = set(unwanted)
        mentions = [(line, mention) for line, mention in batch.mentions if mention.id not in filtered]
        quota = self.quota_of(job.tenant_id, self.clock())  # the client read once a batch, not per oversized row
        while mentions:
            try:
                admitted = accept_within_quota(job.tenant_id, [mention for _, mention in mentions], quota=quota,
                                               ledger=self.ledger, sink=self.sink, now=self.clock())  # fmt: skip
            except MentionTooLargeError as exc:  # one row too large to queue: reported, the rest go on
                line, _ = mentions.pop(exc.index)
                problem = str(exc).replace(f"mentions[{exc.index}]", "the mention")
                batch.problems.append({"line": line, "field": "row", "expression": None, "problem": problem})
                batch.rejected += 1
                continue
            accepted, duplicates = len(admitted.result.accepted), len(admitted.result.duplicates)
            # Past the quota: each refused record is a rejected row of the report, to import again once it renews
            refused = set(admitted.refused)
            batch.problems.extend({"line": line, "field": "row", "expression": None, "problem": admitted.reason}
                                  for line, mention in mentions if mention.id in refused)  # fmt: skip
            batch.rejected += len(refused)
            break
        reported, parts = job.reported, job.report_parts
        room = MAX_REPORTED_PROBLEMS - reported
        if batch.problems and room > 0:
            lines = batch.problems[:room]
            body = "".join(json.dumps(problem, ensure_ascii=False) + "\n" for problem in lines).encode()
            self.files.write(report_key(job.tenant_id, job.import_id, parts + 1), body)
            reported, parts = reported + len(lines), parts + 1
        counts = job.counts
        moved = job.model_copy(
            update={
                "checkpoint": batch.after,
                "counts": ImportCounts(
                    rows=counts.rows + batch.rows,
                    accepted=counts.accepted + accepted,
                    duplicates=counts.duplicates + duplicates,
                    rejected=counts.rejected + batch.rejected,
                    filtered=counts.filtered + len(filtered),
                ),
                "reported": reported,
                "report_parts": parts,
            }
        )
        return self.jobs.save(moved, job.version)

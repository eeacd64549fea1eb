"""Bulk imports: a CSV or JSONL export uploaded to S3 and streamed into mentions by a source's mapping. Pure: the
job, its progress and checkpoint, and the report of rejected rows, as models and rules; no AWS."""

from __future__ import annotations

import secrets as random
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from sigap.kernel.models import TenantId, UtcDatetime
from sigap.sources.domain import SourceName

IMPORT_ID_PATTERN = r"^imp-[0-9a-f]{16}$"
ImportId = Annotated[str, Field(pattern=IMPORT_ID_PATTERN)]
# Larger files are refused at the door: an export of a month of a big brand is hundreds of MB, not tens of GB.
MAX_IMPORT_BYTES = 2 * 1024**3
UPLOAD_LINK_LIFETIME = timedelta(hours=1)
REPORT_LINK_LIFETIME = timedelta(hours=1)
# The report keeps this many rejected rows with their reasons; the rest are counted (a file of garbage must not
# make a report as large as itself).
MAX_REPORTED_PROBLEMS = 10_000
MAX_LINE_BYTES = 1024 * 1024  # one CSV row or JSON line: larger is a rejected row, never a memory spike


class ImportFormat(StrEnum):
    CSV = "csv"  # a header row, then one record per row; "a.b" columns are nested ({"a": {"b": ...}})
    JSONL = "jsonl"  # one JSON payload per line, mapped as a webhook's body is (a record, or records in it)


class ImportState(StrEnum):
    AWAITING_UPLOAD = "awaiting_upload"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # the file could not be read at all (not the format said, too large): `error` says why


class ImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    source: SourceName = Field(description="The source whose mapping and channel the file's rows are read with")
    format: ImportFormat = ImportFormat.CSV
    size: int | None = Field(default=None, ge=1, le=MAX_IMPORT_BYTES, description="The file's size, if known")


class Checkpoint(BaseModel):
    """Where the import is in the file: every row before `offset` was accepted, duplicate or reported."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    offset: int = 0  # bytes of the file read and done
    line: int = 0  # lines of the file read and done (the header included)
    header: list[str] | None = None  # a CSV's columns, read once


class ImportCounts(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    filtered: int = 0  # mapped, but not matching the source's brand query: not stored


class ImportJob(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    tenant_id: TenantId
    import_id: ImportId
    source: SourceName
    format: ImportFormat
    state: ImportState = ImportState.AWAITING_UPLOAD
    created_at: UtcDatetime
    started_at: UtcDatetime | None = None
    finished_at: UtcDatetime | None = None
    size: int | None = None  # the uploaded object's size, once it arrived
    checkpoint: Checkpoint = Field(default_factory=Checkpoint)
    counts: ImportCounts = Field(default_factory=ImportCounts)
    reported: int = 0  # rejected rows written to the report so far (at most MAX_REPORTED_PROBLEMS)
    report_parts: int = 0  # report objects written: one per stretch of the file that rejected rows
    error: str | None = None
    version: int = 1


def new_import(tenant_id: str, incoming: ImportIn, now: datetime) -> ImportJob:
    return ImportJob(
        tenant_id=tenant_id,
        import_id="imp-" + random.token_hex(8),
        source=incoming.source,
        format=incoming.format,
        created_at=now,
        size=incoming.size,
    )


def upload_key(tenant_id: str, import_id: str) -> str:
    """Where the file goes: the tenant first, as every key in Sigap, then the import."""
    return f"uploads/{tenant_id}/{import_id}"


def report_key(tenant_id: str, import_id: str, part: int) -> str:
    return f"reports/{tenant_id}/{import_id}/rejected-{part:05d}.jsonl"


def job_of_key(key: str) -> tuple[str, str] | None:
    """(tenant, import id) from an upload's key, or None for a key that is not an upload's."""
    parts = key.split("/")
    if len(parts) != 3 or parts[0] != "uploads":
        return None
    return parts[1], parts[2]


class ImportView(BaseModel):
    """An import as the API answers it."""

    import_id: str
    source: str
    format: ImportFormat
    state: ImportState
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    size: int | None
    bytes_done: int
    counts: ImportCounts
    reported: int = Field(description="Rejected rows listed in the report, each with its line and reason")
    error: str | None
    upload_url: str | None = Field(description="While awaiting the upload: PUT the file here (1 hour)")
    report_urls: list[str] = Field(description="Once done: the rejected rows' report, JSONL (links valid 1 hour)")


class ImportList(BaseModel):
    imports: list[ImportView]

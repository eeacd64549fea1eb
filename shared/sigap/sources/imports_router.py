"""`/v1/tenants/{tenant}/imports`: bulk imports. A tenant asks for an import of a CSV or JSONL export with a
source's mapping and gets a link to PUT the file to; the upload starts the import, and its progress, counts and
the report of rejected rows are read here."""

from __future__ import annotations

from functools import lru_cache
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from sigap.kernel.errors import UnprocessableError
from sigap.kernel.identity import Permission
from sigap.kernel.models import utc_now
from sigap.platform.http.gateway import Routes
from sigap.platform.http.resolver import caller, settings_in
from sigap.sources.import_store import ImportsBucket, ImportsTable
from sigap.sources.imports import (
    IMPORT_ID_PATTERN,
    REPORT_LINK_LIFETIME,
    UPLOAD_LINK_LIFETIME,
    ImportIn,
    ImportJob,
    ImportList,
    ImportState,
    ImportView,
    new_import,
    report_key,
    upload_key,
)
from sigap.sources.settings import SourcesSettings
from sigap.sources.store import SourcesTable

router = APIGatewayHttpRouter()
routes = Routes(router, "imports")
ImportPath = Annotated[str, Path(pattern=IMPORT_ID_PATTERN, description="The import's id")]


@lru_cache(maxsize=1)
def _adapters(settings: SourcesSettings) -> tuple[ImportsTable, ImportsBucket, SourcesTable]:
    return (
        ImportsTable(settings.tenants_table),
        ImportsBucket(settings.imports_bucket),
        SourcesTable(settings.tenants_table),
    )


def _view(job: ImportJob, bucket: ImportsBucket) -> ImportView:
    awaiting = job.state is ImportState.AWAITING_UPLOAD
    return ImportView(
        import_id=job.import_id,
        source=job.source,
        format=job.format,
        state=job.state,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        size=job.size,
        bytes_done=job.checkpoint.offset,
        counts=job.counts,
        reported=job.reported,
        error=job.error,
        upload_url=bucket.upload_link(upload_key(job.tenant_id, job.import_id), UPLOAD_LINK_LIFETIME)
        if awaiting
        else None,
        report_urls=[
            bucket.read_link(report_key(job.tenant_id, job.import_id, part), REPORT_LINK_LIFETIME)
            for part in range(1, job.report_parts + 1)
        ],
    )


@routes.post(
    "/v1/tenants/{tenant}/imports",
    permission=Permission.INGEST,
    answer="Created: PUT the file to upload_url",
    status=HTTPStatus.CREATED,
)
def create_import(tenant: str, body: Annotated[ImportIn, Body()]) -> ImportView:
    """Start a bulk import.

    Names the source whose mapping reads the rows (its preset or custom mapping, and its channel) and the file's
    format: csv (a header row; "a.b" columns nest) or jsonl (one payload per line). Answers an upload_url to PUT
    the file to within an hour; the upload starts the import."""
    jobs, bucket, sources = _adapters(settings_in(router, SourcesSettings))
    tenant_id = caller(router).tenant_id
    source = sources.get(tenant_id, body.source)
    if source is None or source.mapping is None:
        problem = "register the source first" if source is None else "a feed source has no mapping to read rows"
        raise UnprocessableError("invalid_request", f"no webhook source named {body.source!r}", [("source", problem)])
    job = new_import(tenant_id, body, utc_now())
    jobs.create(job)
    return _view(job, bucket)


@routes.get("/v1/tenants/{tenant}/imports", answer="The tenant's latest imports")
def list_imports(tenant: str) -> ImportList:
    """List the latest 50 imports, newest first, with their progress and counts."""
    jobs, bucket, _ = _adapters(settings_in(router, SourcesSettings))
    return ImportList(imports=[_view(job, bucket) for job in jobs.list(caller(router).tenant_id)])


@routes.get("/v1/tenants/{tenant}/imports/{import_id}", answer="The import")
def get_import(tenant: str, import_id: ImportPath) -> ImportView:
    """Read an import's state, bytes done, counts (rows, accepted, duplicates, rejected) and, once rows were
    rejected, links to the report (JSONL: each rejected row's line, field, expression and reason)."""
    jobs, bucket, _ = _adapters(settings_in(router, SourcesSettings))
    return _view(jobs.require(caller(router).tenant_id, import_id), bucket)

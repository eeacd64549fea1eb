"""`sigap import FILE --source NAME`: a CSV or JSONL export into a tenant's mentions through the bulk import API.

The file is streamed to the upload link the API gives (never read whole), then the import is followed with a
progress bar until it is done. The import runs in the stack, not here: if this command is interrupted after
the upload, the import goes on, and `sigap import --follow IMPORT_ID` picks it up again.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sigap.kernel.api_keys import tenant_of_key
from sigap_tools.cli.target import resolve_target
from sigap_tools.client import SigapClient

POLL_SECONDS = 0.5
FINISHED = ("done", "failed")


def _format_of(path: Path, given: str | None) -> str:
    if given:
        return given
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


def upload(url: str, path: Path) -> None:
    with path.open("rb") as file:
        request = urllib.request.Request(  # noqa: S310 - the API's own presigned link
            url,
            data=file,
            method="PUT",
            # urllib would label the body a form, which a server may parse away: it is a file.
            headers={"content-length": str(path.stat().st_size), "content-type": "application/octet-stream"},
        )
        try:
            with urllib.request.urlopen(request, timeout=600) as answer:  # noqa: S310
                answer.read()
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"the upload was refused: {error.code} {error.read()[:300]!r}") from error


def follow(client: SigapClient, tenant: str, import_id: str, progress: bool) -> dict[str, Any]:
    job: dict[str, Any] = {}
    with tqdm(unit="B", unit_scale=True, disable=not progress, desc="Importing", file=sys.stderr) as bar:
        while True:
            answer = client.request("GET", f"/v1/tenants/{tenant}/imports/{import_id}")
            if answer.status != 200:
                raise RuntimeError(f"reading import {import_id} failed: {answer.status} {answer.body}")
            job = dict(answer.body)
            bar.total = job.get("size") or bar.total
            bar.update(int(job.get("bytes_done") or 0) - bar.n)
            counts = job["counts"]
            bar.set_postfix(rows=counts["rows"], accepted=counts["accepted"], rejected=counts["rejected"])
            if job["state"] in FINISHED:
                return job
            time.sleep(POLL_SECONDS)


def run_import(args: argparse.Namespace) -> int:
    key = args.key or os.environ.get("SIGAP_API_KEY")
    if not key:
        raise ValueError("give the tenant's API key with --key or SIGAP_API_KEY")
    tenant = tenant_of_key(key)
    if tenant is None:
        raise ValueError("the API key is not a Sigap key (sgp_<tenant>_<secret>)")
    client = SigapClient(args.api or resolve_target(None, args.state_dir).api_url, key)
    import_id = args.follow
    if import_id is None:
        if args.file is None or args.source is None:
            raise ValueError("give FILE and --source NAME (or --follow IMPORT_ID)")
        path = Path(args.file)
        body = {"source": args.source, "format": _format_of(path, args.format), "size": path.stat().st_size}
        answer = client.request("POST", f"/v1/tenants/{tenant}/imports", body=body)
        if answer.status != 201:
            raise RuntimeError(f"the import was refused: {answer.status} {answer.body}")
        import_id = str(answer.body["import_id"])
        print(f"Import {import_id}: uploading {path} ({path.stat().st_size:,} bytes)...", file=sys.stderr)
        upload(str(answer.body["upload_url"]), path)
    job = follow(client, tenant, import_id, progress=not args.no_progress)
    counts = job["counts"]
    print(
        f"Import {import_id} {job['state']}: {counts['rows']:,} rows, {counts['accepted']:,} accepted, "
        f"{counts['duplicates']:,} duplicates, {counts['rejected']:,} rejected"
        + (f" ({job['reported']:,} in the report)" if job["reported"] else "")
    )
    if job.get("error"):
        print(f"  error: {job['error']}")
    for url in job.get("report_urls", []):
        print(f"  report: {url}")
    return 0 if job["state"] == "done" else 1

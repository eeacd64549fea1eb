"""`sigap ingest-email FILE.eml... --tenant T`: received e-mail into a tenant's mentions, the way SES delivers it:
each message written under inbound-email/ in the stack's inbound bucket with the recipient it was sent to, so it
travels the same S3 event, queue and function as mail SES received. Works on the local stack and, with
--stack NAME, on a deployed one (with AWS credentials that may write to its bucket)."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from sigap.platform.aws import s3_client
from sigap.sources.email_door import INBOUND_PREFIX
from sigap_tools.cli.target import resolve_target

LOCAL_DOMAIN = "sigap.local"


def delivered(raw: bytes, recipient: str) -> bytes:
    """The message as a receiving server stores it: a Delivered-To line naming its recipient put first."""
    return f"Delivered-To: {recipient}\r\n".encode() + raw


def run_ingest_email(args: argparse.Namespace) -> int:
    target = resolve_target(args.stack, args.state_dir)
    bucket = target.output("ImportsBucketName")
    domain = target.outputs.get("InboundEmailDomain") or LOCAL_DOMAIN
    recipient = f"{args.tenant}+{args.source}@{domain}" if args.source else f"{args.tenant}@{domain}"
    for name in args.files:
        raw = Path(name).read_bytes()
        key = INBOUND_PREFIX + hashlib.sha256(raw).hexdigest()[:32]  # the same file again: the same object
        s3_client().put_object(Bucket=bucket, Key=key, Body=delivered(raw, recipient))
        print(f"{name}: delivered to {recipient} ({len(raw):,} bytes, s3://{bucket}/{key})")
    return 0

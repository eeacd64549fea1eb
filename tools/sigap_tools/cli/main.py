"""`sigap`: run the local stack, manage tenants, replay the demo, import exports, score texts."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

from sigap.kernel.errors import SigapError, SingleBrandStackError
from sigap.kernel.kinds import TENANT_ID_PATTERN, StackMode


def template_parameters(args: argparse.Namespace) -> dict[str, str]:
    """--param NAME=VALUE (repeatable) and the --mode shortcut for StackMode."""
    parameters: dict[str, str] = {}
    for pair in args.param or []:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise ValueError(f"--param takes NAME=VALUE (e.g. StackMode=multi), not {pair!r}")
        parameters[name] = value
    if args.mode:
        parameters["StackMode"] = args.mode
    return parameters


def port_number(text: str) -> int:
    """A TCP port (0: any free one), or argparse's usage error naming the value."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1-65535, or 0 for any free port")
    return port


def _up(args: argparse.Namespace) -> int:
    from sigap_tools.local.stack import LocalStack, StackOptions, find_template

    stack = LocalStack(
        StackOptions(
            template_path=find_template(),
            port=args.port,
            state_dir=args.state_dir,
            concurrency=args.concurrency,
            retry_delay=args.retry_delay,
            parameters=template_parameters(args),
            fresh=args.fresh,
            snapshot_every=args.snapshot_every,
            receiver=args.receiver,
            receiver_port=args.receiver_port,
            smtp_port=args.smtp_port,
        )
    )
    stopping = threading.Event()
    # Both set explicitly: a shell that starts a background job leaves SIGINT ignored, and Ctrl-C must still stop
    # the stack cleanly (and save its state) however it was started.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: stopping.set())
    try:
        stack.start()
        if stack.restored is not None:
            print(
                f"Restored {stack.restored.items} items and {stack.restored.messages} queued messages from "
                f"{args.state_dir / 'state'} (start empty with --fresh).",
                flush=True,
            )
        if stack.requeued:
            print(f"The last stop was unclean: {stack.requeued} accepted, unscored mentions queued again.", flush=True)
        mode = stack.outputs.get("StackMode", "single")
        print(f"Sigap local stack is up (StackMode={mode}). API: {stack.api_url}", flush=True)
        if stack.receiver is not None:
            print(
                f"Local receiver: {stack.receiver.url}/slack/<name>, /teams/<name>, /webhook/<name> "
                f"(what arrived: {stack.receiver.url}/_received)",
                flush=True,
            )
        if stack.smtp is not None:
            print(
                f"SMTP: 127.0.0.1:{stack.smtp.port}: mail to <tenant>[+<source>]@any domain goes through the e-mail "
                "door",
                flush=True,
            )
        print(f"AWS endpoint {stack.endpoint_url}. Logs: {args.state_dir / 'logs'}. Stop with Ctrl-C.", flush=True)
        stopping.wait()
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # a port in use, or one this user may not bind
        print(f"error: the local stack could not start: {exc.strerror or exc} (port {args.port}: pass --port N, "
              "or 0 for any free port)", file=sys.stderr)  # fmt: skip
        return 1
    finally:
        print("Stopping the local stack...", flush=True)
        stack.stop()
        if stack.saved is not None:
            print(
                f"Saved {stack.saved.items} items and {stack.saved.messages} queued messages to "
                f"{args.state_dir / 'state'}; the next 'sigap up' loads them.",
                flush=True,
            )
    return 0


def _tenants_create(args: argparse.Namespace) -> int:
    import re

    from sigap.kernel.models import TenantKind, utc_now
    from sigap.tenants.store import TenantStore
    from sigap_tools.cli.target import resolve_target
    from sigap_tools.tenants import create_tenant

    if not re.match(TENANT_ID_PATTERN, args.slug):
        print(
            f"error: {args.slug!r} is not a valid tenant slug: use 3-40 lowercase letters, digits and hyphens",
            file=sys.stderr,
        )
        return 2
    target = resolve_target(args.stack, args.state_dir)
    try:
        tenant, api_key = create_tenant(
            TenantStore(target.output("TenantsTableName")),
            args.slug,
            args.name,
            mode=StackMode(target.outputs.get("StackMode", "multi")),
            now=utc_now(),
            kind=TenantKind.AGENCY if args.agency else TenantKind.BRAND,
        )
    except SingleBrandStackError as exc:
        local_hint = "" if args.stack else " (locally: restart with 'sigap up --mode multi'; your state is kept)"
        raise SingleBrandStackError(f"{exc}{local_hint}") from exc
    password = None
    if args.admin_email:
        from sigap_tools.cli.people_cli import add_admin

        password = add_admin(target, tenant.tenant_id, args.admin_email, args.admin_password, local=not args.stack)
    if args.json:
        shown = {"tenant_id": tenant.tenant_id, "kind": tenant.kind, "api_key": api_key, "api_url": target.api_url}
        admin = {"admin_email": args.admin_email.lower(), "admin_password": password} if args.admin_email else {}
        print(json.dumps(shown | admin))
    else:
        print(
            f"Tenant:  {tenant.tenant_id} ({tenant.kind})\nAPI key: {api_key} (scope: admin)\nAPI:     {target.api_url}"
        )
        print("The key is shown once; Sigap stores only its hash.")
        if args.admin_email:
            sent = f"password {password}" if password else "an e-mail with a temporary password"
            print(f"Admin:   {args.admin_email.lower()} ({sent}); sign in with 'sigap login --email ...'")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from sigap_tools.demo.cli import run_demo

    return run_demo(args)


def _score(args: argparse.Namespace) -> int:
    from sigap_tools.score_cli import run_score

    return run_score(args)


def _backtest(args: argparse.Namespace) -> int:
    from sigap_tools.backtest.cli import run_backtest_command

    return run_backtest_command(args)


def _import(args: argparse.Namespace) -> int:
    from sigap_tools.import_cli import run_import

    return run_import(args)


def _ingest_email(args: argparse.Namespace) -> int:
    from sigap_tools.email_cli import run_ingest_email

    return run_ingest_email(args)


def _statements_check(args: argparse.Namespace) -> int:
    from sigap_tools.statements_check import run_check

    return run_check(args)


def _smoke(args: argparse.Namespace) -> int:
    from sigap_tools.smoke import run_smoke

    return run_smoke(args.api, args.key)


def _outbox(args: argparse.Namespace) -> int:
    from sigap_tools.local.outbox import print_outbox

    return print_outbox(args.state_dir, args.limit, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sigap", description=__doc__)
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("SIGAP_STATE_DIR", ".sigap")),
        help="local stack state and logs (default: $SIGAP_STATE_DIR, else .sigap)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="start the local stack (AWS on 127.0.0.1, no account needed)")
    up.add_argument("--port", type=port_number, default=8000, help="port of the HTTP API (default 8000)")
    up.add_argument("--concurrency", type=int, default=2, help="sandboxes per function (default 2)")
    up.add_argument(
        "--retry-delay",
        type=int,
        default=None,
        help="seconds before a failed SQS message is retried (default: the queue's visibility timeout)",
    )
    up.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="a template parameter, as sam deploy --parameter-overrides takes it (repeatable)",
    )
    up.add_argument(
        "--mode", choices=["single", "multi"], help="StackMode: one brand, or many (an agency); default single"
    )
    up.add_argument("--fresh", action="store_true", help="start empty instead of loading the last saved state")
    up.add_argument(
        "--snapshot-every",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how often the tables are saved while running, so a kill -9 loses at most that much (default 30)",
    )
    up.add_argument(
        "--receiver",
        action="store_true",
        help="also start a local receiver standing in for Slack, Teams and webhooks (verifies signatures)",
    )
    up.add_argument("--receiver-port", type=port_number, default=0, help="its port (default: any free one)")
    up.add_argument(
        "--smtp-port",
        type=port_number,
        default=None,
        help="port of the SMTP server on 127.0.0.1 whose mail goes through the e-mail door (default: 2525, or any "
        "free port when 2525 is taken, as by a second stack; the port is printed)",
    )
    up.set_defaults(run=_up)

    outbox = commands.add_parser("outbox", help="the e-mails the local stack 'sent' (moto's SES), newest last")
    outbox.add_argument("--limit", type=int, default=20, help="how many to show (default 20)")
    outbox.add_argument("--json", action="store_true", help="print them as JSON lines")
    outbox.set_defaults(run=_outbox)

    from sigap_tools.cli.people_cli import add_commands as add_people_commands

    tenants = commands.add_parser("tenants", help="manage tenants (brands and agencies)")
    tenant_commands = tenants.add_subparsers(dest="tenant_command", required=True)
    create = tenant_commands.add_parser("create", help="create a tenant and print its API key")
    create.add_argument("slug", help="tenant id: 3-40 lowercase letters, digits and hyphens")
    create.add_argument("--name", help="display name (default: the slug)")
    create.add_argument("--json", action="store_true", help="print one JSON object")
    create.add_argument("--stack", help="a deployed CloudFormation stack (default: the running local stack)")
    create.add_argument("--agency", action="store_true", help="an agency: it creates and manages client brands")
    create.add_argument("--admin-email", help="the tenant's first admin (a person who signs in)")
    create.add_argument("--admin-password", help="their password (default: local stack: made up; AWS: e-mailed)")
    create.set_defaults(run=_tenants_create)
    add_people_commands(commands, tenant_commands)

    demo = commands.add_parser("demo", help="start a local stack, replay the bundled crisis, print a summary")
    demo.add_argument("--port", type=port_number, default=0, help="port of the HTTP API (default: any free port)")
    demo.add_argument("--repeat", type=int, default=1, help="replay the scenario N times with fresh ids")
    demo.add_argument("--no-progress", action="store_true", help="no progress bars")
    demo.add_argument(
        "--stay",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="keep the stack up after the demo to click through the console (default: when run in a terminal)",
    )
    demo.set_defaults(run=_demo)

    score = commands.add_parser(
        "score", help="score JSONL offline: sentiment, polarity, lang, risk, signals, story_id per line"
    )
    score.add_argument("--input", type=Path, help="JSONL file, one object with 'text' per line (default: stdin)")
    score.add_argument("--output", type=Path, help="JSONL file (default: stdout)")
    score.add_argument("--batch-size", type=int, default=1000, help="texts scored together (default 1000)")
    score.set_defaults(run=_score)

    bulk = commands.add_parser(
        "import", help="a CSV or JSONL export into a tenant's mentions (bulk import through the API), with progress"
    )
    bulk.add_argument("file", nargs="?", help="the export (CSV with a header row, or JSONL)")
    bulk.add_argument("--source", help="the source whose mapping reads the rows (e.g. one with the x-export preset)")
    bulk.add_argument("--format", choices=["csv", "jsonl"], help="default: from the file's extension")
    bulk.add_argument("--key", help="the tenant's API key (default: $SIGAP_API_KEY)")
    bulk.add_argument("--api", help="the API's URL (default: the running local stack)")
    bulk.add_argument("--follow", metavar="IMPORT_ID", help="follow an import already uploaded, to its end")
    bulk.add_argument("--no-progress", action="store_true", help="no progress bar")
    bulk.set_defaults(run=_import)

    email = commands.add_parser(
        "ingest-email", help="received e-mail (.eml files) into a tenant's mentions, through the e-mail door"
    )
    email.add_argument("files", nargs="+", help="RFC 5322 messages (.eml), as a mail client saves them")
    email.add_argument("--tenant", required=True, help="the tenant the mail was sent to")
    email.add_argument("--source", help="the source named in the address (<tenant>+<source>@...), default 'email'")
    email.add_argument("--stack", help="a deployed CloudFormation stack (default: the running local stack)")
    email.set_defaults(run=_ingest_email)

    statements = commands.add_parser("statements", help="crisis statements")
    statement_commands = statements.add_subparsers(dest="statement_command", required=True)
    check = statement_commands.add_parser(
        "check", help="tone-check JSONL statements ('id', 'text', optional 'lang'); each line back with 'findings'"
    )
    check.add_argument("--input", type=Path, help="JSONL file (default: stdin)")
    check.add_argument("--output", type=Path, help="JSONL file (default: stdout)")
    check.set_defaults(run=_statements_check)

    smoke = commands.add_parser(
        "smoke",
        help="after a deploy: ingest a mention, read its score, test every channel, fetch the status page; "
        "say what works and the likely cause of what does not",
    )
    smoke.add_argument("--api", required=True, help="the stack's API URL (its ApiUrl output)")
    smoke.add_argument("--key", required=True, help="a tenant's admin key (sgp_<tenant>_...)")
    smoke.set_defaults(run=_smoke)

    backtest = commands.add_parser(
        "backtest",
        help="replay a JSONL mention stream in simulated time through scoring and detection; one line per alert",
    )
    backtest.add_argument("--input", type=Path, help="JSONL mentions, each with 'tenant' (default: stdin)")
    backtest.add_argument(
        "--counts",
        type=Path,
        help="instead: a volume series, CSV of time and mention count (NAB's timestamp,value), through the volume "
        "test; one JSON line per alert",
    )
    backtest.add_argument("--output", type=Path, help="JSONL alert transitions (default: stdout)")
    backtest.add_argument("--sensitivity", choices=["low", "normal", "high"], default="normal")
    backtest.add_argument("--home-country", help="ISO 3166-1 alpha-2 code of every tenant's home country")
    backtest.add_argument("--evidence", action="store_true", help="write each alert's full evidence too")
    backtest.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    backtest.set_defaults(run=_backtest)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (SigapError, RuntimeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

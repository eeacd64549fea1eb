"""`sigap up`: moto's server on 127.0.0.1, the template's resources, function sandboxes, event sources and the
HTTP API, with a state file (`.sigap/local.json`) so `sigap tenants create` and the demo can find them, and a
snapshot (`.sigap/state/`, see sigap_tools.local.snapshot) so a restart remembers every tenant, mention and message."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from sigap_tools.local.authorizer import JwtAuthorizer
from sigap_tools.local.event_sources import ScheduleFirer, SqsPoller, WorkGate
from sigap_tools.local.http_gateway import HttpGateway, Route, StaticSite
from sigap_tools.local.moto_process import spawn, wait_until_serving
from sigap_tools.local.provision import Provisioned, provision
from sigap_tools.local.receiver import LocalReceiver
from sigap_tools.local.restore import restore
from sigap_tools.local.smtp import LocalSmtp
from sigap_tools.local.snapshot import SnapshotCounts, export_state
from sigap_tools.local.state_file import STATE_FILE, refuse_if_running
from sigap_tools.local.template import Resolver, Template, TemplateError, as_string_map
from sigap_tools.local.worker import FunctionPool, FunctionRuntime

LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
# One moto server process per entry: DynamoDB and SQS carry the load (one core each); the services alerting uses
# now and then (channel secrets in SSM, the link key, SES e-mail, SNS) ride along with SQS (a third process cost
# more at every start than their few calls ever do).
PROCESSES: dict[str, tuple[str, ...]] = {
    "dynamodb": ("dynamodb",),
    "sqs": ("sqs", "ssm", "secretsmanager", "ses", "sns", "s3", "cognito-idp"),
}
# boto3's AWS_ENDPOINT_URL_<SERVICE> names (the service id, upper case, spaces as underscores).
ENDPOINT_VARIABLES = {
    "dynamodb": "DYNAMODB",
    "sqs": "SQS",
    "ssm": "SSM",
    "secretsmanager": "SECRETS_MANAGER",
    "ses": "SES",
    "sns": "SNS",
    "s3": "S3",
    "cognito-idp": "COGNITO_IDENTITY_PROVIDER",
}
LOCAL_EMAIL_SENDER = "alerts@sigap_tools.local"
SNAPSHOT_DIR = "state"
SNAPSHOT_QUIET_SECONDS = 120  # while running: longer than any function's timeout, so a batch in flight finishes
# At a stop the event sources are halted and the sandboxes stopped, so what is still "in flight" is an invocation
# cut off (or a sandbox starting for one) that will never finish: the last snapshot waits no longer than this.
STOP_QUIET_SECONDS = 5
log = logging.getLogger("sigap_tools.local")


def find_template(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "template.yaml").is_file():
            return folder / "template.yaml"
    raise TemplateError("no template.yaml in this folder or above it; run from the Sigap checkout")


@dataclass
class StackOptions:
    template_path: Path
    port: int = 8000
    state_dir: Path = Path(".sigap")
    stack_name: str = "sigap-local"
    concurrency: int = 2
    retry_delay: int | None = None
    schedule_speedup: float = 1.0
    parameters: dict[str, str] = field(default_factory=dict)
    fresh: bool = False  # start empty instead of loading the last snapshot
    persist: bool = True  # save a snapshot on stop and load it on start
    snapshot_every: float = 30.0  # seconds between the tables' snapshots while running (bounds a kill -9's loss)
    receiver: bool = False  # also start the local Slack/Teams/webhook receiver (sigap_tools.local.receiver)
    warm: bool = False  # start one sandbox of every function before answering (benchmarks), not on first use
    receiver_port: int = 0
    smtp_port: int | None = 0  # the SMTP server's port (0: any free one; None: 2525 if free, else any)
    smtp: bool = True  # run the local SMTP server (mail into the e-mail door)


class LocalStack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self._stop = threading.Event()
        self._moto: list[subprocess.Popen[bytes]] = []
        self.endpoints: dict[str, str] = {}
        self._pools: dict[str, FunctionPool] = {}
        self._threads: list[threading.Thread] = []
        self._gateway: HttpGateway | None = None
        self.endpoint_url = ""
        self.provisioned: Provisioned | None = None
        self._log_handler: logging.Handler | None = None
        self._pollers: list[SqsPoller] = []
        self._work = WorkGate()
        self._clients: tuple[Any, Any] | None = None
        self._extras: tuple[Any, Any, Any] = (None, None, None)
        self.restored: SnapshotCounts | None = None
        self.outputs: dict[str, str] = {}
        self.parameters: dict[str, str] = {}
        self.saved: SnapshotCounts | None = None
        self.requeued = 0
        self._snapshot_lock = threading.Lock()
        self.receiver: LocalReceiver | None = None
        self.smtp: LocalSmtp | None = None

    # -- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> None:
        options = self.options
        logs = options.state_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self._log_handler = logging.FileHandler(logs / "local-stack.log", encoding="utf-8")
        self._log_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
        local_log = logging.getLogger("sigap_tools.local")
        local_log.addHandler(self._log_handler)
        local_log.setLevel(logging.INFO)
        local_log.propagate = False
        refuse_if_running(options.state_dir)
        # Bound first, so the port is held from the start: a port 0 stands for is known before anything needs it,
        # and a port in use is refused before moto starts.
        self._gateway = HttpGateway("127.0.0.1", options.port)
        options.port = self._gateway.port
        # E-mail goes to moto's SES, from an address verified there, unless a sender was given.
        template = Template.load(options.template_path, {"EmailSender": LOCAL_EMAIL_SENDER} | options.parameters)
        self.parameters = dict(template.parameters)
        self._start_moto(logs)
        session = boto3.session.Session(
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=LOCAL_CREDENTIALS["AWS_REGION"],
        )
        sqs = session.client("sqs", endpoint_url=self.endpoints["sqs"])
        dynamodb = session.client("dynamodb", endpoint_url=self.endpoints["dynamodb"])
        secrets = session.client("secretsmanager", endpoint_url=self.endpoints["secretsmanager"])
        ssm = session.client("ssm", endpoint_url=self.endpoints["ssm"])
        provisioned, resolver = provision(
            template,
            options.stack_name,
            dynamodb,
            sqs,
            secrets,
            s3=session.client("s3", endpoint_url=self.endpoints["s3"]),
            ses=session.client("ses", endpoint_url=self.endpoints["ses"]),
            cognito=session.client("cognito-idp", endpoint_url=self.endpoints["cognito-idp"]),
        )
        self.provisioned = provisioned
        self._clients = (dynamodb, sqs)
        self._extras = (ssm, secrets, session.client("s3", endpoint_url=self.endpoints["s3"]))
        if self.parameters.get("EmailSender"):
            session.client("ses", endpoint_url=self.endpoints["ses"]).verify_email_identity(
                EmailAddress=self.parameters["EmailSender"]
            )
        if options.persist and not options.fresh:
            restored = restore(provisioned, options.state_dir / SNAPSHOT_DIR, dynamodb=dynamodb, sqs=sqs, ssm=ssm,
                               secrets=secrets, s3=self._extras[2])  # fmt: skip
            if restored is not None:
                self.restored, self.requeued = restored.counts, restored.requeued
        routes: list[Route] = []
        user_pool = next(iter(provisioned.user_pools.values()), "")
        self._jwt_authorizer = JwtAuthorizer(
            user_pool, next(iter(provisioned.user_pool_clients.values()), ""), self.endpoints["cognito-idp"]
        )
        for spec in template.functions():
            environment = as_string_map(resolver.resolve(spec.environment))
            runtime = FunctionRuntime(
                name=provisioned.functions[spec.logical_id],
                code_dir=spec.code_uri,
                handler=spec.handler,
                timeout=spec.timeout,
                memory=spec.memory,
                environment=environment
                | LOCAL_CREDENTIALS
                | {
                    **self.endpoint_environment(),
                    "AWS_LAMBDA_FUNCTION_NAME": provisioned.functions[spec.logical_id],
                    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
                    "POWERTOOLS_METRICS_FUNCTION_NAME": spec.logical_id,
                    # Links in messages point at the local API; channels may call the local receiver.
                    "PUBLIC_API_URL": f"http://127.0.0.1:{options.port}",
                    "SIGAP_LOCAL_ALLOW_LOOPBACK": "true",
                    # The status pages: the local gateway serves them at /status/<tenant>/ from S3, as CloudFront does.
                    "STATUS_SITE_URL": f"http://127.0.0.1:{options.port}/status",
                    # People's tokens are signed by moto's user pool, whose keys its server publishes here.
                    "USER_POOL_JWKS_URL": f"{self.endpoints['cognito-idp']}/{user_pool}/.well-known/jwks.json",
                },
                log_path=(logs / f"{spec.logical_id}.log").resolve(),
            )
            pool = FunctionPool(runtime, options.concurrency)
            self._pools[spec.logical_id] = pool
            routes.extend(self._wire_events(spec.events, pool, resolver, sqs))
        # A function's first sandbox starts on its first invocation, as Lambda's does: each costs ~2 s of imports,
        # and nine at once on two cores took 11 s of every start, mostly for functions a session never calls.
        warmers = [threading.Thread(target=pool.warm) for pool in self._pools.values()] if options.warm else []
        for warmer in warmers:
            warmer.start()
        for warmer in warmers:
            warmer.join()
        site_bucket = provisioned.buckets.get("StatusSiteBucket")
        site = StaticSite(session.client("s3", endpoint_url=self.endpoints["s3"]), site_bucket) if site_bucket else None
        self._gateway.route(routes, static=site)
        self._gateway.start()
        if options.receiver:
            self.receiver = LocalReceiver(port=options.receiver_port).start()
        inbound = provisioned.buckets.get("ImportsBucket")
        if options.smtp and inbound:
            s3 = session.client("s3", endpoint_url=self.endpoints["s3"])
            self.smtp = LocalSmtp(s3, inbound, port=options.smtp_port).start()
        if options.persist:
            self._threads.append(threading.Thread(target=self._snapshot_periodically, name="snapshots", daemon=True))
        for thread in self._threads:
            thread.start()
        self._write_state(template, resolver)

    def _snapshot(self, *, include_queues: bool, quiet_seconds: float = SNAPSHOT_QUIET_SECONDS) -> SnapshotCounts:
        assert self.provisioned is not None
        assert self._clients is not None
        dynamodb, sqs = self._clients
        ssm, secrets, s3 = self._extras
        # Running, the event sources are held still while the tables are read, so no batch is half in the
        # snapshot (a mention marked scored in one table and not counted in another, or the other way round).
        with self._snapshot_lock, self._work.quiet(quiet_seconds) as quiet:
            if not quiet:
                log.warning("a batch was still running after %d s; snapshotting anyway", quiet_seconds)
            return export_state(
                self.provisioned,
                dynamodb,
                sqs,
                self.options.state_dir / SNAPSHOT_DIR,
                include_queues=include_queues,
                ssm=ssm,
                secrets=secrets,
                s3=s3,
                parameters=self.options.parameters,
            )

    def _snapshot_periodically(self) -> None:
        while not self._stop.wait(self.options.snapshot_every):
            try:
                self._snapshot(include_queues=False)
            except Exception:  # a failed snapshot keeps the previous one; the next try may succeed
                log.exception("periodic snapshot failed")

    def _start_moto(self, logs: Path) -> None:
        """One moto server per service the stack uses, each its own process: AWS emulation is the local
        stack's bottleneck, and one process would serve DynamoDB and SQS on one core (one GIL)."""
        starting = {}
        for service, served in PROCESSES.items():
            with (logs / f"moto-{service}.log").open("ab") as output:
                starting[service] = spawn(output, parent=os.getpid(), environment=os.environ | LOCAL_CREDENTIALS)
            for name in served:
                self.endpoints[name] = starting[service].url
        self._moto = [server.process for server in starting.values()]
        self.endpoint_url = self.endpoints["dynamodb"]
        wait_until_serving(starting, logs=logs)

    def endpoint_environment(self) -> dict[str, str]:
        """What points boto3 at the local servers: one endpoint per service, as AWS_ENDPOINT_URL_<SERVICE>."""
        return {"AWS_ENDPOINT_URL": self.endpoint_url} | {
            f"AWS_ENDPOINT_URL_{ENDPOINT_VARIABLES[service]}": url for service, url in self.endpoints.items()
        }

    def _wire_events(
        self, events: dict[str, dict[str, Any]], pool: FunctionPool, resolver: Resolver, sqs: Any
    ) -> list[Route]:
        routes = []
        assert self.provisioned is not None
        for name, event in events.items():
            kind, properties = event.get("Type"), event.get("Properties", {})
            if kind == "HttpApi":
                authorizer = self._jwt_authorizer if (properties.get("Auth") or {}).get("Authorizer") else None
                routes.append(
                    Route(
                        method=properties["Method"].upper(), path=properties["Path"], pool=pool, authorizer=authorizer
                    )
                )
            elif kind == "SQS":
                arn = resolver.resolve(properties["Queue"])
                queue = next(q for q in self.provisioned.queues.values() if q["arn"] == arn)
                # Lambda polls with several concurrent batches; one poller per sandbox keeps them all busy.
                pollers = [
                    SqsPoller(
                        sqs,
                        pool,
                        queue_url=queue["url"],
                        queue_arn=arn,
                        batch_size=int(properties.get("BatchSize", 10)),
                        batching_window=float(properties.get("MaximumBatchingWindowInSeconds", 0)),
                        report_item_failures="ReportBatchItemFailures" in properties.get("FunctionResponseTypes", []),
                        retry_delay=self.options.retry_delay,
                        stop=self._stop,
                        gate=self._work,
                    )
                    for _ in range(self.options.concurrency)
                ]
                self._pollers.extend(pollers)
                self._threads.extend(pollers)
            elif kind in ("Schedule", "ScheduleV2"):
                expression = resolver.resolve(properties["Schedule" if kind == "Schedule" else "ScheduleExpression"])
                firer = ScheduleFirer(pool, expression, self._stop, self.options.schedule_speedup, gate=self._work)
                self._threads.append(firer)
            else:
                raise TemplateError(f"event {name} of {pool.runtime.name}: the local stack cannot drive {kind}")
        return routes

    def _write_state(self, template: Template, resolver: Resolver) -> None:
        assert self.provisioned is not None
        assert self._gateway is not None
        outputs = {}
        for name, output in template.document.get("Outputs", {}).items():
            outputs[name] = str(resolver.resolve(output["Value"]))
        outputs["ApiUrl"] = self._gateway.url
        if self.receiver is not None:
            outputs["ReceiverUrl"] = self.receiver.url
        if self.smtp is not None:
            outputs["SmtpPort"] = str(self.smtp.port)
        self.outputs = outputs
        state = {
            "pid": os.getpid(),
            "parameters": template.parameters,
            "endpoint_url": self.endpoint_url,
            "endpoints": self.endpoints,
            "api_url": self._gateway.url,
            "region": "us-east-1",
            "outputs": outputs,
            "logs": str((self.options.state_dir / "logs").resolve()),
        }
        (self.options.state_dir / STATE_FILE).write_text(json.dumps(state, indent=2), encoding="utf-8")

    def client(self, service: str) -> Any:
        """A boto3 client for one of the local stack's services, with its local credentials."""
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoints[service],
            region_name=LOCAL_CREDENTIALS["AWS_REGION"],
            aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def pool(self, logical_id: str) -> FunctionPool:
        return self._pools[logical_id]

    @property
    def api_url(self) -> str:
        assert self._gateway is not None
        return self._gateway.url

    def stop(self) -> None:
        self._stop.set()
        if self._gateway is not None:
            self._gateway.stop()
        if self.receiver is not None:
            self.receiver.stop()
        if self.smtp is not None:
            self.smtp.stop()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=5)
        for pool in self._pools.values():
            pool.stop()
        if self.options.persist and self.provisioned is not None and self._clients is not None:
            for poller in self._pollers:
                poller.release_waiting()
            try:
                self.saved = self._snapshot(include_queues=True, quiet_seconds=STOP_QUIET_SECONDS)
                log.info("saved %d items and %d messages", self.saved.items, self.saved.messages)
            except Exception:
                log.exception("could not save the local stack's state; the previous snapshot is kept")
        for process in self._moto:
            process.terminate()
        for process in self._moto:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        state = self.options.state_dir / STATE_FILE
        if state.exists():
            state.unlink()
        if self._log_handler is not None:
            logging.getLogger("sigap_tools.local").removeHandler(self._log_handler)
            self._log_handler.close()

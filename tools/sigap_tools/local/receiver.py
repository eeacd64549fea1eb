"""A local stand-in for Slack, Microsoft Teams and webhook receivers: `sigap up --receiver` starts it beside
the stack, the demo and the bench point their channels at it, and `GET /_received` shows what arrived.

- `POST /slack/<name>`, `POST /teams/<name>`: accepted as Slack's and Teams' webhooks would be (Slack's 50
  blocks and 3,000 characters per section are checked; a message over them is refused with 400, as Slack does).
- `POST /webhook/<name>`: verified as a Standard Webhooks consumer verifies it (the `standardwebhooks` package,
  with the secret registered for <name> through `POST /_secrets/<name>`): a bad signature, a tampered body or
  a timestamp older than five minutes gets 401 and is recorded as refused.
- Fault injection for the bench: `POST /_faults/<name>` with {"fail_rate": 0.3, "status": 503, "delay": 0}.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

_SECRETS_SHAPES = (
    "send the signing secrets as a JSON array of strings, one string, or {'secrets': [...]} / {'secret': '...'}"
)


def _secrets_of(raw: bytes) -> list[str] | None:
    """The secrets a `POST /_secrets/<name>` body names, in any of the shapes it accepts; None for any other."""
    try:
        value = json.loads(raw or b"[]")
    except ValueError:
        return None
    if isinstance(value, dict):
        secrets, secret = value.get("secrets"), value.get("secret")
        value = secrets if isinstance(secrets, list) else [secret] if isinstance(secret, str) else None
    elif isinstance(value, str):
        value = [value]
    if isinstance(value, list) and all(isinstance(item, str) and item for item in value):
        return list(value)
    return None


@dataclass
class Faults:
    fail_rate: float = 0.0
    status: int = 503
    delay: float = 0.0


@dataclass
class Received:
    kind: str
    name: str
    at: float
    accepted: bool
    status: int
    body: Any
    headers: dict[str, str]
    problem: str = ""


@dataclass
class ReceiverState:
    secrets: dict[str, list[str]] = field(default_factory=dict)
    faults: dict[str, Faults] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    random: random.Random = field(default_factory=lambda: random.Random(7))


def _slack_problem(body: Any) -> str:
    blocks = body.get("blocks", []) if isinstance(body, dict) else []
    if len(blocks) > 50:
        return "invalid_blocks: more than 50 blocks"
    for block in blocks:
        text = (block.get("text") or {}).get("text", "") if isinstance(block, dict) else ""
        if len(text) > 3000:
            return "invalid_blocks: a section over 3000 characters"
    if len(json.dumps(body)) > 13_000:
        return "msg_blocks_too_long"
    return ""


class LocalReceiver:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = ReceiverState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the sender gave up waiting (its timeout): what it sent is still recorded

            def do_GET(self) -> None:
                if self.path.startswith("/_received"):
                    with state.lock:
                        rows = [row.__dict__ for row in state.received]
                    self._answer(200, {"received": rows})
                else:
                    self._answer(404, {"error": "no such path"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = self.path.strip("/").split("/")
                if len(parts) != 2:
                    self._answer(404, {"error": "POST /slack/<name>, /teams/<name> or /webhook/<name>"})
                    return
                kind, name = parts
                if kind == "_secrets":
                    secrets = _secrets_of(raw)
                    if secrets is None:
                        self._answer(400, {"error": _SECRETS_SHAPES})
                        return
                    with state.lock:
                        state.secrets[name] = secrets
                    self._answer(200, {"ok": True, "secrets": len(secrets)})
                    return
                if kind == "_faults":
                    try:
                        faults = Faults(**json.loads(raw or b"{}"))
                    except (ValueError, TypeError) as exc:
                        self._answer(400, {"error": f"send {{'fail_rate': 0.3, 'status': 503, 'delay': 0}}: {exc}"})
                        return
                    with state.lock:
                        state.faults[name] = faults
                    self._answer(200, {"ok": True})
                    return
                if kind not in ("slack", "teams", "webhook"):
                    self._answer(404, {"error": f"unknown receiver kind {kind!r}"})
                    return
                self._receive(kind, name, raw)

            def _receive(self, kind: str, name: str, raw: bytes) -> None:
                headers = {key.lower(): value for key, value in self.headers.items()}
                with state.lock:
                    faults = state.faults.get(name, Faults())
                    fail = state.random.random() < faults.fail_rate
                    secrets = list(state.secrets.get(name, []))
                if faults.delay:
                    time.sleep(faults.delay)
                problem, status = "", 200
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body, problem, status = raw.decode("utf-8", "replace"), "not JSON", 400
                if fail:
                    problem, status = "injected fault", faults.status
                elif not problem and kind == "webhook":
                    problem = self._signature_problem(secrets, raw, headers)
                    status = 401 if problem else 200
                elif not problem and kind == "slack":
                    problem = _slack_problem(body)
                    status = 400 if problem else 200
                with state.lock:
                    state.received.append(
                        Received(kind, name, time.time(), status < 300, status, body, headers, problem)
                    )
                self._answer(status, {"ok": status < 300} | ({"error": problem} if problem else {}))

            @staticmethod
            def _signature_problem(secrets: list[str], raw: bytes, headers: dict[str, str]) -> str:
                if not secrets:
                    return "no secret registered for this receiver"
                for secret in secrets:
                    try:
                        Webhook(secret).verify(raw, headers)
                        return ""
                    except WebhookVerificationError as exc:
                        problem = str(exc)
                return f"signature not verified: {problem}"

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-receiver", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def register_secret(self, name: str, secrets: list[str]) -> None:
        with self.state.lock:
            self.state.secrets[name] = list(secrets)

    def inject(self, name: str, faults: Faults) -> None:
        with self.state.lock:
            self.state.faults[name] = faults

    def received(self, kind: str | None = None, name: str | None = None) -> list[Received]:
        with self.state.lock:
            return [
                row
                for row in self.state.received
                if (kind is None or row.kind == kind) and (name is None or row.name == name)
            ]

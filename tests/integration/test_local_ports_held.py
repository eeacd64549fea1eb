"""The local stack's servers hold their ports from the moment the ports are chosen, so nothing else can take one
before the server serves it. Before, a port was looked up as free, released, and bound again seconds later: on a
busy machine an outgoing connection's source port (from the same range) took it first, and the stack failed to
start with "Address already in use"."""

from __future__ import annotations

import errno
import os
import smtplib
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from sigap_tools.local import smtp
from sigap_tools.local.http_gateway import HttpGateway, Route
from sigap_tools.local.moto_process import spawn, wait_until_serving
from sigap_tools.local.ports import held_socket
from sigap_tools.local.smtp import LocalSmtp
from sigap_tools.local.stack import LocalStack, StackOptions
from tests.conftest import ROOT, TEMPLATE_PATH


def _taken(port: int) -> bool:
    """Whether a server is listening on the port. SO_REUSEADDR, as servers set it: a connection it served that is
    waiting out TIME_WAIT does not count."""
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            other.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
        return False


class _Answering:
    def invoke(self, event: Any) -> Any:
        return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": "{}"}


def test_the_gateway_holds_its_port_once_made_and_answers_the_routes_it_is_given_before_it_starts() -> None:
    # Given a gateway made on any free port, with no routes yet
    gateway = HttpGateway("127.0.0.1", 0)
    try:
        # Then its port is already held: nothing else can bind it
        assert _taken(gateway.port)
        # When routes are given and it starts
        gateway.route([Route("GET", "/v1/ping", _Answering())])  # type: ignore[arg-type]
        gateway.start()
        # Then it answers on that port
        with urllib.request.urlopen(f"{gateway.url}/v1/ping", timeout=10) as answer:  # noqa: S310 - loopback
            assert answer.status == 200
    finally:
        gateway.stop()
    assert not _taken(gateway.port)


def test_a_gateway_that_never_started_stops_at_once_and_frees_its_port() -> None:
    # Given a gateway made, as a stack makes it first, whose stack then failed to start
    gateway = HttpGateway("127.0.0.1", 0)
    # When it is stopped (without the fix this waited forever for a serving loop that never began)
    gateway.stop()
    # Then its port is free again
    assert not _taken(gateway.port)


def test_a_moto_server_holds_its_port_before_it_serves() -> None:
    # Given a moto server just spawned: its process is still importing moto
    server = spawn(subprocess.DEVNULL, parent=os.getpid())
    try:
        port = int(server.url.rsplit(":", 1)[1])
        # Then its port is held all along
        assert _taken(port)
        # And once it serves, it answers on it
        wait_until_serving({"moto": server})
        with urllib.request.urlopen(f"{server.url}/moto-api/", timeout=10) as answer:  # noqa: S310 - loopback
            assert answer.status == 200
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)


def test_the_smtp_server_holds_its_port_and_takes_another_when_the_preferred_one_is_in_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the preferred SMTP port in use by another program
    with held_socket() as other_program:
        monkeypatch.setattr(smtp, "PREFERRED_PORT", other_program.getsockname()[1])
        # When the local SMTP server is made preferring it
        server = LocalSmtp(s3=None, bucket="unused", port=None)
        try:
            # Then it holds another port from the start, and serves SMTP on it once started
            assert server.port != smtp.PREFERRED_PORT
            assert _taken(server.port)
            server.start()
            with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as client:
                assert client.noop()[0] == 250
        finally:
            server.stop()


def test_a_stack_holds_its_api_port_before_it_starts_moto_and_one_that_fails_to_start_stops_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a stack asked for any free port, whose moto servers then fail to start
    held_when_moto_starts: list[bool] = []

    def moto_fails(stack: LocalStack, logs: Path) -> None:
        held_when_moto_starts.append(_taken(stack.options.port))
        raise RuntimeError("moto's server did not start")

    monkeypatch.setattr(LocalStack, "_start_moto", moto_fails)
    stack = LocalStack(StackOptions(template_path=TEMPLATE_PATH, port=0, state_dir=tmp_path))
    # When it starts
    with pytest.raises(RuntimeError, match="moto"):
        stack.start()
    # Then the API's port was already held by then (before, it was only looked up, to be bound much later)
    assert held_when_moto_starts == [True]
    # And stopping the stack that failed returns and frees the port
    stack.stop()
    assert not _taken(stack.options.port)


def test_sigap_up_on_a_port_in_use_says_so_at_once_and_how_to_choose_another(tmp_path: Path) -> None:
    # Given a port another program listens on
    with held_socket() as other_program:
        port = other_program.getsockname()[1]
        # When the local stack is asked to serve its API there
        done = subprocess.run(
            [sys.executable, "-m", "sigap_tools.cli.main", "--state-dir", str(tmp_path), "up", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    # Then it fails, naming the port and the way out, before starting anything (no moto server was started)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"port {port}" in done.stderr
    assert "--port" in done.stderr
    assert "Address already in use" in done.stderr
    assert not list((tmp_path / "logs").glob("moto-*.log"))

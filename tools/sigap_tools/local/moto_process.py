"""Starting moto's server (`sigap_tools.local.moto_server`) as a process of its own, on a port held from the start:
the listening socket is bound here and handed to the server (why: `sigap_tools.local.ports`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sigap_tools.local.ports import held_socket


@dataclass(frozen=True)
class MotoProcess:
    process: subprocess.Popen[bytes]
    url: str


def spawn(
    output: IO[bytes] | int, *, parent: int | None = None, environment: Mapping[str, str] | None = None
) -> MotoProcess:
    """A moto server on a port of its own; `parent`: it exits when that process is gone."""
    with held_socket() as listening:
        port = listening.getsockname()[1]
        watch = ["--parent", str(parent)] if parent is not None else []
        serve = ["--socket-fd", str(listening.fileno()), "-p", str(port)]
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no user input
            [sys.executable, "-m", "sigap_tools.local.moto_server", *watch, *serve],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=dict(environment if environment is not None else os.environ),
            pass_fds=(listening.fileno(),),
            # A session of its own: a terminal's Ctrl-C goes to the whole foreground process group, and moto
            # must outlive it long enough for the stack to save its state (it exits with its parent).
            start_new_session=True,
        )
    # The socket is the server's now; connections made before it serves wait in its backlog.
    return MotoProcess(process, f"http://127.0.0.1:{port}")


def wait_until_serving(servers: Mapping[str, MotoProcess], timeout: float = 30, logs: Path | None = None) -> None:
    """Returns once every server answers; raises RuntimeError naming the one that exited or did not answer."""
    deadline = time.monotonic() + timeout
    for name, server in servers.items():
        while True:
            if server.process.poll() is not None:
                where = f"; see {logs / f'moto-{name}.log'}" if logs is not None else ""
                raise RuntimeError(f"moto's server ({name}) exited{where}")
            try:
                with urllib.request.urlopen(f"{server.url}/moto-api/", timeout=1):  # noqa: S310 - loopback
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"moto's server ({name}) did not answer within {timeout:.0f} s") from None
                time.sleep(0.1)

"""The running local stack's state file (`.sigap/local.json`): where its endpoints and API are, and whether the
stack it names is still alive."""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

STATE_FILE = "local.json"

log = logging.getLogger("sigap_tools.local")


class StaleStateError(RuntimeError):
    """.sigap/local.json names a local stack that is no longer running (killed, or the machine restarted)."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(url: str) -> bool:
    host, _, port = url.removeprefix("http://").partition(":")
    try:
        with socket.create_connection((host, int(port or 80)), timeout=1):
            return True
    except (OSError, ValueError):
        return False


def read_state(state_dir: Path = Path(".sigap")) -> dict[str, Any] | None:
    """The running local stack's state, None if none was started here; StaleStateError if the file names a
    stack that is gone (killed with -9, say): its process is dead or its API does not answer."""
    path = state_dir / STATE_FILE
    if not path.exists():
        return None
    try:
        state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        pid, api_url = int(state["pid"]), str(state["api_url"])
    except (ValueError, KeyError, TypeError) as exc:
        raise StaleStateError(f"{path} is unreadable ({exc}); delete it and start the stack with 'sigap up'") from exc
    if not _alive(pid) or not _answers(api_url):
        raise StaleStateError(
            f"{path} names a local stack (pid {pid}, {api_url}) that is no longer running; "
            "start it again with 'sigap up' (its last snapshot is loaded)"
        )
    return state


def refuse_if_running(state_dir: Path) -> None:
    try:
        running = read_state(state_dir)
    except StaleStateError as stale:
        log.warning("replacing a stale state file: %s", stale)
        (state_dir / STATE_FILE).unlink(missing_ok=True)
        return
    if running is not None:
        raise RuntimeError(
            f"a local stack is already running from {state_dir} (pid {running['pid']}, {running['api_url']}); "
            "stop it first, or use another --state-dir"
        )

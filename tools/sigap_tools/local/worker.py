"""A function's sandbox: a separate process with the function's own environment, importing its handler from its
code folder exactly as Lambda does, kept warm between invocations and restarted after a timeout or crash."""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import queue
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

_SPAWN = multiprocessing.get_context("spawn")


class InvocationError(RuntimeError):
    """The function raised, timed out or crashed; Lambda would report the invocation as failed."""


class FunctionUnavailableError(InvocationError):
    """The function did not answer (it timed out, or its sandbox did not start or died): nothing says the request
    was wrong, so the caller may retry it, where a function that raised has a bug a retry will meet again."""


class SandboxGoneError(FunctionUnavailableError):
    """The sandbox had died before the event reached it (killed while idle): the event was not handled."""


@dataclass(frozen=True)
class FunctionRuntime:
    name: str
    code_dir: Path
    handler: str
    timeout: int
    memory: int
    environment: dict[str, str]
    log_path: Path


class _Context:
    """The parts of Lambda's context object that handlers and Powertools read."""

    def __init__(self, runtime: FunctionRuntime, request_id: str, deadline: float) -> None:
        self.function_name = runtime.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{runtime.name}"
        self.memory_limit_in_mb = runtime.memory
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{runtime.name}"
        self.log_stream_name = "local"
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def _sandbox(connection: Connection, runtime: FunctionRuntime) -> None:
    log = runtime.log_path.open("a", buffering=1, encoding="utf-8")
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    os.environ.update(runtime.environment)
    sys.path.insert(0, str(runtime.code_dir))
    module_name, _, function_name = runtime.handler.rpartition(".")
    handler = getattr(importlib.import_module(module_name), function_name)
    connection.send(("ready", None))
    while True:
        message = connection.recv()
        if message is None:
            return
        event, request_id, deadline = message
        try:
            result = handler(event, _Context(runtime, request_id, deadline))
            connection.send(("ok", result))
        except Exception:
            traceback.print_exc()
            connection.send(("error", traceback.format_exc(limit=5)))


class _Sandbox:
    def __init__(self, runtime: FunctionRuntime) -> None:
        self.runtime = runtime
        self._connection, child = _SPAWN.Pipe()
        self._process = _SPAWN.Process(target=_sandbox, args=(child, runtime), daemon=True)
        self._process.start()
        if not self._connection.poll(60):
            self.stop()
            raise FunctionUnavailableError(f"{runtime.name} did not start within 60 s; see {runtime.log_path}")
        status, _ = self._connection.recv()
        if status != "ready":
            raise FunctionUnavailableError(f"{runtime.name} failed to start; see {runtime.log_path}")

    def invoke(self, event: Any) -> Any:
        deadline = time.time() + self.runtime.timeout
        try:
            self._connection.send((event, str(uuid.uuid4()), deadline))
        except (BrokenPipeError, ConnectionResetError, EOFError) as exc:
            self.stop()
            raise SandboxGoneError(f"{self.runtime.name}'s sandbox had exited") from exc
        if not self._connection.poll(self.runtime.timeout):
            self.stop()
            raise FunctionUnavailableError(f"{self.runtime.name} timed out after {self.runtime.timeout} s")
        try:
            status, payload = self._connection.recv()
        except EOFError as exc:
            self.stop()
            raise FunctionUnavailableError(f"{self.runtime.name} crashed; see {self.runtime.log_path}") from exc
        if status == "error":
            raise InvocationError(f"{self.runtime.name} raised: {payload}")
        return payload

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    @property
    def pid(self) -> int:
        return int(self._process.pid or 0)

    def stop(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self._connection.send(None)
        self._process.join(timeout=2)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout=2)


class FunctionPool:
    """Up to `concurrency` warm sandboxes of one function; an invocation takes a free one or starts one."""

    def __init__(self, runtime: FunctionRuntime, concurrency: int) -> None:
        self.runtime = runtime
        self._idle: queue.LifoQueue[_Sandbox] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(concurrency)
        self._all: list[_Sandbox] = []
        self._lock = threading.Lock()

    def warm(self) -> None:
        self._idle.put(self._start())

    def _start(self) -> _Sandbox:
        sandbox = _Sandbox(self.runtime)
        with self._lock:
            self._all.append(sandbox)
        return sandbox

    def invoke(self, event: Any) -> Any:
        """Runs the event in a warm sandbox; one that died while idle is replaced and the event given to the
        new one (it never reached the dead one), as Lambda starts a new execution environment."""
        with self._slots:
            for attempt in (1, 2):
                sandbox = self._take()
                try:
                    return sandbox.invoke(event)
                except SandboxGoneError:
                    if attempt == 2:
                        raise
                finally:
                    if sandbox.alive:
                        self._idle.put(sandbox)
                    else:
                        self._forget(sandbox)
        raise AssertionError("unreachable")

    def _take(self) -> _Sandbox:
        while True:
            try:
                sandbox = self._idle.get_nowait()
            except queue.Empty:
                return self._start()
            if sandbox.alive:
                return sandbox
            self._forget(sandbox)

    def _forget(self, sandbox: _Sandbox) -> None:
        with self._lock:
            if sandbox in self._all:
                self._all.remove(sandbox)

    def sandbox_pids(self) -> list[int]:
        """The process ids of this function's live sandboxes (for tests that kill one, as a crash would)."""
        with self._lock:
            return [sandbox.pid for sandbox in self._all if sandbox.alive]

    def stop(self) -> None:
        with self._lock:
            sandboxes, self._all = self._all, []
        for sandbox in sandboxes:
            sandbox.stop()

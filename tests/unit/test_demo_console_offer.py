"""`make demo` ends by offering the console on the crisis just watched, and keeps the stack up until told to stop:
Ctrl-C in a terminal, or TERM from a script that started it in the background."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

_OFFER = (
    "from sigap_tools.demo.cli import offer_console\n"
    "offer_console('http://127.0.0.1:9', {'rina@x.example': 'pw-1', 'budi@x.example': 'pw-2'}, stay=True)\n"
    "print('after', flush=True)\n"
)


def test_the_demo_prints_the_console_and_its_sign_ins_and_stops_cleanly_on_term() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", _OFFER], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert process.stdout is not None
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if "stays up" in line:
            break
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=60)
    printed = "".join(lines) + rest
    assert "http://127.0.0.1:9/console/tenants/teh-segar-demo" in printed
    assert "sign in as rina@x.example (wrote the statement), password pw-1" in printed
    assert "sign in as budi@x.example (approved it), password pw-2" in printed
    assert "Stopping the local stack" in printed
    assert "after" in printed  # the demo goes on to stop the stack, as after Ctrl-C
    assert process.returncode == 0

"""The README's API examples, run as a new user would: each curl command of each runnable block, in order,
against the local stack, with the answer each `# <status> <json>` comment below it promises."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from sigap_tools.local.stack import LocalStack
from tests.e2e.conftest import create_tenant_with_cli

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]  # the shared stack: one worker holds it

README = Path(__file__).resolve().parents[2] / "README.md"
# A block is run when it talks to the API as my-brand and holds no placeholder for the reader to fill in
# (a Slack URL, a channel id): `...` may stand only in comments and in the API key the assignment line sets.
_ASSIGNMENT = re.compile(r"^API=\S+; KEY=\S+")


@dataclass(frozen=True)
class Example:
    command: str
    status: int | None
    keys: tuple[str, ...]


def _commands(block: str) -> list[str]:
    """The block's lines with each shell command whole: a backslash continues it, and so does a quoted body
    that spans lines (a JSON body written over several lines inside single quotes)."""
    lines: list[str] = []
    pending = ""
    for line in block.replace("\\\n", " ").splitlines():
        pending = f"{pending}\n{line}" if pending else line
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # an open quote: the command goes on
            continue
        lines.append(pending)
        pending = ""
    return lines


def runnable_examples() -> list[Example]:
    examples: list[Example] = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        lines = _commands(block)
        code = [line for line in lines if not line.startswith("#") and not _ASSIGNMENT.match(line)]
        if "$API/v1/tenants/my-brand" not in block or any("..." in line.split("#")[0] for line in code):
            continue
        for index, line in enumerate(lines):
            if not line.startswith("curl "):
                continue
            promise = lines[index + 1] if index + 1 < len(lines) else ""
            found = re.match(r"^# (\d{3}) (.*)$", promise)
            keys = tuple(re.findall(r'"(\w+)":', found.group(2))) if found else ()
            examples.append(Example(line, int(found.group(1)) if found else None, keys))
    return examples


def test_the_readme_has_runnable_examples_of_every_door_it_documents() -> None:
    commands = " ".join(example.command for example in runnable_examples())
    for route in ("/mentions", "/summary", "/score", "/mentions/tw-1"):
        assert f"my-brand{route}" in commands, f"no runnable README example calls {route}"


@pytest.mark.skipif(shutil.which("curl") is None, reason="the README's examples are curl commands")
def test_every_runnable_readme_example_answers_what_its_comment_says(stack: LocalStack) -> None:
    # Given the reader's brand on the local stack, its key where the README says to put it
    _, key = create_tenant_with_cli(stack, "my-brand")
    environment = {"PATH": "/usr/bin:/bin", "API": stack.api_url, "KEY": key}
    for example in runnable_examples():
        # When each command runs as written (only asked to print the status after the body)
        answer = subprocess.run(
            ["bash", "-c", example.command + " -w '\\n%{http_code}'"],
            capture_output=True,
            text=True,
            env=environment,
            timeout=120,
            check=True,
        )
        body, _, status = answer.stdout.rpartition("\n")
        # Then it succeeds with the status and the fields its comment shows
        assert int(status) < 400, (example.command, status, body)
        if example.status is not None:
            assert int(status) == example.status, (example.command, status, body)
        missing = [name for name in example.keys if f'"{name}":' not in body]
        assert not missing, (example.command, missing, body)

"""The README's API examples, run as a new user would: each curl command of each runnable block, in order,
against the local stack, with the answer each `# <status> <json>` comment below it promises."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
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
    status: int | None  # None: a step that is not a request (a variable set from an earlier answer)
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


def runnable_blocks() -> list[list[Example]]:
    """Each runnable block's steps in order: its curl requests, with the answer the comment under each promises,
    and the shell lines between them (`SECRET=$(curl ...)`), which later requests use."""
    blocks: list[list[Example]] = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        lines = _commands(block)
        code = [line for line in lines if not line.startswith("#") and not _ASSIGNMENT.match(line)]
        talks_to_the_api = "$API/v1/tenants/my-brand" in block or "$API/v1/tenants/my-agency" in block
        if not talks_to_the_api or any("..." in line.split("#")[0] for line in code):
            continue
        steps: list[Example] = []
        for index, line in enumerate(lines):
            if line.startswith("#") or _ASSIGNMENT.match(line) or not line.strip():
                continue
            if not line.startswith("curl "):
                steps.append(Example(line, None, ()))
                continue
            promise = lines[index + 1] if index + 1 < len(lines) else ""
            found = re.match(r"^# (\d{3}) (.*)$", promise)
            keys = tuple(re.findall(r'"(\w+)":', found.group(2))) if found else ()
            steps.append(Example(line, int(found.group(1)) if found else 0, keys))
        blocks.append(steps)
    return blocks


def runnable_examples() -> list[Example]:
    return [step for block in runnable_blocks() for step in block if step.status is not None]


def test_the_readme_has_runnable_examples_of_every_door_it_documents() -> None:
    commands = " ".join(example.command for example in runnable_examples())
    for route in (
        "/mentions",
        "/summary",
        "/score",
        "/mentions/tw-1",
        "/sources/youscan",
        "/imports",
        "/mentions/email:CAB123@mail.example.com",
        "/sources/blog/read",
        "/me",
        "/statements/$STATEMENT/reviews",
    ):
        assert f"my-brand{route}" in commands, f"no runnable README example calls {route}"
    for route in ("/clients", "/rollup", "/clients/mie-kilat/suspend"):
        assert f"my-agency{route}" in commands, f"no runnable README example calls {route}"
    steps = " ".join(step.command for block in runnable_blocks() for step in block)  # `X=$(curl ...)` lines too
    assert "my-brand/keys" in steps, "no runnable README example makes a key"
    assert "sigap people add" in steps, "no runnable README example adds a person"
    assert "sigap login" in steps, "no runnable README example signs a person in"
    for source in ("youscan", "zendesk", "sprinklr"):  # one per verification scheme
        assert f"/v1/hooks/my-brand/{source}" in commands, f"no runnable README example posts to {source}"


_MARK = "@@sigap-readme-step@@"


@pytest.mark.skipif(shutil.which("curl") is None, reason="the README's examples are curl commands")
def test_every_runnable_readme_example_answers_what_its_comment_says(stack: LocalStack, tmp_path: Path) -> None:
    # Given the reader's brand on the local stack, its key where the README says to put it
    _, key = create_tenant_with_cli(stack, "my-brand")
    environment = {
        # The `sigap` command of this checkout, then the system's: as a reader with the venv active has them
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "API": stack.api_url,
        "KEY": key,
        "SIGAP_STATE_DIR": str(stack.options.state_dir),
        "TMPDIR": str(tmp_path),  # files an example writes (an export to import) land here, not in the clone
    }
    for block in runnable_blocks():
        # When each block runs as written in one shell (each request only asked to print its status after it)
        script = ["set -e"]
        for step in block:
            script.append(step.command if step.status is None else f"{step.command} -w '\\n%{{http_code}}'")
            if step.status is not None:
                script.append(f"printf '\\n{_MARK}\\n'")
        answer = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            capture_output=True,
            text=True,
            env=environment,
            timeout=300,
            check=False,
            cwd=README.parent,  # examples name the clone's files (tests/data/email/...) from its root
        )
        assert answer.returncode == 0, (script, answer.stdout, answer.stderr)
        outputs = answer.stdout.split(f"\n{_MARK}\n")
        requests = [step for step in block if step.status is not None]
        assert len(outputs) >= len(requests), (script, answer.stdout)
        for example, output in zip(requests, outputs, strict=False):
            body, _, status = output.rpartition("\n")
            # Then each succeeds with the status and the fields its comment shows
            assert int(status) < 400, (example.command, status, body)
            if example.status:
                assert int(status) == example.status, (example.command, status, body)
            missing = [name for name in example.keys if f'"{name}":' not in body]
            assert not missing, (example.command, missing, body)

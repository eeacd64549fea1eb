"""The local receiver's `/_secrets/<name>` takes a signing secret in every shape its docs name (an array, one
string, {"secrets": [...]}, {"secret": "..."}), and any other body is a 400 naming the shapes, never silently
registering the wrong secret (an object's keys were taken for secrets)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from sigap_tools.local.receiver import LocalReceiver


def _post(url: str, body: Any) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")  # noqa: S310 - local
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - a local test server
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def receiver() -> Any:
    started = LocalReceiver().start()
    yield started
    started.stop()


@pytest.mark.parametrize("body", [["whsec_a", "whsec_b"], "whsec_a", {"secrets": ["whsec_a"]}, {"secret": "whsec_a"}])
def test_every_documented_shape_registers_the_secret_itself(receiver: LocalReceiver, body: Any) -> None:
    assert _post(f"{receiver.url}/_secrets/hook", body)[0] == 200
    assert receiver.state.secrets["hook"][0] == "whsec_a"


@pytest.mark.parametrize("body", [{"key": "whsec_a"}, [1, 2], {"secrets": "x"}, 42, [""]])
def test_any_other_body_is_a_400_naming_the_shapes(receiver: LocalReceiver, body: Any) -> None:
    status, answer = _post(f"{receiver.url}/_secrets/hook", body)
    assert status == 400
    assert "JSON array of strings" in answer["error"]
    assert "hook" not in receiver.state.secrets

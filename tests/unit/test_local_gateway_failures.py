"""The local HTTP API answers a function that did not answer (timed out, its sandbox killed mid-request or never
started) with 503 and Retry-After, as the README promises, and one that raised with a 500: a retry can help the
first and never the second. Neither is a raw traceback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from sigap_tools.local.http_gateway import HttpGateway, Route
from sigap_tools.local.worker import FunctionUnavailableError, InvocationError, SandboxGoneError


class _Failing:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def invoke(self, event: Any) -> Any:
        raise self.error


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (FunctionUnavailableError("IngestFunction timed out after 10 s"), 503, "unavailable"),
        (SandboxGoneError("IngestFunction's sandbox had exited"), 503, "unavailable"),
        (InvocationError("IngestFunction raised: KeyError"), 500, "internal_error"),
    ],
)
def test_a_function_that_did_not_answer_is_a_503_with_retry_after_and_one_that_raised_a_500(
    error: Exception, status: int, code: str
) -> None:
    route = Route("POST", "/v1/tenants/{tenant}/mentions", _Failing(error))  # type: ignore[arg-type]
    gateway = HttpGateway("127.0.0.1", 0, [route])
    gateway.start()
    try:
        url = f"{gateway.url}/v1/tenants/brand-a/mentions"
        request = urllib.request.Request(url, data=b"{}", method="POST")  # noqa: S310 - a local test server
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=30)  # noqa: S310 - a local test server
        assert answer.value.code == status
        assert json.loads(answer.value.read())["error"]["code"] == code
        assert (answer.value.headers.get("retry-after") == "1") == (status == 503)
    finally:
        gateway.stop()


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_sigap_up_with_a_port_that_is_not_one_is_a_usage_error_not_a_traceback(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sigap_tools.cli.main import main

    with pytest.raises(SystemExit) as exited:
        main(["up", "--port", port])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "--port" in error
    assert "Traceback" not in error


def test_a_route_behind_the_jwt_authorizer_is_answered_401_by_the_gateway_without_invoking_the_function() -> None:
    invoked: list[Any] = []

    class _Recording:
        def invoke(self, event: Any) -> Any:
            invoked.append(event)
            return {"statusCode": 200, "body": "{}", "headers": {"Content-Type": "application/json"}}

    route = Route("POST", "/v1/tenants/{tenant}/statements/{statement_id}/reviews", _Recording(),  # type: ignore[arg-type]
                  authorizer=lambda header: header == "Bearer good")  # fmt: skip
    gateway = HttpGateway("127.0.0.1", 0, [route])
    gateway.start()
    try:
        url = f"{gateway.url}/v1/tenants/brand-a/statements/st-0123456789ab/reviews"
        for header in ("Bearer sgp_brand-a_key", ""):
            request = urllib.request.Request(url, data=b"{}", method="POST", headers={"authorization": header})  # noqa: S310
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(request, timeout=30)  # noqa: S310 - a local test server
            assert (answer.value.code, json.loads(answer.value.read())) == (401, {"message": "Unauthorized"})
        assert invoked == []
        good = urllib.request.Request(url, data=b"{}", method="POST", headers={"authorization": "Bearer good"})  # noqa: S310
        with urllib.request.urlopen(good, timeout=30) as passed:  # noqa: S310 - a local test server
            assert passed.status == 200
        assert len(invoked) == 1
    finally:
        gateway.stop()

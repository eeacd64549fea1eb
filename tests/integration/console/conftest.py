"""What the console's tests share: an agency stack (it may hold clients), and the API the console calls answered
in process by the API's own functions."""

from __future__ import annotations

from typing import Any

import pytest

from sigap_tools.local.template import Template
from tests.conftest import TEMPLATE_PATH
from tests.integration.conftest import AwsStack
from tests.integration.console.harness import InProcessApi, serve_api_in_process


@pytest.fixture
def template() -> Template:
    return Template.load(TEMPLATE_PATH, {"StackMode": "multi"})


@pytest.fixture
def api_in_process(aws: AwsStack, lambda_context: Any, monkeypatch: pytest.MonkeyPatch) -> InProcessApi:
    return serve_api_in_process(aws, lambda_context, monkeypatch)

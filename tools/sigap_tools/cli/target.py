"""Which stack a CLI command talks to: the running local stack, or a deployed CloudFormation stack."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import boto3

from sigap.platform.aws import reset_clients
from sigap_tools.local.stack import ENDPOINT_VARIABLES, LOCAL_CREDENTIALS
from sigap_tools.local.state_file import StaleStateError, read_state


class TargetError(RuntimeError):
    pass


@dataclass(frozen=True)
class Target:
    api_url: str
    outputs: dict[str, str]

    def output(self, name: str) -> str:
        if name not in self.outputs:
            raise TargetError(f"the stack has no output {name!r}")
        return self.outputs[name]


def resolve_target(stack: str | None, state_dir: Path) -> Target:
    if stack:
        try:
            described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
        except Exception as exc:
            raise TargetError(f"cannot read stack {stack!r}: {exc}") from exc
        outputs = {item["OutputKey"]: item["OutputValue"] for item in described.get("Outputs", [])}
        return Target(api_url=outputs.get("ApiUrl", ""), outputs=outputs)
    try:
        state = read_state(state_dir)
    except StaleStateError as stale:
        raise TargetError(str(stale)) from stale
    if state is None:
        raise TargetError("no local stack is running here: start one with 'sigap up', or pass --stack NAME")
    endpoints = {
        f"AWS_ENDPOINT_URL_{ENDPOINT_VARIABLES.get(service, service.upper())}": url
        for service, url in state.get("endpoints", {}).items()
    }
    os.environ.update(LOCAL_CREDENTIALS | {"AWS_ENDPOINT_URL": state["endpoint_url"]} | endpoints)
    reset_clients()
    return Target(api_url=state["api_url"], outputs=state["outputs"])

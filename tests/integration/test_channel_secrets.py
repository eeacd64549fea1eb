"""Channel secrets in SSM Parameter Store, under moto: a SecureString that never leaves SSM but for delivery, on
the tier that lets an agency pass SSM's 10,000 standard parameters."""

from __future__ import annotations

from typing import Any

import boto3

from sigap.outbound.domain.models import ChannelSecret
from sigap.outbound.secrets import ChannelSecrets
from sigap.platform.aws import ssm_client
from tests.integration.conftest import AwsStack


def test_a_channel_secret_is_a_securestring_that_moves_to_the_advanced_tier_when_standard_is_full(
    aws: AwsStack,
) -> None:
    # Given a channel's secret stored (what is asked of SSM recorded)
    asked: list[dict[str, Any]] = []
    ssm_client().meta.events.register(
        "provide-client-params.ssm.PutParameter", lambda params, **_: asked.append(dict(params))
    )
    secrets = ChannelSecrets("/sigap/test")
    secrets.put("brand-a", "ch-1", ChannelSecret(url="https://hooks.slack.com/services/T/B/X"))
    # Then it is read back as stored, is encrypted, and is put with Intelligent-Tiering
    assert secrets.secret("brand-a", "ch-1") == ChannelSecret(url="https://hooks.slack.com/services/T/B/X")
    [described] = boto3.client("ssm").describe_parameters()["Parameters"]
    assert described["Type"] == "SecureString"
    assert [(call["Type"], call["Tier"]) for call in asked] == [("SecureString", "Intelligent-Tiering")]
    # And deleting it twice is not an error; a deleted secret reads as none
    secrets.delete("brand-a", "ch-1")
    secrets.delete("brand-a", "ch-1")
    assert secrets.secret("brand-a", "ch-1") is None

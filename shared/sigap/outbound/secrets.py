"""Each channel's secret (a Slack or Teams URL, a webhook's signing secret) in SSM Parameter Store as a
SecureString: never in DynamoDB, never logged, never returned by the API after creation. Read on each delivery,
so a rotated secret is used at once. Intelligent-Tiering: a standard parameter while the account holds fewer than
SSM's 10,000, an advanced one ($0.05 a month) beyond, so an agency's ten-thousandth channel is not refused."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from sigap.outbound.domain.models import ChannelSecret
from sigap.platform.aws import ssm_client
from sigap.platform.aws_errors import error_code, storage_error


class ChannelSecrets:
    def __init__(self, prefix: str) -> None:
        self._prefix = prefix.rstrip("/")

    def _name(self, owner: str, channel_id: str) -> str:
        return f"{self._prefix}/{owner}/channels/{channel_id}"

    def put(self, owner: str, channel_id: str, secret: ChannelSecret) -> None:
        try:
            ssm_client().put_parameter(
                Name=self._name(owner, channel_id),
                Value=secret.model_dump_json(),
                Type="SecureString",
                Tier="Intelligent-Tiering",
                Overwrite=True,
                Description=f"Sigap channel {channel_id} of {owner}",
            )
        except (ClientError, BotoCoreError) as exc:
            raise storage_error("PutParameter", exc) from exc

    def secret(self, owner: str, channel_id: str) -> ChannelSecret | None:
        try:
            answer = ssm_client().get_parameter(Name=self._name(owner, channel_id), WithDecryption=True)
        except ClientError as exc:
            if error_code(exc) == "ParameterNotFound":
                return None
            raise storage_error("GetParameter", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("GetParameter", exc) from exc
        return ChannelSecret.model_validate_json(answer["Parameter"].get("Value", "{}"))

    def delete(self, owner: str, channel_id: str) -> None:
        try:
            ssm_client().delete_parameter(Name=self._name(owner, channel_id))
        except ClientError as exc:
            if error_code(exc) != "ParameterNotFound":
                raise storage_error("DeleteParameter", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("DeleteParameter", exc) from exc

"""A tenant's channels (`CHANNEL#<id>` in the notifications table): where notifications and statements go.
Their secrets are never here (see outbound.secrets)."""

from __future__ import annotations

from sigap.outbound.domain.models import Channel
from sigap.platform.documents import DocumentTable


class ChannelsTable(DocumentTable):
    label = "channels"

    def channels(self, owner: str) -> list[Channel]:
        return self._models(owner, "CHANNEL#", Channel)

    def channel(self, owner: str, channel_id: str) -> Channel | None:
        return self._get_model(owner, f"CHANNEL#{channel_id}", Channel)

    def save_channel(self, channel: Channel, expected_version: int) -> bool:
        return self._conditional_put(
            self._put_item(
                channel.tenant_id,
                f"CHANNEL#{channel.channel_id}",
                channel,
                version=channel.version,
                expected=expected_version,
            )
        )

    def delete_channel(self, owner: str, channel_id: str) -> None:
        self._delete(owner, f"CHANNEL#{channel_id}")

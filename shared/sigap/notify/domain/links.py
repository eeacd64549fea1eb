"""One-click acknowledgement links: tokens (`sigap.kernel.tokens`) bound to the tenant, the alert and an
expiry, inside the API's public address."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sigap.kernel.tokens import make_token
from sigap.notify.domain.message import LinkMaker

LINK_LIFETIME = timedelta(days=7)


def link_maker(base_url: str, key: bytes, now: Callable[[], datetime]) -> LinkMaker:
    """The links messages carry: acknowledgement tokens signed with `key`, valid for LINK_LIFETIME."""

    def token(tenant_id: str, alert_id: str) -> str:
        return make_token(key, tenant_id, alert_id, now() + LINK_LIFETIME, action="ack")

    return LinkMaker(base_url=base_url, ack_token=token)

"""A status page's subscriptions, done by the publisher off the request the page answered: the subscriber
written and the confirmation e-mail (double opt-in) sent through the tenant's mailer."""

from __future__ import annotations

import html

from sigap.kernel.language import Language
from sigap.outbound.domain.models import DeliveryError
from sigap.platform.observability import logger
from sigap.statements.domain.models import QueuedSubscription, Subscriber
from sigap.statements.domain.publisher_ports import PublisherPorts
from sigap.statements.domain.subscribers import SubscriberStore, subscribe

CONFIRM = {Language.INDONESIAN: "Konfirmasi langganan", Language.ENGLISH: "Confirm your subscription"}


class ConfirmationMail:
    def __init__(self, ports: PublisherPorts) -> None:
        self._ports = ports

    def confirmation(self, subscriber: Subscriber, confirm_url: str) -> None:
        words = CONFIRM[subscriber.language]
        page = html.escape(confirm_url, quote=True)
        try:
            self._ports.mailer.send(
                [subscriber.email],
                f"{self._ports.tenant_name}: {words}",
                f"{words}: {confirm_url}\n",
                f'<p><a href="{page}">{html.escape(words)}</a></p>',
                {},
                {"sigap-message": "confirmation", "tenant": subscriber.tenant_id},
            )
        except DeliveryError as error:
            # Nobody is told either way (it must not say who subscribes); the person can ask again later.
            logger.warning(
                "confirmation e-mail not sent", extra={"tenant_id": subscriber.tenant_id, "error": error.reason}
            )


def handle_subscription(queued: QueuedSubscription, store: SubscriberStore, ports: PublisherPorts) -> None:
    """The subscription the page queued: written, and its confirmation sent (or nothing, as `subscribe` says)."""
    subscribe(store, ConfirmationMail(ports), ports.links, ports.link_key, queued.tenant_id, queued.request,
              queued.requested_at)  # fmt: skip

"""The local stack's SMTP server (aiosmtpd) on 127.0.0.1: mail sent to it is the e-mail door's mail, as SES would
receive it. Each message is written under inbound-email/ in the local inbound bucket with a Delivered-To line
per envelope recipient, so it travels the same bucket event, queue and function as mail SES received."""

from __future__ import annotations

import hashlib
import logging
import socket
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from sigap.sources.email_door import INBOUND_PREFIX, MAX_MESSAGE_BYTES
from sigap_tools.local.ports import held_socket, held_socket_preferring

_log = logging.getLogger("sigap_tools.local.smtp")


@dataclass
class _Handler:
    s3: Any
    bucket: str

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's name
        content = envelope.original_content or b""
        if len(content) > MAX_MESSAGE_BYTES:
            return "552 Message exceeds the size limit"
        delivered = b"".join(f"Delivered-To: {recipient}\r\n".encode() for recipient in envelope.rcpt_tos)
        key = INBOUND_PREFIX + hashlib.sha256(content).hexdigest()[:32]
        try:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=delivered + content)
        except Exception:  # an answer the sender can retry, never a dropped message
            _log.exception("an SMTP message could not be stored")
            return "451 Requested action aborted: local storage unavailable, try again"
        _log.info("SMTP message from %s to %s stored at %s", envelope.mail_from, envelope.rcpt_tos, key)
        return "250 Message accepted for delivery"


PREFERRED_PORT = 2525


class LocalSmtp:
    """`port`: that port (0: any free one; None: 2525 if it is free, else any free one)."""

    def __init__(self, s3: Any, bucket: str, port: int | None = 0) -> None:
        listening = held_socket_preferring(PREFERRED_PORT) if port is None else held_socket(port)
        self._controller = _HeldPortController(_Handler(s3, bucket), listening, data_size_limit=MAX_MESSAGE_BYTES)

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def start(self) -> LocalSmtp:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


class _HeldPortController(Controller):
    """aiosmtpd's controller serving a socket bound beforehand (`sigap_tools.local.ports`), through the method
    aiosmtpd documents for subclasses to override."""

    def __init__(self, handler: _Handler, listening: socket.socket, **smtp_parameters: Any) -> None:
        self._listening = listening
        host, port = listening.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **smtp_parameters)

    def _create_server(self) -> Awaitable[Any]:
        return self.loop.create_server(self._factory_invoker, sock=self._listening, ssl=self.ssl_context)

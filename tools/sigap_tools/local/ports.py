"""Ports the local stack's servers listen on, held from the moment they are chosen.

A port looked up as free (bind to 0, read the number, close) and bound again later can be taken in between, by
another server or by any outgoing connection's source port, which comes from the same range. On a busy machine it
was: "Address already in use" for a port chosen seconds earlier. So each server is given a socket already bound.
"""

from __future__ import annotations

import socket

LISTEN_BACKLOG = 128  # what werkzeug and http.server would ask for themselves


def held_socket(port: int = 0, host: str = "127.0.0.1") -> socket.socket:
    """A socket bound and listening on host:port (0: a port the system picks, held by this socket)."""
    return socket.create_server((host, port), backlog=LISTEN_BACKLOG)


def held_socket_preferring(port: int, host: str = "127.0.0.1") -> socket.socket:
    """The port if it is free, else any free one."""
    try:
        return held_socket(port, host)
    except OSError:
        return held_socket(0, host)

"""The last line of defence: no socket leaves the machine while a world is active.

Everything a run needs is answered in-process (moto, fixtures), so any connection to a
non-loopback address, or any name lookup of a non-local host, is a stray call: it fails with
:class:`StrayNetworkCall` instead of reaching real AWS or the internet.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any
from unittest import mock

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "", None})


class StrayNetworkCall(ConnectionRefusedError):
    """A connection or lookup that would have left the emulated world."""


def _is_local(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str, host: Any) -> StrayNetworkCall:
    return StrayNetworkCall(
        f"lambdaslim verify: {what} {host!r} refused: the emulated world never reaches the "
        "network (answer it with a case fixture)"
    )


@contextlib.contextmanager
def network_guard() -> Iterator[None]:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guarded_address(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            raise _refuse("connection to", address[0])

    def connect(sock: socket.socket, address: Any) -> None:
        guarded_address(sock, address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        guarded_address(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local(host):
            raise _refuse("name lookup of", host)
        return real_getaddrinfo(host, *args, **kwargs)

    with (
        mock.patch.object(socket.socket, "connect", connect),
        mock.patch.object(socket.socket, "connect_ex", connect_ex),
        mock.patch.object(socket, "getaddrinfo", getaddrinfo),
    ):
        yield

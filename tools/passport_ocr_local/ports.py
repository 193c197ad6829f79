"""Loopback ports: is one free, and a free one when the preferred one is taken."""

from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def preferred_or_free(preferred: int, host: str = LOOPBACK) -> int:
    """`preferred` when nothing listens there (so documented URLs work), else any free port."""
    if preferred and port_is_free(preferred, host):
        return preferred
    return free_port(host)

"""Helpers the suites share: a free port for a server a test starts, and a bounded wait."""

import socket
import time


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a server the test starts next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float = 30.0, interval: float = 0.05) -> bool:
    """Poll `condition()` until it is true or `timeout` seconds pass; every wait in the suites is bounded."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if condition():
            return True
        time.sleep(interval)
    return False
